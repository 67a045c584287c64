extension BulkIndexer {
    /// The final state of a document.
    public enum Outcome: Sendable, Equatable {
        case acknowledged
        case duplicate
        /// Written to the dead-letter file; `errorType` is the item's `error.type` or the
        /// indexer's own reason (`document_too_large`, `max_retry_age_exceeded`, `invalid_document`).
        case deadLettered(errorType: String)
    }

    /// The outcome of the document that carried `token`.
    public struct Resolution: Sendable, Equatable {
        public var token: UInt64
        public var outcome: Outcome

        public init(token: UInt64, outcome: Outcome) {
            self.token = token
            self.outcome = outcome
        }
    }
}
