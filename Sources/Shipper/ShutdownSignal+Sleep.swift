import DefenderAPI

extension ShutdownSignal {
    /// The maximum time from a shutdown request to the end of a wait of `sleepFunction()`.
    public static let sleepStep: Duration = .milliseconds(200)

    /// Returns a sleep for the alert source's waits (call quota, `Retry-After`, retry backoff)
    /// that sleeps in steps of at most `step` and throws `CancellationError` once shutdown is
    /// requested, so a shutdown ends any such wait within `step`. It also throws when shutdown
    /// was already requested before the call, and when the task is cancelled.
    public func sleepFunction(step: Duration = ShutdownSignal.sleepStep) -> SleepFunction {
        { [self] duration in
            let clock = ContinuousClock()
            let deadline = clock.now + duration
            while true {
                if isRequested {
                    throw CancellationError()
                }
                let remaining = deadline - clock.now
                if remaining <= .zero {
                    return
                }
                try await Task.sleep(for: min(step, remaining))
            }
        }
    }
}
