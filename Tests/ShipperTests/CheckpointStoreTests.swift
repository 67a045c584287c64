#if canImport(Glibc)
import Glibc
#endif
import MDECore
import Shipper
import Testing

/// Creates a fresh directory under /tmp for one test.
func temporaryDirectory() -> String {
    var template = Array("/tmp/mde-shipper-test-XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    return String(cString: path!)
}

@Test func checkpointMissingFileLoadsNil() throws {
    let store = CheckpointStore(directory: temporaryDirectory())
    #expect(try store.load(tenant: "t1") == nil)
}

@Test func checkpointRoundTripsRawString() throws {
    let store = CheckpointStore(directory: temporaryDirectory() + "/nested/state")
    let cursor = try #require(Timestamp("2023-04-26T15:27:59.8566667Z"))
    try store.save(cursor, tenant: "t1")
    let loaded = try #require(try store.load(tenant: "t1"))
    #expect(loaded.raw == "2023-04-26T15:27:59.8566667Z")
    #expect(loaded.ticks == cursor.ticks)
}

@Test func checkpointKeepsTenantsApart() throws {
    let store = CheckpointStore(directory: temporaryDirectory())
    try store.save(try #require(Timestamp("2023-01-01T00:00:00Z")), tenant: "a")
    try store.save(try #require(Timestamp("2024-01-01T00:00:00Z")), tenant: "b")
    #expect(try store.load(tenant: "a")?.raw == "2023-01-01T00:00:00Z")
    #expect(try store.load(tenant: "b")?.raw == "2024-01-01T00:00:00Z")
}

@Test func checkpointSanitizesTenantInPath() {
    let store = CheckpointStore(directory: "/state")
    #expect(store.path(forTenant: "../../etc/x") == "/state/cursor-.._.._etc_x.json")
}

@Test(arguments: ["not json", #"{"tenant":"t1"}"#, #"{"cursor":"yesterday"}"#])
func checkpointRejectsCorruptFile(contents: String) throws {
    let directory = temporaryDirectory()
    let store = CheckpointStore(directory: directory)
    let descriptor = open(store.path(forTenant: "t1"), O_WRONLY | O_CREAT, 0o600)
    _ = Array(contents.utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
    do {
        _ = try store.load(tenant: "t1")
        Issue.record("expected an error")
    } catch {
        #expect("\(error)".contains(store.path(forTenant: "t1")))
        #expect("\(error)".contains("delete the file"))
    }
}

@Test func checkpointSaveFailsInUnwritableDirectory() throws {
    let store = CheckpointStore(directory: "/proc/mde-shipper-cannot-exist")
    #expect(throws: FileSystemError.self) {
        try store.save(try #require(Timestamp("2023-01-01T00:00:00Z")), tenant: "t1")
    }
}
