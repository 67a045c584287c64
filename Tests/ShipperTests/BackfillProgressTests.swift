import MDECore
import Shipper
import Testing

private func time(_ text: String) -> Timestamp {
    Timestamp(text)!
}

private let started = time("2024-03-01T10:00:00Z")

private func progress(completedUntil: String? = nil, until: String = "2024-01-02T00:00:00Z") -> BackfillProgress {
    BackfillProgress(
        tenant: "tenant-a", since: time("2024-01-01T00:00:00Z"), until: time(until),
        completedUntil: completedUntil.map(time), windowsDone: completedUntil == nil ? 0 : 3, alertsRead: 42,
        startedAt: started)
}

@Test func progressRoundTripsThroughStore() throws {
    let store = BackfillProgressStore(directory: temporaryDirectory() + "/state")
    let saved = progress(completedUntil: "2024-01-01T03:00:00.1234567Z")
    try store.save(saved)
    #expect(try store.load(tenant: "tenant-a") == saved)
}

@Test func progressWithoutCompletedWindowRoundTrips() throws {
    let store = BackfillProgressStore(directory: temporaryDirectory())
    try store.save(progress())
    let loaded = try #require(try store.load(tenant: "tenant-a"))
    #expect(loaded.completedUntil == nil)
    #expect(loaded.resumePoint.raw == "2024-01-01T00:00:00Z")
}

@Test func progressFileMarksFinishedBackfill() throws {
    let encoded = progress(completedUntil: "2024-01-02T00:00:00Z").encoded(updatedAt: started)
    #expect(encoded["finished"] == .bool(true))
    #expect(encoded["completed_until"]?.stringValue == "2024-01-02T00:00:00Z")
    #expect(progress(completedUntil: "2024-01-01T04:00:00Z").encoded(updatedAt: started)["finished"] == .bool(false))
}

@Test func progressStoreMissingFileLoadsNil() throws {
    #expect(try BackfillProgressStore(directory: temporaryDirectory()).load(tenant: "tenant-a") == nil)
}

@Test func progressStoreRejectsCorruptFiles() throws {
    let directory = temporaryDirectory()
    let store = BackfillProgressStore(directory: directory)
    let bodies = [
        "not json",
        #"{"tenant":"tenant-a","since":"yesterday","until":"2024-01-02T00:00:00Z","windows_done":0,"alerts_read":0,"started_at":"2024-01-01T00:00:00Z"}"#,
        #"{"tenant":"tenant-a","since":"2024-01-01T00:00:00Z","until":"2024-01-02T00:00:00Z","windows_done":-1,"alerts_read":0,"started_at":"2024-01-01T00:00:00Z"}"#,
    ]
    for body in bodies {
        try FileSystem.writeAtomically(Array(body.utf8), to: store.path(forTenant: "tenant-a"))
        #expect(throws: BackfillError.self) { try store.load(tenant: "tenant-a") }
    }
}

@Test func progressStoreSanitizesTenantInPath() {
    let store = BackfillProgressStore(directory: "/state")
    #expect(store.path(forTenant: "../x y") == "/state/backfill-.._x_y.json")
}

@Test func startWithoutSinceResumesSaved() throws {
    let saved = progress(completedUntil: "2024-01-01T03:00:00Z")
    let start = try BackfillStart.decide(
        tenant: "tenant-a", since: nil, until: nil, defaultUntil: time("2024-03-01T00:00:00Z"), saved: saved,
        path: "/p", now: started)
    #expect(start == .resume(saved))
}

@Test func startWithoutSinceOrSavedThrows() {
    #expect(throws: BackfillError.nothingToResume(tenant: "tenant-a", path: "/p")) {
        try BackfillStart.decide(
            tenant: "tenant-a", since: nil, until: nil, defaultUntil: started, saved: nil, path: "/p", now: started)
    }
}

@Test func startWithSameSinceResumesToNewEnd() throws {
    let saved = progress(completedUntil: "2024-01-01T03:00:00Z")
    let start = try BackfillStart.decide(
        tenant: "tenant-a", since: time("2024-01-01T00:00:00Z"), until: nil, defaultUntil: time("2024-01-05T00:00:00Z"),
        saved: saved, path: "/p", now: started)
    var expected = saved
    expected.until = time("2024-01-05T00:00:00Z")
    #expect(start == .resume(expected))
}

@Test func startWithOtherRangeStartsFresh() throws {
    let saved = progress(completedUntil: "2024-01-01T03:00:00Z")
    let requests: [(since: String, until: String)] = [
        ("2024-01-01T00:00:01Z", "2024-01-02T00:00:00Z"),
        // The same start, but an end before the completed part: not a continuation.
        ("2024-01-01T00:00:00Z", "2024-01-01T02:00:00Z"),
    ]
    for request in requests {
        let start = try BackfillStart.decide(
            tenant: "tenant-a", since: time(request.since), until: time(request.until), defaultUntil: started,
            saved: saved, path: "/p", now: started)
        let fresh = BackfillProgress(
            tenant: "tenant-a", since: time(request.since), until: time(request.until), startedAt: started)
        #expect(start == .fresh(fresh, replaced: saved))
    }
}

@Test func startRejectsSinceNotBeforeUntil() {
    #expect(throws: BackfillError.self) {
        try BackfillStart.decide(
            tenant: "tenant-a", since: time("2024-01-02T00:00:00Z"), until: time("2024-01-01T00:00:00Z"),
            defaultUntil: started, saved: nil, path: "/p", now: started)
    }
    #expect(throws: BackfillError.self) {
        try BackfillStart.decide(
            tenant: "tenant-a", since: nil, until: time("2023-12-31T00:00:00Z"), defaultUntil: started,
            saved: progress(), path: "/p", now: started)
    }
}
