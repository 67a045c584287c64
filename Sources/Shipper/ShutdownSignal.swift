import Synchronization

/// A shutdown request shared by the parts of a run: set once by the first SIGTERM or SIGINT, read
/// by the source before each page so it stops fetching while the indexer drains.
public final class ShutdownSignal: Sendable {
    private let requested = Atomic<Bool>(false)

    public init() {}

    public var isRequested: Bool {
        requested.load(ordering: .acquiring)
    }

    /// Marks shutdown as requested; returns `false` when it already was.
    @discardableResult
    public func request() -> Bool {
        !requested.exchange(true, ordering: .acquiringAndReleasing)
    }
}
