import MDECore
import Testing

@Test func sha256MatchesKnownVector() {
    #expect(SHA256.hexDigest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
}

@Test(arguments: [
    ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
])
func base64EncodesVectors(plain: String, encoded: String) {
    #expect(Base64.encode(Array(plain.utf8)) == encoded)
    #expect(Base64.decode(encoded) == Array(plain.utf8))
}

@Test func base64URLSafeOmitsPaddingAndSymbols() {
    let bytes: [UInt8] = [0xFB, 0xFF, 0xBF]
    #expect(Base64.encode(bytes) == "+/+/")
    #expect(Base64.encodeURLSafe(bytes) == "-_-_")
    #expect(Base64.encodeURLSafe([0xFB]) == "-w")
}

@Test(arguments: ["a", "ab!c", "Zm9v*"])
func base64RejectsInvalid(text: String) {
    #expect(Base64.decode(text) == nil)
}

@Test func hexRoundTrips() {
    #expect(Hex.encode([0x00, 0xAB, 0xFF]) == "00abff")
    #expect(Hex.decode("00ABff") == [0x00, 0xAB, 0xFF])
    #expect(Hex.decode("abc") == nil)
    #expect(Hex.decode("zz") == nil)
}

@Test func loggerWritesJSONFields() throws {
    let sink = LogSink.memory(format: .json)
    let logger = Logger(sink: sink).with([("tenant", "t1")])
    logger.info("page fetched", [("http.status", .int(200)), ("alerts", 3)])
    logger.debug("hidden")
    let line = try #require(sink.lines.first)
    let value = try JSONParser.parse(line)
    #expect(sink.lines.count == 1)
    #expect(value["message"] == "page fetched")
    #expect(value["log.level"] == "info")
    #expect(value["tenant"] == "t1")
    #expect(value["http.status"] == 200)
}

@Test func loggerQuotesTextValues() throws {
    let sink = LogSink.memory(format: .text)
    Logger(sink: sink).warning("retrying", [("reason", "timed out")])
    let line = try #require(sink.lines.first)
    #expect(line.hasSuffix("WARN retrying reason=\"timed out\""))
}
