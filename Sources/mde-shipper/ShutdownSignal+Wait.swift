import Shipper

extension ShutdownSignal {
    /// Sleeps for `duration` in short steps, so a shutdown request ends the wait within 200 ms.
    func wait(for duration: Duration) async {
        let clock = ContinuousClock()
        let deadline = clock.now + duration
        while !isRequested, clock.now < deadline {
            try? await Task.sleep(for: min(.milliseconds(200), deadline - clock.now))
        }
    }
}
