#if canImport(Glibc)
import Glibc
#endif
import ECS
import MDECore
import Synchronization

/// A dry-run output: writes `_bulk` NDJSON (a `create` action line, then the document) to
/// standard output, in batches so large runs do not issue a system call per document.
public final class StandardOutputWriter: DocumentOutput {
    private let pending = Mutex<[UInt8]>([])
    private let flushThreshold = 1 << 20

    public init() {}

    public var isDurable: Bool { false }

    public func send(_ document: ECSDocument, index: String) async throws {
        var writer = JSONWriter(reservingCapacity: document.source.count + 128)
        writer.writeRaw("{\"create\":{\"_index\":")
        writer.writeString(index)
        writer.writeRaw(",\"_id\":")
        writer.writeString(document.id)
        writer.writeRaw("}}\n")
        writer.writeRaw(document.source)
        writer.writeByte(0x0A)
        let full = pending.withLock { buffer in
            buffer.append(contentsOf: writer.bytes)
            return buffer.count >= flushThreshold
        }
        if full {
            try writePending()
        }
    }

    public func flush() async throws {
        try writePending()
    }

    public func deliveryCounts() async -> DeliveryCounts {
        DeliveryCounts()
    }

    public func stop() async {}

    private func writePending() throws {
        try pending.withLock { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = buffer.withUnsafeBytes { raw in
                    Glibc.write(1, raw.baseAddress! + offset, raw.count - offset)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw FileSystemError("write to", path: "standard output")
                }
                offset += written
            }
            buffer.removeAll(keepingCapacity: true)
        }
    }
}
