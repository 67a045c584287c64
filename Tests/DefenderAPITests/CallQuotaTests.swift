import DefenderAPI
import Testing

struct CallQuotaTests {
    private let start = ContinuousClock.now

    private func at(_ seconds: Double) -> ContinuousClock.Instant {
        start + .seconds(seconds)
    }

    @Test func quotaAllowsBurstUpToMinuteLimit() throws {
        var quota = try CallQuota(callsPerMinute: 5, callsPerHour: 100, margin: .zero)
        for call in 1...5 {
            let reservation = quota.reserve(now: at(0))
            #expect(reservation.delay == .zero, "call \(call)")
            #expect(reservation.constraint == nil, "call \(call)")
        }
    }

    @Test func quotaSpacesCallsAfterBurst() throws {
        var quota = try CallQuota(callsPerMinute: 3, callsPerHour: 100, margin: .zero)
        _ = quota.reserve(now: at(0))
        _ = quota.reserve(now: at(10))
        _ = quota.reserve(now: at(20))

        let fourth = quota.reserve(now: at(30))
        #expect(fourth.delay == .seconds(30))
        #expect(fourth.sendAt == at(60))
        #expect(fourth.constraint == .minute)

        let fifth = quota.reserve(now: at(30))
        #expect(fifth.delay == .seconds(40))
        #expect(fifth.constraint == .minute)

        let sixth = quota.reserve(now: at(85))
        #expect(sixth.delay == .zero)
    }

    @Test func quotaNeverExceedsMinuteLimitInAnyWindow() throws {
        let limit = 10
        var quota = try CallQuota(callsPerMinute: limit, callsPerHour: 10_000, margin: .zero)
        var sendTimes: [ContinuousClock.Instant] = []
        for call in 0..<95 {
            // Callers arrive every 2 s, faster than the limit allows.
            sendTimes.append(quota.reserve(now: at(Double(call) * 2)).sendAt)
        }
        for (index, sent) in sendTimes.enumerated() {
            let inWindow = sendTimes[index...].prefix { $0 < sent + .seconds(60) }.count
            #expect(inWindow <= limit, "calls in the 60 s from call \(index)")
        }
    }

    @Test func quotaAddsMarginToWindow() throws {
        var quota = try CallQuota(callsPerMinute: 1, callsPerHour: 100, margin: .seconds(2))
        _ = quota.reserve(now: at(0))
        #expect(quota.reserve(now: at(1)).sendAt == at(62))
    }

    @Test func quotaAppliesHourLimit() throws {
        var quota = try CallQuota(callsPerMinute: 100, callsPerHour: 4, margin: .zero)
        for minute in 0..<4 {
            #expect(quota.reserve(now: at(Double(minute) * 60)).delay == .zero, "minute \(minute)")
        }
        let fifth = quota.reserve(now: at(240))
        #expect(fifth.sendAt == at(3600))
        #expect(fifth.constraint == .hour)

        let sixth = quota.reserve(now: at(3600))
        #expect(sixth.sendAt == at(3660))
        #expect(sixth.constraint == .hour)
    }

    @Test func quotaReportsLaterOfBothLimits() throws {
        var quota = try CallQuota(callsPerMinute: 2, callsPerHour: 3, margin: .zero)
        _ = quota.reserve(now: at(0))
        _ = quota.reserve(now: at(0))
        let third = quota.reserve(now: at(0))
        #expect(third.sendAt == at(60))
        #expect(third.constraint == .minute)

        let fourth = quota.reserve(now: at(60))
        #expect(fourth.sendAt == at(3600))
        #expect(fourth.constraint == .hour)
    }

    @Test func retryAfterHoldOverridesFreeQuota() throws {
        var quota = try CallQuota(callsPerMinute: 100, callsPerHour: 1500)
        _ = quota.reserve(now: at(0))
        quota.holdCalls(until: at(7))

        let held = quota.reserve(now: at(1))
        #expect(held.delay == .seconds(6))
        #expect(held.constraint == .retryAfter)
        #expect(quota.reserve(now: at(8)).delay == .zero)
    }

    @Test func retryAfterKeepsLaterHold() throws {
        var quota = try CallQuota()
        quota.holdCalls(until: at(30))
        quota.holdCalls(until: at(5))
        #expect(quota.reserve(now: at(0)).sendAt == at(30))
    }

    @Test func retryAfterHoldWinsOverLaterMinuteSlot() throws {
        var quota = try CallQuota(callsPerMinute: 1, callsPerHour: 100, margin: .zero)
        _ = quota.reserve(now: at(0))
        quota.holdCalls(until: at(90))
        let next = quota.reserve(now: at(10))
        #expect(next.sendAt == at(90))
        #expect(next.constraint == .retryAfter)
    }

    @Test func quotaTreatsEarlierInstantAsLatest() throws {
        var quota = try CallQuota(callsPerMinute: 2, callsPerHour: 100, margin: .zero)
        _ = quota.reserve(now: at(50))
        let stale = quota.reserve(now: at(40))
        #expect(stale.sendAt == at(50))
        #expect(stale.delay == .seconds(10))

        let third = quota.reserve(now: at(45))
        #expect(third.sendAt == at(110))
    }

    @Test(arguments: [(0, 1500), (100, 0), (-1, 10)])
    func quotaRejectsLimitBelowOne(perMinute: Int, perHour: Int) {
        #expect(throws: DefenderError.self) {
            try CallQuota(callsPerMinute: perMinute, callsPerHour: perHour)
        }
    }

    @Test func quotaRejectsNegativeMargin() {
        #expect(throws: DefenderError.self) {
            try CallQuota(margin: .seconds(-1))
        }
    }
}
