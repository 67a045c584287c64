#if canImport(Glibc)
import Glibc
#endif

/// The process's environment and file access: the only place that reads either.
enum ProcessEnvironment {
    static func variables() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }

    /// Reads a whole file, or standard input for `-`.
    static func readFile(_ path: String) throws -> [UInt8] {
        let descriptor = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FileReadError(path: path, reason: String(cString: strerror(errno)))
        }
        defer { if descriptor != 0 { close(descriptor) } }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { return contents }
            contents.append(contentsOf: chunk[0..<count])
        }
    }
}

/// A file that could not be read.
struct FileReadError: Error, CustomStringConvertible {
    var path: String
    var reason: String

    var description: String {
        "failed to read \(path == "-" ? "standard input" : path): \(reason)"
    }
}
