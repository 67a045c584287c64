import DefenderAPI
import Testing

struct DefenderEndpointsTests {
    @Test(arguments: [
        ("commercial", "https://login.microsoftonline.com", "https://api.securitycenter.microsoft.com"),
        ("gcc", "https://login.microsoftonline.com", "https://api-gcc.securitycenter.microsoft.us"),
        ("gcc-high", "https://login.microsoftonline.us", "https://api-gov.securitycenter.microsoft.us"),
        ("DoD", "https://login.microsoftonline.us", "https://api-gov.securitycenter.microsoft.us"),
    ])
    func cloudTablePicksHosts(name: String, login: String, api: String) throws {
        let cloud = try #require(DefenderCloud(name: name))
        let endpoints = try DefenderEndpoints(cloud: cloud)
        #expect(endpoints.loginURL == login)
        #expect(endpoints.apiURL == api)
        #expect(endpoints.resource == api)
    }

    @Test func unknownCloudNameIsRejected() {
        #expect(DefenderCloud(name: "china") == nil)
    }

    @Test func overridesReplaceEitherURL() throws {
        let endpoints = try DefenderEndpoints(cloud: .gccHigh, apiURL: "http://127.0.0.1:8443/")
        #expect(endpoints.apiURL == "http://127.0.0.1:8443")
        #expect(endpoints.loginURL == "https://login.microsoftonline.us")
        #expect(endpoints.resource == "http://127.0.0.1:8443")
        #expect(endpoints.alertsURL == "http://127.0.0.1:8443/api/alerts")
    }

    @Test func explicitResourceSurvivesAPIOverride() throws {
        let endpoints = try DefenderEndpoints(
            apiURL: "https://api-eu.securitycenter.microsoft.com",
            resource: "https://api.securitycenter.microsoft.com"
        )
        #expect(endpoints.scope == "https://api.securitycenter.microsoft.com/.default")
        #expect(endpoints.alertsURL == "https://api-eu.securitycenter.microsoft.com/api/alerts")
    }

    @Test(arguments: [
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000/tenant-a/oauth2/v2.0/token", "http://127.0.0.1:9000/tenant-a/oauth2/token"),
        ("http://127.0.0.1:9000/", "http://127.0.0.1:9000/tenant-a/oauth2/v2.0/token", "http://127.0.0.1:9000/tenant-a/oauth2/token"),
        ("http://127.0.0.1:9000/prefix//", "http://127.0.0.1:9000/prefix/tenant-a/oauth2/v2.0/token", "http://127.0.0.1:9000/prefix/tenant-a/oauth2/token"),
    ])
    func tokenURLJoinsWithoutDoubleSlashes(login: String, v2: String, v1: String) throws {
        let endpoints = try DefenderEndpoints(loginURL: login)
        #expect(endpoints.tokenURL(tenantID: "tenant-a", version: .v2) == v2)
        #expect(endpoints.tokenURL(tenantID: "tenant-a", version: .v1) == v1)
    }

    @Test func scopeJoinsWithoutDoubleSlash() throws {
        let endpoints = try DefenderEndpoints(apiURL: "http://127.0.0.1:8443///")
        #expect(endpoints.scope == "http://127.0.0.1:8443/.default")
    }

    @Test(arguments: ["127.0.0.1:8443", "ftp://host", "https://host/api?x=1", "https://user:pw@host", "https://"])
    func invalidOverrideIsRejected(url: String) {
        #expect(throws: DefenderError.self) {
            try DefenderEndpoints(apiURL: url)
        }
    }
}
