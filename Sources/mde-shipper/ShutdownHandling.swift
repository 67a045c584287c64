#if canImport(Glibc)
import Glibc
#endif
import MDECore
import Shipper

/// Installs the signal handlers of a command and enforces the shutdown deadline: when the drain
/// after the first signal takes longer than `timeout`, the process logs `deadlineMessage` and
/// exits with `deadlineExitStatus`.
struct ShutdownHandling {
    private let signals: SignalHandling

    /// `run` exits 0 at the deadline, because its cursor only moves after delivery and the next
    /// start reads the rest again. One-shot commands pass a message that says what to repeat and
    /// a non-zero status.
    /// At the deadline, `stopDelivery` runs first (it stops the bulk indexer, so a pending flush
    /// throws and the command logs its summary on its own error path); the process exits
    /// `gracePeriod` later if the command has not ended by then.
    init(
        shutdown: ShutdownSignal, timeout: Duration, logger: Logger,
        deadlineMessage: String = "shutdown deadline reached, exiting; undelivered alerts are read again on the next start",
        deadlineExitStatus: Int32 = 0,
        gracePeriod: Duration = .seconds(5),
        stopDelivery: @escaping @Sendable () async -> Void = {}
    ) {
        signals = SignalHandling(shutdown: shutdown, logger: logger) {
            Task.detached {
                try? await Task.sleep(for: timeout)
                logger.warning(deadlineMessage, [("shutdown.timeout_seconds", .int(timeout.components.seconds))])
                await stopDelivery()
                try? await Task.sleep(for: gracePeriod)
                exit(deadlineExitStatus)
            }
        }
    }
}
