import CCurl

/// libcurl's process-wide initialisation, which must run before the first handle is created.
/// `curl_global_init` is thread-safe only from libcurl 7.84 on, so a static `let` runs it exactly
/// once: Swift initialises static properties lazily under a once-lock.
enum CurlGlobal {
    private static let initResult: CURLcode = curl_global_init(MDE_CURL_GLOBAL_DEFAULT)

    /// Initialises libcurl on first use; returns whether it succeeded.
    static func initialize() -> Bool {
        initResult == CURLE_OK
    }

}
