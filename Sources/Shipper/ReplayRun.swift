import MDECore

/// Ships the alerts of a replay input: every top-level value is shipped before the next is read,
/// so invalid input stops the run without losing the alerts read before it.
public enum ReplayRun {
    /// Ships every alert of `input` and flushes the output. On invalid input, the alerts before
    /// it are flushed first and then the `ReplayError` is thrown.
    public static func run(
        input: [UInt8], sourceName: String, shipper: inout AlertShipper, shutdown: ShutdownSignal
    ) async throws {
        var reader = ReplayReader(bytes: input, sourceName: sourceName)
        do {
            while !shutdown.isRequested, let alerts = try reader.next() {
                for alert in alerts {
                    try await shipper.ship(alert.value, original: alert.original)
                }
            }
        } catch let error as ReplayError {
            try await shipper.output.flush()
            throw error
        }
        try await shipper.output.flush()
    }
}
