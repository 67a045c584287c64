#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import MDECore
import Shipper

/// Turns SIGTERM and SIGINT into a graceful shutdown request. The first signal stops fetching and
/// lets the run drain and persist its cursor. A second signal exits at once with status 130.
final class SignalHandling {
    private let sources: [DispatchSourceSignal]

    init(shutdown: ShutdownSignal, logger: Logger, onFirstSignal: @escaping @Sendable () -> Void) {
        var sources: [DispatchSourceSignal] = []
        for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if shutdown.request() {
                    logger.info("shutdown requested, draining", [("signal", .string(name))])
                    onFirstSignal()
                } else {
                    logger.warning("second signal, exiting at once", [("signal", .string(name))])
                    _exit(130)
                }
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    deinit {
        for source in sources {
            source.cancel()
        }
    }
}
