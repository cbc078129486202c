import Foundation

/// Password sign-in and the sessions it creates.
public struct SignInFlow: Sendable {
    let ports: BrokerPorts
    let security: SecuritySettings
    let limits: RateLimitSettings
    /// A hash of a random password, verified when the login is unknown so both cases cost the same.
    let decoyHash: String

    public init(ports: BrokerPorts, security: SecuritySettings, limits: RateLimitSettings, decoyHash: String) {
        self.ports = ports
        self.security = security
        self.limits = limits
        self.decoyHash = decoyHash
    }

    /// Signs in with a login name, email or phone and a password. Unknown logins,
    /// missing passwords and wrong passwords give the same answer.
    public func signIn(identifier rawIdentifier: String, password: Secret, clientAddress: String?) async throws -> IssuedSession {
        guard !rawIdentifier.trimmingWhitespace().isEmpty else {
            throw BrokerError.invalidRequest(field: "login", reason: "must not be empty")
        }
        guard !password.value.isEmpty else { throw BrokerError.invalidRequest(field: "password", reason: "must not be empty") }
        let now = ports.clock.now()
        let window = limits.windowSeconds
        let addressKey = clientAddress.map { "login:addr:" + $0 }
        if let limit = limits.limit(limits.loginPerAddress), let addressKey {
            let count = try await ports.rateLimiter.peek(key: addressKey, window: window, now: now)
            if count.count >= limit { throw BrokerError.tooManyAttempts(retryAfter: count.retryAfter(now: now)) }
        }

        let identifier = try? IdentifierPolicy.classify(rawIdentifier, field: "login")
        let account = try await identifier.asyncFlatMap { try await ports.store.account(identifiedBy: $0)?.account }
        let accountKey = account.map { "login:acct:" + $0.id } ?? "login:ident:" + (identifier?.key ?? rawIdentifier.lowercased())
        if let limit = limits.limit(limits.loginPerAccount) {
            let count = try await ports.rateLimiter.peek(key: accountKey, window: window, now: now)
            if count.count >= limit { throw BrokerError.tooManyAttempts(retryAfter: count.retryAfter(now: now)) }
        }

        let check = try await ports.hasher.verify(password, against: account?.passwordHash ?? decoyHash)
        guard let account, account.passwordHash != nil, case .match(let needsRehash) = check else {
            if limits.enabled {
                _ = try await ports.rateLimiter.hit(key: accountKey, window: window, now: now)
                if let addressKey { _ = try await ports.rateLimiter.hit(key: addressKey, window: window, now: now) }
            }
            throw BrokerError.invalidCredentials
        }
        guard account.state == .active else { throw BrokerError.accountBlocked }
        if limits.enabled { try await ports.rateLimiter.reset(key: accountKey) }

        var changes: [StoreChange] = []
        var signedIn = account
        if needsRehash {
            signedIn.passwordHash = try await ports.hasher.hash(password)
            signedIn.updatedAt = now
            changes.append(.updateAccount(signedIn))
            signedIn.version += 1
        }
        let issued = newSession(for: signedIn, methods: ["password"], now: now)
        changes.append(.insertSession(issued.session))
        changes.append(ports.audit("signed_in", account: account.id, actor: "user", ["method": "password", "address": clientAddress ?? ""]))
        do {
            try await ports.commit(changes)
        } catch StoreError.stale where needsRehash {
            // Someone changed the account meanwhile; sign in without the upgrade, it happens next time.
            try await ports.commit(Array(changes.dropFirst()))
            return IssuedSession(token: issued.token, session: issued.session, account: account)
        }
        return issued
    }

    /// The live session a token names, with its account.
    public func current(token: String) async throws -> (Session, Account) {
        guard !token.isEmpty, token.utf8.count <= 512,
              let session = try await ports.store.session(tokenHash: TokenHash.of(token)),
              session.isLive(at: ports.clock.now()),
              let account = try await ports.store.account(id: session.accountId),
              account.state == .active
        else { throw BrokerError.unauthenticated }
        return (session, account)
    }

    /// Ends the session a token names; unknown tokens are ignored.
    public func signOut(token: String) async throws {
        guard !token.isEmpty, token.utf8.count <= 512 else { return }
        try await ports.commit([.revokeSession(tokenHash: TokenHash.of(token), at: ports.clock.now())])
    }

    /// A new session for `account`; the caller commits `session`.
    public func newSession(for account: Account, methods: [String], now: Date) -> IssuedSession {
        let token = ports.tokens.token(bytes: 32)
        let session = Session(
            id: ports.tokens.identifier(), tokenHash: TokenHash.of(token), accountId: account.id, createdAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(security.sessionTTLSeconds)), authenticatedAt: now, methods: methods
        )
        return IssuedSession(token: token, session: session, account: account)
    }

}

/// A session with the only copy of its token, which goes to the client and nowhere else.
public struct IssuedSession: Sendable {
    public var token: String
    public var session: Session
    public var account: Account
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        switch self {
        case .some(let value): try await transform(value)
        case .none: nil
        }
    }
}
