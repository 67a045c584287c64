#if canImport(Glibc)
import Glibc
#endif
import MDECore
import Shipper

/// Installs the signal handlers of a run and enforces the shutdown deadline: when the drain after
/// the first signal takes longer than `timeout`, the process exits with status 0 anyway. Nothing
/// is lost then, because the cursor only moves after delivery, so the next start re-reads.
struct ShutdownHandling {
    private let signals: SignalHandling

    init(shutdown: ShutdownSignal, timeout: Duration, logger: Logger) {
        signals = SignalHandling(shutdown: shutdown, logger: logger) {
            Task.detached {
                try? await Task.sleep(for: timeout)
                logger.warning("shutdown deadline reached, exiting; undelivered alerts are read again on the next start", [
                    ("shutdown.timeout_seconds", .int(timeout.components.seconds)),
                ])
                exit(0)
            }
        }
    }
}
