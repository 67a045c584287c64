import ECS
import Shipper
import Synchronization

/// A document output for tests: records what it receives and can fail on flush.
final class RecordingOutput: DocumentOutput {
    struct FlushFailure: Error {}

    let isDurable: Bool
    private let failFlush: Bool
    private let state = Mutex<(documents: [ECSDocument], flushes: Int)>(([], 0))

    init(durable: Bool = true, failFlush: Bool = false) {
        self.isDurable = durable
        self.failFlush = failFlush
    }

    var documents: [ECSDocument] { state.withLock { $0.documents } }
    var flushes: Int { state.withLock { $0.flushes } }

    func send(_ document: ECSDocument, index: String) async throws {
        state.withLock { $0.documents.append(document) }
    }

    func flush() async throws {
        state.withLock { $0.flushes += 1 }
        if failFlush { throw FlushFailure() }
    }

    func deliveryCounts() async -> DeliveryCounts {
        DeliveryCounts(acknowledged: documents.count)
    }

    func stop() async {}
}
