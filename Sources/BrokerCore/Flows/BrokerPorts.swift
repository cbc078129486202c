import Foundation

/// The adapters a flow talks to, passed in whole so tests can swap any of them.
public struct BrokerPorts: Sendable {
    public var store: any AccountStore
    public var rateLimiter: any RateLimiter
    public var hasher: any PasswordHasher
    public var clock: any WallClock
    public var tokens: any TokenGenerator
    /// Live sessions kept in memory; nil reads every session from the store.
    public var sessions: SessionCache?

    public init(
        store: any AccountStore, rateLimiter: any RateLimiter, hasher: any PasswordHasher,
        clock: any WallClock = SystemWallClock(), tokens: any TokenGenerator = SecureTokenGenerator(), sessions: SessionCache? = nil
    ) {
        self.sessions = sessions
        self.store = store
        self.rateLimiter = rateLimiter
        self.hasher = hasher
        self.clock = clock
        self.tokens = tokens
    }

    /// Runs `changes` and turns the store's refusals into the flows' errors.
    func commit(_ changes: [StoreChange]) async throws {
        do {
            try await store.commit(changes)
            sessions?.invalidate(for: changes)
        } catch StoreError.conflict(let field) {
            throw BrokerError.conflict(field: field)
        }
    }

    /// Runs `changes` behind `gate` (its counts taken first, with the unit) and turns the store's
    /// refusals into the flows' errors: past a limit 429 `too_many_requests`; false when the gate's
    /// window was already open (nothing changed); true when the changes were committed or rehearsed.
    func commit(_ changes: [StoreChange], behind gate: UnitGate, rehearsal: Bool = false) async throws -> Bool {
        let outcome: GateOutcome
        do {
            outcome = try await store.commit(changes, behind: gate, rehearsal: rehearsal)
        } catch StoreError.conflict(let field) {
            throw BrokerError.conflict(field: field)
        }
        switch outcome {
        case .passed:
            if !rehearsal { sessions?.invalidate(for: changes) }
            return true
        case .windowTaken:
            return false
        case .refused(let count):
            throw BrokerError.tooManyRequests(retryAfter: count.retryAfter(now: gate.now))
        }
    }

    /// A new session for `account`, with the only copy of its token; the caller commits it.
    func newSession(for account: Account, methods: [String], now: Date, ttlSeconds: Int) -> IssuedSession {
        let token = tokens.token(bytes: 32)
        let session = Session(
            id: tokens.identifier(), tokenHash: TokenHash.of(token), accountId: account.id, createdAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(ttlSeconds)), authenticatedAt: now, methods: methods
        )
        return IssuedSession(token: token, session: session, account: account)
    }

    var links: LinkCheck { LinkCheck(ports: self) }

    func words(_ secrets: CheckWordSecrets) -> WordIssuer { WordIssuer(ports: self, secrets: secrets) }

    func audit(_ type: String, account: String?, actor: String, _ detail: [String: String] = [:]) -> StoreChange {
        .insertAudit(AuditEvent(id: tokens.identifier(), accountId: account, type: type, actor: actor, detail: detail, at: clock.now()))
    }
}
