import BrokerCore
import Foundation
import Synchronization

/// The store port kept in memory, with the same uniqueness and precondition
/// rules as the SQL stores (the conformance suite runs against all of them).
public final class InMemoryStore: AccountStore, RateLimiter, Outbox, Sendable {
    struct Claimed { var message: OutboxMessage; var claimedUntil: Date?; var sentAt: Date? }
    struct State {
        var words: [String: CheckWord] = [:]
        var states: [String: OAuthState] = [:]
        var outbox: [String: Claimed] = [:]
        var accounts: [String: Account] = [:]
        var sessions: [String: Session] = [:]
        var audit: [AuditEvent] = []
        var limits: [String: (start: Date, count: Int)] = [:]
        var appTokens: [String: AppToken] = [:]
        var signingKeys: [SigningKeyRecord] = []
    }

    private let state = Mutex(State())
    private let unavailable = Mutex(false)
    /// How many units were rehearsed (run and rolled back; not those stopped by their gate): the
    /// unknown-identifier path's equal work.
    public let rehearsals = Mutex(0)

    /// While set, every commit fails as a database that is down would (StoreError.unavailable).
    public func setUnavailable(_ down: Bool) { unavailable.withLock { $0 = down } }

    public init() {}

    public func account(id: String) async throws -> Account? { state.withLock { $0.accounts[id] } }
    public func account(login: String) async throws -> Account? {
        state.withLock { s in s.accounts.values.first { $0.login?.lowercased() == login.lowercased() } }
    }
    public func account(email: String) async throws -> Account? { state.withLock { s in s.accounts.values.first { $0.email == email } } }
    public func account(phone: String) async throws -> Account? { state.withLock { s in s.accounts.values.first { $0.phone == phone } } }
    public func account(provider: String, subject: String) async throws -> Account? {
        state.withLock { s in s.accounts.values.first { $0.identities.contains { $0.provider == provider && $0.subject == subject } } }
    }

    public func searchAccounts(_ text: String, limit: Int) async throws -> [Account] {
        let t = text.lowercased()
        return state.withLock { s in
            s.accounts.values.filter { a in
                t.isEmpty || [a.login?.lowercased(), a.email, a.phone].contains { $0?.contains(t) == true }
            }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.prefix(limit).map { $0 }
        }
    }

    public func session(tokenHash: String) async throws -> Session? { state.withLock { $0.sessions[tokenHash] } }

    public func auditEvents(accountId: String, limit: Int) async throws -> [AuditEvent] {
        state.withLock { s in Array(s.audit.filter { $0.accountId == accountId }.sorted { $0.at > $1.at }.prefix(limit)) }
    }

    public func ping() async throws {}

    public func commit(_ changes: [StoreChange]) async throws {
        if unavailable.withLock({ $0 }) { throw StoreError.unavailable("in-memory store set unavailable") }
        try state.withLock { s in
            var copy = s
            for change in changes { try Self.apply(change, &copy) }
            s = copy
        }
    }

    public func commit(_ changes: [StoreChange], behind gate: UnitGate, rehearsal: Bool) async throws -> GateOutcome {
        if unavailable.withLock({ $0 }) { throw StoreError.unavailable("in-memory store set unavailable") }
        let outcome = try state.withLock { s -> GateOutcome in
            for limit in gate.limits {
                let count = Self.hit(&s, key: limit.key, window: limit.window, now: gate.now)
                if count.count > limit.limit { return .refused(count) }
            }
            var copy = s  // what follows the counts: should it fail, the counts stay
            if let window = gate.window, Self.hit(&copy, key: window.key, window: window.seconds, now: gate.now).count > 1 {
                s = copy
                return .windowTaken
            }
            for key in gate.resets { copy.limits[key] = nil }
            for key in gate.marks { copy.limits[key] = (gate.now, 0) }
            var applied = copy
            for change in changes { try Self.apply(change, &applied) }
            s = rehearsal ? copy : applied
            return .passed
        }
        if rehearsal, outcome == .passed { rehearsals.withLock { $0 += 1 } }
        return outcome
    }

    static func apply(_ change: StoreChange, _ s: inout State) throws {
        switch change {
        case .insertAccount(let a):
            guard s.accounts[a.id] == nil else { throw StoreError.conflict(field: "id") }
            try checkUnique(a, in: s)
            for i in a.identities where s.accounts.values.contains(where: { $0.identities.contains { $0.provider == i.provider && $0.subject == i.subject } }) {
                throw StoreError.conflict(field: "identity")
            }
            s.accounts[a.id] = a
        case .updateAccount(let a):
            guard var stored = s.accounts[a.id], stored.version == a.version else { throw StoreError.stale }
            try checkUnique(a, in: s)
            let identities = stored.identities
            stored = a
            stored.identities = identities
            stored.version += 1
            s.accounts[a.id] = stored
        case .deleteAccount(let id):
            guard s.accounts.removeValue(forKey: id) != nil else { throw StoreError.stale }
            s.sessions = s.sessions.filter { $0.value.accountId != id }
            s.words = s.words.filter { $0.value.accountId != id }
            s.appTokens = s.appTokens.filter { $0.value.accountId != id }
        case .insertIdentity(let accountId, let identity):
            guard s.accounts[accountId] != nil else { throw StoreError.stale }
            if s.accounts.values.contains(where: { $0.identities.contains { $0.provider == identity.provider && $0.subject == identity.subject } }) {
                throw StoreError.conflict(field: "identity")
            }
            s.accounts[accountId]?.identities.append(identity)
        case .deleteIdentity(let accountId, let provider, let subject):
            guard let index = s.accounts[accountId]?.identities.firstIndex(where: { $0.provider == provider && $0.subject == subject }) else {
                throw StoreError.stale
            }
            s.accounts[accountId]?.identities.remove(at: index)
        case .insertSession(let session):
            guard s.accounts[session.accountId] != nil else { throw StoreError.stale }
            s.sessions[session.tokenHash] = session
        case .revokeSessions(let accountId, let except, let at):
            for (hash, session) in s.sessions where session.accountId == accountId && session.revokedAt == nil && hash != except {
                s.sessions[hash]?.revokedAt = at
            }
        case .revokeSession(let tokenHash, let at):
            if s.sessions[tokenHash]?.revokedAt == nil { s.sessions[tokenHash]?.revokedAt = at }
        case .insertAudit(let event):
            s.audit.append(event)
        case .insertCheckWord(let w):
            guard s.accounts[w.accountId] != nil else { throw StoreError.stale }
            s.words[w.id] = w
        case .revokeCheckWords(let accountId, let purposes, let at):
            for (id, w) in s.words where w.accountId == accountId && purposes.contains(w.purpose) && w.usedAt == nil && w.revokedAt == nil {
                s.words[id]?.revokedAt = at
            }
        case .consumeCheckWord(let id, let at):
            guard let w = s.words[id], w.usedAt == nil, w.revokedAt == nil else { throw StoreError.stale }
            s.words[id]?.usedAt = at
        case .countCodeFailure(let id, let maxAttempts, let at):
            guard let w = s.words[id], w.usedAt == nil, w.revokedAt == nil else { return }
            s.words[id]?.attempts += 1
            if w.attempts + 1 >= maxAttempts { s.words[id]?.revokedAt = at }
        case .enqueueMessage(let m):
            s.outbox[m.id] = Claimed(message: m)
        case .insertOAuthState(let o):
            s.states[o.id] = o
        case .consumeOAuthState(let id, let at):
            guard s.states[id]?.usedAt == nil, s.states[id] != nil else { throw StoreError.stale }
            s.states[id]?.usedAt = at
        case .insertAppToken(let token):
            guard s.accounts[token.accountId] != nil, s.appTokens[token.hash] == nil else { throw StoreError.stale }
            s.appTokens[token.hash] = token
        case .consumeAppToken(let hash, let at):
            guard let token = s.appTokens[hash], token.usedAt == nil, token.revokedAt == nil else { throw StoreError.stale }
            s.appTokens[hash]?.usedAt = at
        case .revokeAppGrant(let grantId, let at):
            for (hash, token) in s.appTokens where token.grantId == grantId && token.revokedAt == nil { s.appTokens[hash]?.revokedAt = at }
        case .insertSigningKey(let key):
            guard !s.signingKeys.contains(where: { $0.kid == key.kid || (key.retiredAt == nil && $0.retiredAt == nil) }) else {
                throw StoreError.conflict(field: "signing_key")
            }
            s.signingKeys.append(key)
        case .retireSigningKeys(let kid, let at, let listedUntil):
            for i in s.signingKeys.indices where s.signingKeys[i].kid != kid && s.signingKeys[i].retiredAt == nil {
                s.signingKeys[i].retiredAt = at
                s.signingKeys[i].listedUntil = listedUntil
            }
        }
    }

    static func checkUnique(_ a: Account, in s: State) throws {
        for other in s.accounts.values where other.id != a.id {
            if let l = a.login, other.login?.lowercased() == l.lowercased() { throw StoreError.conflict(field: "login") }
            if let e = a.email, other.email == e { throw StoreError.conflict(field: "email") }
            if let p = a.phone, other.phone == p { throw StoreError.conflict(field: "phone") }
        }
    }

    public func checkWord(secretHash: String) async throws -> CheckWord? {
        state.withLock { s in s.words.values.first { $0.secretHash == secretHash } }
    }

    public func latestCheckWord(accountId: String, purpose: CheckWordPurpose, kind: CheckWord.Kind) async throws -> CheckWord? {
        state.withLock { s in
            s.words.values.filter { $0.accountId == accountId && $0.purpose == purpose && $0.kind == kind }
                .max { ($0.isOpen ? 1 : 0, $0.createdAt, $0.id) < ($1.isOpen ? 1 : 0, $1.createdAt, $1.id) }
        }
    }

    public func oauthState(stateHash: String) async throws -> OAuthState? {
        state.withLock { s in s.states.values.first { $0.stateHash == stateHash } }
    }

    public func appToken(hash: String) async throws -> AppToken? { state.withLock { $0.appTokens[hash] } }

    public func signingKeys() async throws -> [SigningKeyRecord] { state.withLock { $0.signingKeys } }

    public func existingKeys(
        logins: [String], emails: [String], phones: [String], identities: [(provider: String, subject: String)]
    ) async throws -> Set<String> {
        state.withLock { s in
            var found = Set<String>()
            for a in s.accounts.values {
                if let l = a.login?.lowercased(), logins.contains(where: { $0.lowercased() == l }) { found.insert("login:" + l) }
                if let e = a.email, emails.contains(e) { found.insert("email:" + e) }
                if let p = a.phone, phones.contains(p) { found.insert("phone:" + p) }
                for i in a.identities where identities.contains(where: { $0.provider == i.provider && $0.subject == i.subject }) {
                    found.insert("identity:" + i.provider + " " + i.subject)
                }
            }
            return found
        }
    }

    public func accountsPage(after: String?, limit: Int) async throws -> [Account] {
        state.withLock { s in Array(s.accounts.values.filter { $0.id > (after ?? "") }.sorted { $0.id < $1.id }.prefix(limit)) }
    }

    public func claimMessages(limit: Int, now: Date, lease: Int) async throws -> [OutboxMessage] {
        state.withLock { s in
            let due = s.outbox.values.filter {
                $0.message.state == .pending && $0.message.nextAttemptAt <= now && ($0.claimedUntil ?? .distantPast) <= now
            }.sorted { ($0.message.nextAttemptAt, $0.message.createdAt) < ($1.message.nextAttemptAt, $1.message.createdAt) }.prefix(limit)
            let until = now.addingTimeInterval(TimeInterval(lease))
            for c in due { s.outbox[c.message.id]?.claimedUntil = until }
            return due.map { var m = $0.message; m.claimedUntil = until; return m }
        }
    }

    public func markSent(ids: [String], at: Date) async throws {
        for id in ids { try await markSent(id: id, at: at) }
    }

    public func markSent(id: String, at: Date) async throws {
        state.withLock { s in
            s.outbox[id]?.message.state = .sent
            s.outbox[id]?.sentAt = at
            s.outbox[id]?.claimedUntil = nil
        }
    }

    public func markFailed(id: String, claimedUntil: Date?, error: String, retryAt: Date, dead: Bool) async throws {
        state.withLock { s in
            guard s.outbox[id]?.message.state == .pending, let claim = claimedUntil, s.outbox[id]?.claimedUntil == claim else { return }
            s.outbox[id]?.message.attempts += 1
            s.outbox[id]?.message.lastError = error
            s.outbox[id]?.message.nextAttemptAt = retryAt
            s.outbox[id]?.message.state = dead ? .dead : .pending
            s.outbox[id]?.claimedUntil = nil
        }
    }

    public func messages(accountId: String, limit: Int) async throws -> [OutboxMessage] {
        state.withLock { s in
            Array(s.outbox.values.map(\.message).filter { $0.accountId == accountId }.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }.prefix(limit))
        }
    }

    public func undelivered(limit: Int) async throws -> [OutboxMessage] {
        state.withLock { s in
            Array(s.outbox.values.map(\.message).filter { $0.state != .sent }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.prefix(limit))
        }
    }

    public func retry(id: String, now: Date) async throws -> Bool {
        state.withLock { s in
            guard let m = s.outbox[id]?.message, m.state != .sent else { return false }
            s.outbox[id]?.message.state = .pending
            s.outbox[id]?.message.attempts = 0
            s.outbox[id]?.message.nextAttemptAt = now
            s.outbox[id]?.claimedUntil = nil
            return true
        }
    }

    public func hit(key: String, window: Int, now: Date) async throws -> RateCount {
        state.withLock { s in Self.hit(&s, key: key, window: window, now: now) }
    }

    static func hit(_ s: inout State, key: String, window: Int, now: Date) -> RateCount {
        var entry = s.limits[key] ?? (now, 0)
        if entry.start.addingTimeInterval(TimeInterval(window)) <= now { entry = (now, 0) }
        entry.count += 1
        s.limits[key] = entry
        return RateCount(count: entry.count, resetAt: entry.start.addingTimeInterval(TimeInterval(window)))
    }

    public func started(key: String) async throws -> (start: Date, count: Int)? {
        state.withLock { s in s.limits[key].map { ($0.start, $0.count) } }
    }

    public func peek(key: String, window: Int, now: Date) async throws -> RateCount {
        state.withLock { s in
            guard let entry = s.limits[key], entry.start.addingTimeInterval(TimeInterval(window)) > now else {
                return RateCount(count: 0, resetAt: now.addingTimeInterval(TimeInterval(window)))
            }
            return RateCount(count: entry.count, resetAt: entry.start.addingTimeInterval(TimeInterval(window)))
        }
    }

    public func reset(key: String) async throws { state.withLock { _ = $0.limits.removeValue(forKey: key) } }

    public func release(key: String) async throws {
        state.withLock { s in
            if var entry = s.limits[key], entry.count > 0 {
                entry.count -= 1
                s.limits[key] = entry
            }
        }
    }
}
