import BrokerCore
import Hummingbird
import Synchronization

/// The JSON of `GET /api/v1/session` per session, kept while the session and its account stay
/// exactly as they were encoded. An app asks "who is this?" on every page view, and encoding the
/// account document was a fifth of the broker's time on that route; a hit costs one dictionary
/// lookup and two `==`. The entry is keyed by the token's hash and checked against the values the
/// session cache just returned, so a change to the account or the session is never served stale.
final class EncodedAnswers: Sendable {
    struct Entry {
        var session: Session
        var account: Account
        var body: ByteBuffer
    }

    private let entries = Mutex<[String: Entry]>([:])
    let capacity: Int

    init(capacity: Int = 4096) { self.capacity = capacity }

    /// The cached body for exactly this session and account, else `encode()`'s, remembered.
    func body(session: Session, account: Account, encode: () throws -> ByteBuffer) rethrows -> ByteBuffer {
        if let hit = entries.withLock({ $0[session.tokenHash] }), hit.session == session, hit.account == account { return hit.body }
        let body = try encode()
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[session.tokenHash] = Entry(session: session, account: account, body: body)
        }
        return body
    }
}
