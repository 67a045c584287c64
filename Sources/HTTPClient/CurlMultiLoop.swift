import CCurl
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs every transfer of one client on a dedicated thread through one libcurl multi handle,
/// so blocking network work never occupies Swift's cooperative thread pool.
///
/// The multi handle keeps one connection cache and one DNS cache for all its transfers, which
/// gives keep-alive reuse across requests. At most `maxActive` transfers run at once; later ones
/// wait in submission order.
final class CurlMultiLoop: @unchecked Sendable {
    private struct Inbox {
        var submitted: [CurlTransfer] = []
        var stopping = false
    }

    private let multi: UnsafeMutableRawPointer
    private let settings: TransferSettings
    private let maxActive: Int
    private let inbox = Mutex(Inbox())

    // Loop-thread state.
    private var waiting: [CurlTransfer] = []
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var idleHandles: [UnsafeMutableRawPointer] = []

    init?(settings: TransferSettings, maxActive: Int) {
        guard let multi = curl_multi_init() else { return nil }
        self.multi = multi
        self.settings = settings
        self.maxActive = maxActive
        _ = mde_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(8, maxActive * 2))
    }

    /// Starts the loop thread, which keeps the loop alive until `stop()`.
    func start() -> Bool {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let status = pthread_create(&thread, nil, { context in
            let loop = Unmanaged<CurlMultiLoop>.fromOpaque(context!).takeRetainedValue()
            loop.run()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<CurlMultiLoop>.fromOpaque(context).release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    func submit(_ transfer: CurlTransfer) {
        inbox.withLock { $0.submitted.append(transfer) }
        wakeUp()
    }

    /// Interrupts the loop's wait, for new transfers and cancellations.
    func wakeUp() {
        _ = curl_multi_wakeup(multi)
    }

    /// Ends the loop: unfinished transfers fail as cancelled and the handles are freed.
    func stop() {
        inbox.withLock { $0.stopping = true }
        wakeUp()
    }

    private func run() {
        while true {
            let (submitted, stopping) = inbox.withLock { inbox in
                defer { inbox.submitted.removeAll() }
                return (inbox.submitted, inbox.stopping)
            }
            waiting.append(contentsOf: submitted)
            if stopping { break }

            endCancelledTransfers()
            startWaitingTransfers()
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            collectFinishedTransfers()
            startWaitingTransfers()
            _ = curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        shutDown()
    }

    private func startWaitingTransfers() {
        while active.count < maxActive, !waiting.isEmpty {
            let transfer = waiting.removeFirst()
            if transfer.isCancelled {
                transfer.finish(.failure(transfer.failure(.cancelled, "request cancelled")))
                continue
            }
            guard let handle = idleHandles.popLast() ?? curl_easy_init() else {
                transfer.finish(.failure(transfer.failure(.other, "libcurl could not create an easy handle")))
                continue
            }
            if let error = transfer.configure(handle, settings: settings) {
                recycle(handle, reusable: true)
                transfer.finish(.failure(error))
                continue
            }
            let code = curl_multi_add_handle(multi, handle)
            guard code == CURLM_OK else {
                recycle(handle, reusable: false)
                let reason = String(cString: curl_multi_strerror(code))
                transfer.finish(.failure(transfer.failure(.other, "libcurl could not start the transfer: \(reason)")))
                continue
            }
            active[handle] = transfer
        }
    }

    private func collectFinishedTransfers() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            guard let transfer = active.removeValue(forKey: handle) else { continue }
            let result: Result<CurlTransferOutput, HTTPError> =
                code == CURLE_OK ? .success(output(of: transfer, handle: handle))
                : .failure(CurlErrorClassification.error(for: code, transfer: transfer))
            _ = curl_multi_remove_handle(multi, handle)
            recycle(handle, reusable: transfer.purpose == .request)
            transfer.finish(result)
        }
    }

    private func endCancelledTransfers() {
        for (handle, transfer) in active where transfer.isCancelled {
            active.removeValue(forKey: handle)
            _ = curl_multi_remove_handle(multi, handle)
            recycle(handle, reusable: false)
            transfer.finish(.failure(transfer.failure(.cancelled, "request cancelled")))
        }
    }

    private func output(of transfer: CurlTransfer, handle: UnsafeMutableRawPointer) -> CurlTransferOutput {
        var status = 0
        _ = mde_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        let chain = transfer.purpose == .certificateProbe ? certificateChain(of: handle) : []
        return CurlTransferOutput(
            status: status,
            headers: transfer.responseHeaders,
            body: transfer.responseBody,
            connectionRetries: transfer.connectionRetries,
            certificateChainPEM: chain
        )
    }

    /// Reads the PEM certificates that libcurl recorded with CURLOPT_CERTINFO, leaf first.
    private func certificateChain(of handle: UnsafeMutableRawPointer) -> [String] {
        var info: UnsafeMutablePointer<curl_certinfo>?
        guard mde_curl_easy_getinfo_certinfo(handle, CURLINFO_CERTINFO, &info) == CURLE_OK,
            let info, let lists = info.pointee.certinfo
        else { return [] }
        var certificates: [String] = []
        for index in 0..<Int(info.pointee.num_of_certs) {
            var node = lists[index]
            while let entry = node {
                if let data = entry.pointee.data {
                    let field = String(cString: data)
                    if field.hasPrefix("Cert:") { certificates.append(String(field.dropFirst(5))) }
                }
                node = entry.pointee.next
            }
        }
        return certificates
    }

    /// Keeps a handle for the next transfer, or frees it. A reset handle keeps nothing of the
    /// previous transfer's options; connections stay in the multi handle's cache either way.
    private func recycle(_ handle: UnsafeMutableRawPointer, reusable: Bool) {
        if reusable, idleHandles.count < maxActive {
            curl_easy_reset(handle)
            idleHandles.append(handle)
        } else {
            curl_easy_cleanup(handle)
        }
    }

    private func shutDown() {
        for (handle, transfer) in active {
            _ = curl_multi_remove_handle(multi, handle)
            curl_easy_cleanup(handle)
            transfer.finish(.failure(transfer.failure(.cancelled, "HTTP client shut down")))
        }
        active.removeAll()
        for transfer in waiting {
            transfer.finish(.failure(transfer.failure(.cancelled, "HTTP client shut down")))
        }
        waiting.removeAll()
        idleHandles.forEach { curl_easy_cleanup($0) }
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
    }
}
