import CZlib

/// gzip (RFC 1952) compression through zlib.
public enum Gzip {
    /// A zlib failure, with zlib's return code.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var operation: String
        public var code: Int32

        public var description: String {
            "gzip \(operation) failed with zlib code \(code)"
        }
    }

    /// Compresses `bytes` into one gzip member at `level` (1 fastest to 9 smallest; 0 stores).
    public static func compress(_ bytes: [UInt8], level: Int) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        var status = mde_deflate_init_gzip(&stream, Int32(level))
        guard status == Z_OK else { throw Failure(operation: "compression setup", code: status) }
        defer { deflateEnd(&stream) }

        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
        var input = bytes
        let produced = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                // The output has room for deflateBound bytes, so one Z_FINISH call completes the stream.
                status = deflate(&stream, Z_FINISH)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        guard status == Z_STREAM_END else { throw Failure(operation: "compression", code: status) }
        output.removeSubrange(produced...)
        return output
    }

    /// Decompresses gzip or zlib data, including several concatenated gzip members.
    public static func decompress(_ bytes: [UInt8]) throws(Failure) -> [UInt8] {
        var output: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            let (member, consumed) = try decompressMember(bytes, from: offset)
            output.append(contentsOf: member)
            offset += consumed
        }
        return output
    }

    private static func decompressMember(_ bytes: [UInt8], from offset: Int) throws(Failure) -> ([UInt8], Int) {
        var stream = z_stream()
        var status = mde_inflate_init_auto(&stream)
        guard status == Z_OK else { throw Failure(operation: "decompression setup", code: status) }
        defer { inflateEnd(&stream) }

        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var input = Array(bytes[offset...])
        let consumed = input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return outBuffer.count - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk[..<produced])
            } while status == Z_OK
            return inBuffer.count - Int(stream.avail_in)
        }
        guard status == Z_STREAM_END else { throw Failure(operation: "decompression", code: status) }
        return (output, consumed)
    }
}
