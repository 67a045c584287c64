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
    /// start reads the rest again. One-shot commands pass a message that names what to repeat and
    /// a non-zero status.
    /// Shortly before the deadline, `stopDelivery` runs (it stops the bulk indexer, so a pending
    /// flush throws and the command logs its summary on its own error path); at the deadline the
    /// process exits if the command has not ended by then.
    init(
        shutdown: ShutdownSignal, timeout: Duration, logger: Logger,
        deadlineMessage: String = "shutdown deadline reached, exiting; undelivered alerts are read again on the next start",
        deadlineExitStatus: Int32 = 0,
        gracePeriod: Duration = .seconds(2),
        stopDelivery: @escaping @Sendable () async -> Void = {}
    ) {
        signals = SignalHandling(shutdown: shutdown, logger: logger) {
            Task.detached {
                // Delivery stops `gracePeriod` before the deadline, so the command can log its
                // summary and the process still ends within `timeout`.
                let grace = min(gracePeriod, timeout / 4)
                try? await Task.sleep(for: timeout - grace)
                logger.warning(deadlineMessage, [("shutdown.timeout_seconds", .int(timeout.components.seconds))])
                await stopDelivery()
                try? await Task.sleep(for: grace)
                exit(deadlineExitStatus)
            }
        }
    }
}
