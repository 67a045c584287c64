import MDECore
import Shipper
import Testing

private func time(_ text: String) -> Timestamp {
    Timestamp(text)!
}

@Test func planSplitsRangeOldestFirst() throws {
    let plan = try BackfillPlan(
        since: time("2024-01-01T00:00:00Z"), until: time("2024-01-02T12:00:00Z"), windowWidth: .seconds(4 * 3600))
    #expect(plan.windowCount == 9)
    #expect(plan.windows.first?.lower.raw == "2024-01-01T00:00:00Z")
    #expect(plan.windows.first?.upper.raw == "2024-01-01T04:00:00Z")
    #expect(plan.windows.last?.lower.raw == "2024-01-02T08:00:00Z")
    #expect(plan.windows.last?.upper.raw == "2024-01-02T12:00:00Z")
}

@Test func planClipsLastWindowToUntil() throws {
    let plan = try BackfillPlan(
        since: time("2024-01-01T00:00:00Z"), until: time("2024-01-01T02:30:00.5Z"), windowWidth: .seconds(3600))
    #expect(plan.windowCount == 3)
    #expect(plan.window(at: 2).lower.raw == "2024-01-01T02:00:00Z")
    #expect(plan.window(at: 2).upper.raw == "2024-01-01T02:30:00.5Z")
}

@Test func planWindowsLeaveNoGapOrOverlap() throws {
    let cases: [(since: String, until: String, seconds: Int64)] = [
        ("2024-01-01T00:00:00.1234567Z", "2024-01-03T00:00:00Z", 3600),
        ("2024-02-28T23:59:59Z", "2024-03-01T00:00:01Z", 7),
        ("2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z", 3600),
    ]
    for testCase in cases {
        let plan = try BackfillPlan(
            since: time(testCase.since), until: time(testCase.until), windowWidth: .seconds(testCase.seconds))
        let windows = plan.windows
        #expect(windows.first?.lower.ticks == time(testCase.since).ticks)
        #expect(windows.last?.upper.ticks == time(testCase.until).ticks)
        for (earlier, later) in zip(windows, windows.dropFirst()) {
            #expect(earlier.upper == later.lower)
            #expect(!earlier.isEmpty)
        }
    }
}

@Test func planRejectsRangeWithoutDuration() {
    for (since, until) in [("2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z"), ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z")] {
        #expect(throws: BackfillError.emptyRange(since: time(since), until: time(until))) {
            try BackfillPlan(since: time(since), until: time(until), windowWidth: .seconds(3600))
        }
    }
}

@Test func planRejectsWindowUnderOneSecond() {
    #expect(throws: BackfillError.windowTooNarrow(.milliseconds(999))) {
        try BackfillPlan(
            since: time("2024-01-01T00:00:00Z"), until: time("2024-01-02T00:00:00Z"), windowWidth: .milliseconds(999))
    }
}

@Test func narrowWindowMessageShowsMilliseconds() {
    #expect(BackfillError.windowTooNarrow(.milliseconds(1)).description == "invalid --backfill-window of 1ms: it must be at least 1s")
}
