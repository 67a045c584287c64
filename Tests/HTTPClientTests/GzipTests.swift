@testable import HTTPClient
import Testing

@Suite struct GzipTests {
    @Test(arguments: [0, 1, 6, 9])
    func gzipRoundTripAtLevel(level: Int) throws {
        let text = Array(String(repeating: "{\"create\":{}}\n{\"a\":1}\n", count: 500).utf8)
        let compressed = try Gzip.compress(text, level: level)
        #expect(try Gzip.decompress(compressed) == text)
    }

    @Test func gzipOutputHasGzipMagic() throws {
        let compressed = try Gzip.compress(Array("hello".utf8), level: 1)
        #expect(Array(compressed.prefix(2)) == [0x1F, 0x8B])
    }

    @Test func gzipCompressesRepetitiveInput() throws {
        let text = [UInt8](repeating: UInt8(ascii: "x"), count: 100_000)
        let compressed = try Gzip.compress(text, level: 1)
        #expect(compressed.count < 2_000)
    }

    @Test func gzipRoundTripEmptyInput() throws {
        let compressed = try Gzip.compress([], level: 1)
        #expect(try Gzip.decompress(compressed) == [])
    }

    @Test func gzipDecompressesConcatenatedMembers() throws {
        let first = try Gzip.compress(Array("abc".utf8), level: 1)
        let second = try Gzip.compress(Array("def".utf8), level: 9)
        #expect(try Gzip.decompress(first + second) == Array("abcdef".utf8))
    }

    @Test func gzipRejectsTruncatedInput() throws {
        let compressed = try Gzip.compress(Array(String(repeating: "data ", count: 100).utf8), level: 1)
        #expect(throws: Gzip.Failure.self) {
            try Gzip.decompress(Array(compressed.dropLast(10)))
        }
    }
}
