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

    @Test(arguments: [
        ("us", "https://api-us.securitycenter.microsoft.com"),
        ("eu", "https://api-eu.securitycenter.microsoft.com"),
        ("uk", "https://api-uk.securitycenter.microsoft.com"),
        ("au", "https://api-au.securitycenter.microsoft.com"),
        ("security", "https://api.security.microsoft.com"),
        ("security-us", "https://us.api.security.microsoft.com"),
        ("security-eu", "https://eu.api.security.microsoft.com"),
        ("security-uk", "https://uk.api.security.microsoft.com"),
        ("Security-AU", "https://au.api.security.microsoft.com"),
        ("security-swa", "https://swa.api.security.microsoft.com"),
        ("security-ina", "https://ina.api.security.microsoft.com"),
    ])
    func regionPicksAPIHostKeepingResource(name: String, api: String) throws {
        let region = try #require(DefenderRegion(name: name))
        let endpoints = try DefenderEndpoints(cloud: .commercial, region: region)
        #expect(endpoints.apiURL == api)
        #expect(endpoints.alertsURL == api + "/api/alerts")
        #expect(endpoints.resource == "https://api.securitycenter.microsoft.com")
        #expect(endpoints.scope == "https://api.securitycenter.microsoft.com/.default")
        #expect(endpoints.loginURL == "https://login.microsoftonline.com")
    }

    @Test func regionTableCoversEveryCase() {
        #expect(DefenderRegion.names.count == DefenderRegion.allCases.count)
        #expect(Set(DefenderRegion.allCases.map(\.apiURL)).count == DefenderRegion.allCases.count)
    }

    @Test(arguments: ["", "europe", "security-", "api-eu", "eu.api.security.microsoft.com"])
    func unknownRegionNameIsRejected(name: String) {
        #expect(DefenderRegion(name: name) == nil)
    }

    @Test func regionKeepsLoginOverride() throws {
        let endpoints = try DefenderEndpoints(region: .eu, loginURL: "http://127.0.0.1:9000")
        #expect(endpoints.apiURL == "https://api-eu.securitycenter.microsoft.com")
        #expect(endpoints.tokenURL(tenantID: "t", version: .v2) == "http://127.0.0.1:9000/t/oauth2/v2.0/token")
    }

    @Test(arguments: [DefenderCloud.gcc, .gccHigh, .dod])
    func regionWithGovernmentCloudIsRejected(cloud: DefenderCloud) {
        do {
            _ = try DefenderEndpoints(cloud: cloud, region: .eu)
            Issue.record("expected an error for region eu with cloud \(cloud)")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.description.contains("cloud \(cloud.rawValue)"))
            #expect(error.description.contains("us, eu, uk, au, security, security-us"))
        }
    }

    @Test func regionWithAPIOverrideIsRejected() {
        do {
            _ = try DefenderEndpoints(region: .securityEU, apiURL: "http://127.0.0.1:8443")
            Issue.record("expected an error for a region with an API URL override")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.description.contains("region security-eu cannot be used with an API URL override"))
        }
    }
}
