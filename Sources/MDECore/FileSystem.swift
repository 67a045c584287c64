#if canImport(Glibc)
import Glibc
#endif

/// A file system operation that failed, with the path and the system's reason.
public struct FileSystemError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var reason: String

    public init(_ operation: String, path: String, errorNumber: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.reason = String(cString: strerror(errorNumber))
    }

    public var description: String {
        "failed to \(operation) \(path): \(reason)"
    }
}

/// Small POSIX file helpers for state files, config files and replay input, which are read and
/// written whole.
public enum FileSystem {
    /// Reads the whole file, or returns `nil` when it does not exist.
    public static func readIfPresent(_ path: String) throws(FileSystemError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw FileSystemError("open", path: path)
        }
        defer { close(descriptor) }
        return try readAll(descriptor, path: path)
    }

    /// Reads a file descriptor until end of file.
    public static func readAll(_ descriptor: Int32, path: String) throws(FileSystemError) -> [UInt8] {
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSystemError("read", path: path)
            }
            if count == 0 { return contents }
            contents.append(contentsOf: chunk[0..<count])
        }
    }

    /// Creates `path` and its missing parents with mode 0700 (state may be sensitive).
    public static func createDirectory(_ path: String) throws(FileSystemError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component + "/"
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw FileSystemError("create directory", path: prefix)
            }
        }
    }

    /// Replaces `path` atomically: the bytes go to a temporary file in the same directory, which
    /// is synced and then renamed over `path`, and the directory is synced so the rename survives
    /// a power loss. A crash at any point leaves either the old or the new contents.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileSystemError) {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw FileSystemError("create", path: temporary) }
        do throws(FileSystemError) {
            try writeAll(bytes, to: descriptor, path: temporary)
            guard fsync(descriptor) == 0 else { throw FileSystemError("sync", path: temporary) }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let failure = FileSystemError("rename \(temporary) to", path: path)
            unlink(temporary)
            throw failure
        }
        syncDirectory(of: path)
    }

    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(FileSystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw FileSystemError("write", path: path)
            }
            offset += written
        }
    }

    private static func syncDirectory(of path: String) {
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
