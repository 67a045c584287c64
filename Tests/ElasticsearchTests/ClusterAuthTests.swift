import Elasticsearch
import MDECore
import Testing

@Suite struct ClusterAuthTests {
    static let idAndKey = "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw"
    static let encodedKey = Base64.encode(Array(idAndKey.utf8))

    @Test func apiKeyIDAndKeyFormIsEncoded() throws {
        let auth = try ClusterAuth.fromConfiguration(username: nil, password: nil, apiKey: Self.idAndKey)
        #expect(auth.mode == .apiKey)
        #expect(auth.authorizationHeader?.name == "Authorization")
        #expect(auth.authorizationHeader?.value == "ApiKey \(Self.encodedKey)")
        #expect(auth.apiKeyID == "VuaCfGcBCdbkQm-e5aOx")
    }

    @Test func apiKeyBase64FormIsKept() throws {
        let auth = try ClusterAuth.fromConfiguration(username: nil, password: nil, apiKey: Self.encodedKey)
        #expect(auth.authorizationHeader?.value == "ApiKey \(Self.encodedKey)")
        #expect(auth.apiKeyID == "VuaCfGcBCdbkQm-e5aOx")
    }

    @Test func apiKeyUnpaddedBase64IsNormalised() throws {
        let unpadded = Base64.encodeURLSafe(Array("id1:secret-key".utf8))
        let auth = try ClusterAuth.fromConfiguration(username: nil, password: nil, apiKey: unpadded)
        #expect(auth.authorizationHeader?.value == "ApiKey \(Base64.encode(Array("id1:secret-key".utf8)))")
    }

    @Test func apiKeyTrailingNewlineIsIgnored() throws {
        let auth = try ClusterAuth.fromConfiguration(username: nil, password: nil, apiKey: Self.encodedKey + "\n")
        #expect(auth.authorizationHeader?.value == "ApiKey \(Self.encodedKey)")
    }

    /// Malformed keys, each with a fragment that the message must contain.
    static let malformedKeys: [(key: String, expectedFragment: String)] = [
        ("not a key!", "neither id:key nor valid base64"),
        ("", "the value is empty"),
        ("   ", "the value is empty"),
        (Base64.encode(Array("no-colon-in-here".utf8)), "not of the form id:key"),
        (Base64.encode([0xFF, 0xFE, 0x3A, 0x41]), "not of the form id:key"),
        (":only-key", "the id or the key around the colon is empty"),
        ("only-id:", "the id or the key around the colon is empty"),
    ]

    @Test(arguments: malformedKeys)
    func apiKeyMalformedIsRejected(key: String, expectedFragment: String) {
        let error = #expect(throws: ClusterError.self) {
            try ClusterAuth.fromConfiguration(username: nil, password: nil, apiKey: key)
        }
        #expect(error?.code == .invalidAuthConfiguration)
        #expect(error?.description.contains(expectedFragment) == true)
        #expect(error?.description.contains("ELASTICSEARCH_API_KEY") == true)
        #expect(error?.description.contains("expected id:key") == true)
        let visibleKey = key.filter { $0 != " " }
        if !visibleKey.isEmpty {
            #expect(error?.description.contains(visibleKey) == false)
        }
    }

    @Test func apiKeyMessageNamesLengthNotKey() {
        let garbage = "s3cr3t!!value"
        let error = #expect(throws: ClusterError.self) {
            try ClusterAuth.fromConfiguration(
                username: nil, password: nil, apiKey: garbage, apiKeySource: "--api-key"
            )
        }
        #expect(error?.description.contains("--api-key (13 characters)") == true)
        #expect(error?.description.contains("s3cr3t") == false)
    }

    @Test func basicAuthHeaderIsBase64OfPair() throws {
        let auth = try ClusterAuth.fromConfiguration(username: "elastic", password: "changeme", apiKey: nil)
        #expect(auth.mode == .basic)
        #expect(auth.authorizationHeader?.value == "Basic ZWxhc3RpYzpjaGFuZ2VtZQ==")
        #expect(auth.username == "elastic")
    }

    @Test func basicAuthWithAPIKeyIsRejected() {
        let error = #expect(throws: ClusterError.self) {
            try ClusterAuth.fromConfiguration(username: "elastic", password: "changeme", apiKey: Self.idAndKey)
        }
        #expect(error?.code == .invalidAuthConfiguration)
        #expect(error?.description.contains("keep only one") == true)
        #expect(error?.description.contains("changeme") == false)
        #expect(error?.description.contains("ui2lp2ax") == false)
    }

    static let incompleteBasicAuth: [(username: String?, password: String?)] = [
        ("elastic", nil), (nil, "changeme"), ("", "changeme"), ("elastic", ""),
    ]

    @Test(arguments: incompleteBasicAuth)
    func basicAuthIncompleteIsRejected(username: String?, password: String?) {
        let error = #expect(throws: ClusterError.self) {
            try ClusterAuth.fromConfiguration(username: username, password: password, apiKey: nil)
        }
        #expect(error?.code == .invalidAuthConfiguration)
        #expect(error?.description.contains("changeme") == false)
    }

    @Test func basicAuthColonInUsernameIsRejected() {
        let error = #expect(throws: ClusterError.self) {
            try ClusterAuth.fromConfiguration(username: "a:b", password: "changeme", apiKey: nil)
        }
        #expect(error?.description.contains("colon") == true)
    }

    @Test func noCredentialsGiveNoHeader() throws {
        let auth = try ClusterAuth.fromConfiguration(username: nil, password: nil, apiKey: nil)
        #expect(auth.mode == .none)
        #expect(auth.authorizationHeader == nil)
        #expect(auth.headers.isEmpty)
    }

    @Test func descriptionsHideSecrets() throws {
        let basic = try ClusterAuth.fromConfiguration(username: "elastic", password: "changeme", apiKey: nil)
        let apiKey = try ClusterAuth.fromConfiguration(username: nil, password: nil, apiKey: Self.idAndKey)
        for auth in [basic, apiKey] {
            var dumped = ""
            dump(auth, to: &dumped)
            for text in [auth.description, String(reflecting: auth), "\(auth)", dumped] {
                #expect(!text.contains("changeme"))
                #expect(!text.contains("ui2lp2axTNmsyakw9tvNnw"))
                #expect(!text.contains("ZWxhc3RpYzpjaGFuZ2VtZQ"))
                #expect(!text.contains(Self.encodedKey))
            }
        }
        #expect(basic.description == "basic (user \"elastic\")")
        #expect(apiKey.description == "API key (id \"VuaCfGcBCdbkQm-e5aOx\")")
    }
}
