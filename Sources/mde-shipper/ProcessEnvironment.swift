#if canImport(Glibc)
import Glibc
#endif
import MDECore

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
        if path == "-" {
            return try FileSystem.readAll(0, path: "standard input")
        }
        guard let contents = try FileSystem.readIfPresent(path) else {
            throw FileSystemError("read", path: path, errorNumber: ENOENT)
        }
        return contents
    }
}
