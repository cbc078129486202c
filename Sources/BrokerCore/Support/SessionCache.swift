import Foundation
import Synchronization

/// Live sessions served from memory: `GET /api/v1/session` and every authenticated request
/// read a session and its account, which is two reads of the store; here they are one lookup.
///
/// An entry dies at once when this instance writes anything that revokes the session or
/// changes its account (`BrokerPorts.commit` tells the cache), and by age after `ttl` in any
/// case, which bounds how long a change made elsewhere (another instance on PostgreSQL, the
/// CLI on the same SQLite file) can take to be seen here. Expiry and account state are
/// checked on every read, against the clock port, as without the cache.
public final class SessionCache: Sendable {
    struct Entry {
        var session: Session
        var account: Account
        var storedAt: ContinuousClock.Instant
    }

    let entries = Mutex<[String: Entry]>([:])
    public let ttl: Duration
    let capacity: Int

    public init(ttl: Duration = .seconds(2), capacity: Int = 10_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    func get(tokenHash: String) -> (Session, Account)? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[tokenHash] else { return nil }
            guard now - entry.storedAt < ttl else {
                entries.removeValue(forKey: tokenHash)
                return nil
            }
            return (entry.session, entry.account)
        }
    }

    func put(tokenHash: String, session: Session, account: Account) {
        let now = ContinuousClock.now
        entries.withLock { entries in
            if entries.count >= capacity {
                // Full: drop what has aged out, and if that frees nothing, start over.
                entries = entries.filter { now - $0.value.storedAt < ttl }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[tokenHash] = Entry(session: session, account: account, storedAt: now)
        }
    }

    /// Forgets what `changes` make stale: revoked sessions, and every session of an account that changed.
    func invalidate(for changes: [StoreChange]) {
        var accounts = Set<String>()
        var tokens = Set<String>()
        for change in changes {
            switch change {
            case .revokeSessions(let accountId, _, _), .deleteAccount(let accountId), .insertIdentity(let accountId, _),
                 .deleteIdentity(let accountId, _, _):
                accounts.insert(accountId)
            case .updateAccount(let account):
                accounts.insert(account.id)
            case .revokeSession(let tokenHash, _):
                tokens.insert(tokenHash)
            case .insertAccount, .insertSession, .insertAudit, .insertCheckWord, .revokeCheckWords, .consumeCheckWord, .countCodeFailure,
                 .enqueueMessage, .insertOAuthState, .consumeOAuthState, .insertAppToken, .consumeAppToken, .revokeAppGrant,
                 .insertSigningKey, .retireSigningKeys:
                break
            }
        }
        guard !accounts.isEmpty || !tokens.isEmpty else { return }
        entries.withLock { entries in
            for token in tokens { entries.removeValue(forKey: token) }
            if !accounts.isEmpty { entries = entries.filter { !accounts.contains($0.value.account.id) } }
        }
    }
}
