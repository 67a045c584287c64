#if canImport(Glibc)
import Glibc
#endif
import DefenderAPI
import ECS
@testable import mde_shipper
import MDECore
import Shipper
import Testing

/// An alert source whose windows hold no alert, or whose every page request fails with `failure`.
private struct EmptySource: AlertSource {
    let tenantID: String
    var failure: DefenderError?

    func pages(for window: PollingWindow) -> any AlertPageSequence {
        EmptyPages(failure: failure)
    }

    func throttleWaits() async -> Int { 0 }
}

private struct EmptyPages: AlertPageSequence {
    var failure: DefenderError?

    func nextPage() async throws(DefenderError) -> AlertPage? {
        if let failure { throw failure }
        return nil
    }
}

/// A durable output that receives no document in these tests.
private struct IdleOutput: DocumentOutput {
    var isDurable: Bool { true }
    func send(_ document: ECSDocument, index: String) async throws {}
    func flush() async throws {}
    func deliveryCounts() async -> DeliveryCounts { DeliveryCounts() }
    func stop() async {}
}

private let rejected = DefenderError(
    code: .tokenRejected, detailCode: "AADSTS7000215", description: "invalid client secret. Fix: the client secret is invalid")

@Suite struct BackfillTenantsTests {
    let state: String = {
        var template = Array("/tmp/mde-shipper-backfill-test-XXXXXX".utf8CString)
        let path = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return String(cString: path!)
    }()

    private func backfill(_ tenantID: String, name: String?, failure: DefenderError? = nil) throws -> BackfillCommand.TenantBackfill {
        let tenant = TenantConfiguration(
            credentials: ClientCredentials(tenantID: tenantID, clientID: "c", clientSecret: "s"), cloud: .commercial,
            tokenVersion: .v2, name: name)
        let until = WallClock.now()
        let since = Timestamp(ticks: until.ticks - 7_200 * 10_000_000)
        let progress = BackfillProgress(tenant: tenantID, since: since, until: until, startedAt: until)
        return BackfillCommand.TenantBackfill(
            tenant: tenant, start: .fresh(progress, replaced: nil), source: EmptySource(tenantID: tenantID, failure: failure),
            command: try command())
    }

    private func command() throws -> BackfillCommand {
        let (_, options) = try OptionResolver(environment: [:]) { _ in [] }.resolve(arguments: ["backfill", "--state-dir", state])
        let settings = try Settings(options, home: nil)
        return BackfillCommand(settings: settings, logger: .discarding)
    }

    private func context() throws -> BackfillCommand.Context {
        BackfillCommand.Context(
            output: IdleOutput(), mapper: try AlertMapper(options: MapperOptions()), index: "mde",
            store: BackfillProgressStore(directory: state), shutdown: ShutdownSignal())
    }

    @Test func failedTenantDoesNotStopNext() async throws {
        let backfills = [try backfill("tenant-a", name: "first", failure: rejected), try backfill("tenant-b", name: nil)]
        let store = BackfillProgressStore(directory: state)

        await #expect(throws: TenantRunFailure.self) { try await command().shipEach(backfills, context: try context()) }

        #expect(try store.load(tenant: "tenant-a")?.completedUntil == nil)
        #expect(try store.load(tenant: "tenant-b")?.isFinished == true)
    }

    @Test func failureNamesFailedTenants() async throws {
        let backfills = [
            try backfill("tenant-a", name: "first", failure: rejected), try backfill("tenant-b", name: nil),
            try backfill("tenant-c", name: nil, failure: rejected),
        ]
        do {
            try await command().shipEach(backfills, context: try context())
            Issue.record("expected TenantRunFailure")
        } catch let failure as TenantRunFailure {
            #expect(failure.failures.map(\.label) == ["tenant-a (first)", "tenant-c"])
            #expect(failure.tenantCount == 3)
            #expect(failure.description.hasPrefix("2 of 3 tenants failed: tenant-a (first): token_rejected AADSTS7000215"))
        }
    }

    @Test func allTenantsFinishWithoutError() async throws {
        let backfills = [try backfill("tenant-a", name: nil), try backfill("tenant-b", name: "second")]
        let store = BackfillProgressStore(directory: state)

        try await command().shipEach(backfills, context: try context())

        #expect(try store.load(tenant: "tenant-a")?.isFinished == true)
        #expect(try store.load(tenant: "tenant-b")?.isFinished == true)
    }

    @Test func shutdownStopsAtFirstTenant() async throws {
        let backfills = [try backfill("tenant-a", name: nil), try backfill("tenant-b", name: nil)]
        let shared = try context()
        _ = shared.shutdown.request()

        let error = await #expect(throws: BackfillInterrupted.self) { try await command().shipEach(backfills, context: shared) }

        #expect(error?.tenant == "tenant-a")
        #expect(error?.completedUntil == nil)
    }
}
