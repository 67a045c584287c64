import DefenderAPI
import MDECore
import Shipper

/// One tenant's part of `run`: a poller over the tenant's own alert source (token, call quota,
/// cursor file), and an `AlertShipper` that counts the tenant's alerts and sends their documents
/// to the output that every tenant shares.
struct TenantRun: Sendable {
    /// The tenant's position in the configuration, which orders the final report.
    let position: Int
    let tenant: TenantConfiguration
    let source: any AlertSource
    let poller: TenantPoller
    let shipper: AlertShipper
    /// The run's logger with the tenant's id and name.
    let logger: Logger
    let shutdown: ShutdownSignal

    /// The result of one tenant's run.
    struct Outcome: Sendable {
        var run: TenantRun
        /// The shipper with the tenant's counts.
        var shipper: AlertShipper
        /// Calls that waited noticeably for the tenant's call quota.
        var throttleWaits: Int
        /// The error that ended the tenant's cycle, or `nil` when the cycle succeeded or a
        /// shutdown stopped it.
        var failure: (any Error)?
    }

    /// Runs one catch-up cycle. A failure is returned, not logged, so the caller decides whether
    /// it ends the whole run.
    func runOnce() async -> Outcome {
        var shipper = shipper
        var failure: (any Error)?
        do {
            _ = try await poller.runCycle(shipper: &shipper, now: WallClock.now())
        } catch where shutdown.isRequested {
            // The deadline stopped delivery: the cursor did not move, so the next start reads
            // the window again, and a requested shutdown is not a failure.
            logStoppedByShutdown(error)
        } catch {
            failure = error
        }
        return Outcome(run: self, shipper: shipper, throttleWaits: await source.throttleWaits(), failure: failure)
    }

    /// Runs cycles every `interval` until shutdown. A failed cycle is logged and retried at the
    /// next interval, with the cursor left where it was.
    func runContinuously(interval: Duration) async -> Outcome {
        var shipper = shipper
        while !shutdown.isRequested {
            do {
                _ = try await poller.runCycle(shipper: &shipper, now: WallClock.now())
            } catch where shutdown.isRequested {
                logStoppedByShutdown(error)
            } catch {
                logger.error("cycle failed, retrying at the next interval", Self.errorFields(error) + [
                    ("retry.after_seconds", .int(interval.components.seconds)),
                ])
            }
            await shutdown.wait(for: interval)
        }
        return Outcome(run: self, shipper: shipper, throttleWaits: await source.throttleWaits(), failure: nil)
    }

    /// The tenant's id followed by its name in brackets, when it has one.
    var label: String { tenant.label }

    /// Returns log fields that describe `error`. A Defender error adds its stable code and its
    /// `AADSTS` or API error code.
    static func errorFields(_ error: any Error) -> [(String, LogValue)] {
        var fields: [(String, LogValue)] = [("error.message", .string("\(error)"))]
        if let error = error as? DefenderError {
            fields.append(("error.code", .string(error.code.rawValue)))
            if let detail = error.detailCode {
                fields.append(("error.detail_code", .string(detail)))
            }
        }
        return fields
    }

    private func logStoppedByShutdown(_ error: any Error) {
        logger.warning("cycle stopped by shutdown before delivery finished, cursor not moved", [
            ("error.message", .string("\(error)")),
        ])
    }
}
