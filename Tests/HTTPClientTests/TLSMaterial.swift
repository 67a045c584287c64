import Foundation

/// A throwaway CA and a server certificate for 127.0.0.1, made with the `openssl` command in a
/// temporary directory.
struct TLSMaterial: Sendable {
    struct CommandFailure: Error, CustomStringConvertible {
        var description: String
    }

    let directory: String
    /// The CA certificate (PEM).
    var caFile: String { directory + "/ca.pem" }
    /// The server certificate followed by the CA certificate, so the CA is in the sent chain.
    var chainFile: String { directory + "/chain.pem" }
    var serverKeyFile: String { directory + "/server.key" }
    /// A client certificate and key that the same CA signed.
    var clientCertificateFile: String { directory + "/client.pem" }
    var clientKeyFile: String { directory + "/client.key" }
    /// The CA's SHA-256 fingerprint as `openssl` prints it: uppercase pairs with colons.
    let caFingerprint: String

    static func generate() throws -> TLSMaterial {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mde-http-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: directory + "/server.ext", atomically: true, encoding: .utf8)
        try "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n"
            .write(toFile: directory + "/client.ext", atomically: true, encoding: .utf8)

        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        try run(["req", "-x509"] + curve + [
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=mde-shipper test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ], in: directory)
        try run(["req"] + curve + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"], in: directory)
        try run([
            "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
        ], in: directory)
        try run(["req"] + curve + ["-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=mde-shipper test client"], in: directory)
        try run([
            "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "client.pem", "-days", "2", "-extfile", "client.ext",
        ], in: directory)
        let chain = try String(contentsOfFile: directory + "/server.pem", encoding: .utf8)
            + String(contentsOfFile: directory + "/ca.pem", encoding: .utf8)
        try chain.write(toFile: directory + "/chain.pem", atomically: true, encoding: .utf8)

        let printed = try run(["x509", "-in", "ca.pem", "-noout", "-fingerprint", "-sha256"], in: directory)
        guard let equals = printed.firstIndex(of: "=") else {
            throw CommandFailure(description: "unexpected openssl fingerprint output: \(printed)")
        }
        let fingerprint = printed[printed.index(after: equals)...].trimmingCharacters(in: .whitespacesAndNewlines)
        return TLSMaterial(directory: directory, caFingerprint: fingerprint)
    }

    @discardableResult
    private static func run(_ arguments: [String], in directory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure(description: "openssl \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
