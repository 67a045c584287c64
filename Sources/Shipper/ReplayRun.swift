import MDECore

/// Ships the alerts of a replay input: every top-level value is shipped before the next is read,
/// so invalid input stops the run without losing the alerts read before it.
public enum ReplayRun {
    /// Ships every alert of `input` and flushes the output. On invalid input, the alerts before
    /// it are flushed first and then the `ReplayError` is thrown. Returns `false` when a shutdown
    /// request stopped the reading before the end of the input.
    @discardableResult
    public static func run(
        input: [UInt8], sourceName: String, shipper: inout AlertShipper, shutdown: ShutdownSignal
    ) async throws -> Bool {
        var reader = ReplayReader(bytes: input, sourceName: sourceName)
        var reachedEnd = false
        do {
            while !shutdown.isRequested {
                guard let alerts = try reader.next() else {
                    reachedEnd = true
                    break
                }
                for alert in alerts {
                    try await shipper.ship(alert.value, original: alert.original)
                }
            }
        } catch let error as ReplayError {
            try await shipper.output.flush()
            throw error
        }
        try await shipper.output.flush()
        return reachedEnd
    }
}
