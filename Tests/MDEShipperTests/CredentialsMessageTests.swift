@testable import mde_shipper
import Testing

@Suite struct CredentialsMessageTests {
    private struct NoFiles: Error {}

    /// Returns the message of the error that `requireDefenderCredentials` throws for `arguments`.
    private func missingCredentialsMessage(_ arguments: [String]) throws -> String {
        let resolver = OptionResolver(environment: [:]) { _ in throw NoFiles() }
        let (_, options) = try resolver.resolve(arguments: ["run", "--tenant-id", "contoso.onmicrosoft.com"] + arguments)
        let settings = try Settings(options, home: "/home/test")
        do {
            _ = try settings.requireDefenderCredentials()
            Issue.record("expected missing credentials")
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func defenderSourceNamesAlertReadAll() throws {
        let message = try missingCredentialsMessage([])
        #expect(message.contains("MDE_CLIENT_ID (--client-id), MDE_CLIENT_SECRET or MDE_CLIENT_SECRET_FILE"))
        #expect(!message.contains("MDE_TENANT_ID"))
        #expect(message.hasSuffix("the application needs the Alert.Read.All application permission of WindowsDefenderATP"))
    }

    @Test func graphSourceNamesSecurityAlertReadAll() throws {
        let message = try missingCredentialsMessage(["--source", "graph"])
        #expect(message.hasSuffix("the application needs the SecurityAlert.Read.All application permission of Microsoft Graph"))
    }
}
