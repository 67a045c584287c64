import CCurl

/// Client-wide options that every transfer applies to its easy handle.
struct TransferSettings: Sendable {
    var connectTimeout: Duration
    var userAgent: String
    var proxy: String?
    var noProxy: String
    var tls: TLSConfiguration
}

/// Applies options to an easy handle and stops at the first one libcurl rejects.
struct EasyHandleOptions {
    let handle: UnsafeMutableRawPointer
    let transfer: CurlTransfer
    private(set) var failure: HTTPError?

    init(handle: UnsafeMutableRawPointer, transfer: CurlTransfer) {
        self.handle = handle
        self.transfer = transfer
    }

    mutating func set(_ option: CURLoption, _ name: String, long value: Int) {
        check(mde_curl_easy_setopt_long(handle, option, value), name)
    }

    mutating func set(_ option: CURLoption, _ name: String, offset value: Int) {
        check(mde_curl_easy_setopt_off_t(handle, option, curl_off_t(value)), name)
    }

    /// libcurl copies string options, so the C string only has to live for the call.
    mutating func set(_ option: CURLoption, _ name: String, string value: String?) {
        guard let value else {
            check(mde_curl_easy_setopt_string(handle, option, nil), name)
            return
        }
        check(mde_curl_easy_setopt_string(handle, option, value), name)
    }

    mutating func set(_ option: CURLoption, _ name: String, pointer value: UnsafeMutableRawPointer?) {
        check(mde_curl_easy_setopt_pointer(handle, option, value), name)
    }

    mutating func setCopiedBlob(_ option: CURLoption, _ name: String, bytes: [UInt8]) {
        var bytes = bytes
        let code = bytes.withUnsafeMutableBytes { raw in
            var blob = curl_blob(data: raw.baseAddress, len: raw.count, flags: UInt32(CURL_BLOB_COPY))
            return mde_curl_easy_setopt_blob(handle, option, &blob)
        }
        check(code, name)
    }

    mutating func setHeaders(_ list: UnsafeMutablePointer<curl_slist>?) {
        check(mde_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list), "CURLOPT_HTTPHEADER")
    }

    mutating func setCallbacks() {
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        check(mde_curl_easy_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            // Returning fewer bytes than offered makes libcurl abort with CURLE_WRITE_ERROR.
            return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
        }, "CURLOPT_WRITEFUNCTION")
        set(CURLOPT_WRITEDATA, "CURLOPT_WRITEDATA", pointer: context)
        check(mde_curl_easy_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
            return length
        }, "CURLOPT_HEADERFUNCTION")
        set(CURLOPT_HEADERDATA, "CURLOPT_HEADERDATA", pointer: context)
        // The pre-request callback only counts resends, so a libcurl older than 7.80.0 that
        // rejects the option does not fail the request, and `connectionRetries` then stays 0.
        _ = mde_curl_easy_setopt_prereq_callback(handle, CURLOPT_PREREQFUNCTION) { context, _, _, _, _ in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            transfer.requestsStarted += 1
            return CURL_PREREQFUNC_OK
        }
        _ = mde_curl_easy_setopt_pointer(handle, CURLOPT_PREREQDATA, context)
    }

    private mutating func check(_ code: CURLcode, _ name: String) {
        guard code != CURLE_OK, failure == nil else { return }
        let reason = String(cString: curl_easy_strerror(code))
        failure = transfer.failure(.other, "libcurl rejected option \(name): \(reason)")
    }
}

/// Whole milliseconds, rounded up so that a positive duration never becomes libcurl's 0 (no limit).
func milliseconds(_ duration: Duration) -> Int {
    let (seconds, attoseconds) = duration.components
    let fraction = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    return max(1, Int(seconds) * 1000 + Int(fraction))
}
