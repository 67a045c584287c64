import CCurl

/// libcurl's process-wide initialisation, which must happen once before any handle exists and
/// is not itself thread-safe: a static `let` runs it exactly once under Swift's lazy-global lock.
enum CurlGlobal {
    private static let initResult: CURLcode = curl_global_init(MDE_CURL_GLOBAL_DEFAULT)

    /// Initialises libcurl on first use; returns whether it succeeded.
    static func initialize() -> Bool {
        initResult == CURLE_OK
    }

}
