import Foundation

/// The Python fixture server (`Fixtures/http_fixture_server.py`) as a child process on
/// 127.0.0.1. It exits when its standard input closes: on `stop()`, or when the test process
/// ends and the kernel closes the pipe.
final class FixtureServer: @unchecked Sendable {
    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int
    let scheme: String
    private let process: Process
    private let input: Pipe

    private init(process: Process, input: Pipe, port: Int, scheme: String) {
        self.process = process
        self.input = input
        self.port = port
        self.scheme = scheme
    }

    /// Starts the server. With a certificate chain and key it serves HTTPS, and with a client CA
    /// it also requires client certificates signed by that CA.
    static func start(certificateChain: String? = nil, key: String? = nil, clientCA: String? = nil) throws -> FixtureServer {
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures/http_fixture_server.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        if let certificateChain, let key {
            process.arguments! += ["--cert", certificateChain, "--key", key]
        }
        if let clientCA {
            process.arguments! += ["--client-ca", clientCA]
        }
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()

        // The first line is the port; end of file means the server failed to start.
        var line: [UInt8] = []
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(contentsOf: chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = Int(text) else {
            process.terminate()
            throw StartFailure(description: "fixture server printed no port: \"\(text)\"")
        }
        return FixtureServer(process: process, input: input, port: port, scheme: certificateChain == nil ? "http" : "https")
    }

    func url(_ pathAndQuery: String) -> String {
        "\(scheme)://127.0.0.1:\(port)\(pathAndQuery)"
    }

    /// Closes the server's standard input and waits up to five seconds for it to exit.
    func stop() {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        if process.isRunning { process.terminate() }
    }
}

/// Fixture servers shared by the tests of one test process, started on first use.
enum SharedFixtures {
    static let plain = Result { try FixtureServer.start() }
    static let proxy = Result { try FixtureServer.start() }
    static let tls = Result { () throws -> (FixtureServer, TLSMaterial) in
        let material = try TLSMaterial.generate()
        let server = try FixtureServer.start(certificateChain: material.chainFile, key: material.serverKeyFile)
        return (server, material)
    }
    static let mutualTLS = Result { () throws -> (FixtureServer, TLSMaterial) in
        let (_, material) = try tls.get()
        let server = try FixtureServer.start(
            certificateChain: material.chainFile,
            key: material.serverKeyFile,
            clientCA: material.caFile
        )
        return (server, material)
    }
}
