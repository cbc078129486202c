import Foundation

/// Password sign-in and the sessions it creates.
public struct SignInFlow: Sendable {
    let ports: BrokerPorts
    public let security: SecuritySettings
    let limits: RateLimitSettings
    /// A hash of a random password, verified when the login is unknown so both cases cost the same.
    let decoyHash: String
    var throttle: Throttle { ports.throttle(limits) }

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
            throw BrokerError.invalidRequest(field: "login", reason: .empty)
        }
        guard !password.value.isEmpty else { throw BrokerError.invalidRequest(field: "password", reason: .empty) }
        // An identifier that cannot name an account (no login name, email or phone) is 400
        // `invalid_request` naming `login`, refused before any lookup: it never becomes a
        // rate-limit key or any other stored row. Its shape alone tells nothing of accounts.
        let identifier = try IdentifierPolicy.classify(rawIdentifier, field: "login")
        let account = try await ports.store.account(identifiedBy: identifier)?.account
        // Counted before the password is checked: a burst of guesses gets no more checks than the limit,
        // and a refused one costs no hashing.
        let ticket = try await throttle.admitSignIn(account: account, identifier: identifier, clientAddress: clientAddress)
        let check = try await ports.hasher.verify(password, against: account?.passwordHash ?? decoyHash)
        guard let account, account.passwordHash != nil, case .match(let needsRehash) = check else {
            throw BrokerError.invalidCredentials
        }
        guard account.state == .active else { throw BrokerError.accountBlocked }
        await ticket.release()  // a right password is no failure

        let now = ports.clock.now()
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
        guard !token.isEmpty, token.utf8.count <= 512 else { throw BrokerError.unauthenticated }
        return try await current(tokenHash: TokenHash.of(token))
    }

    /// The live session whose token hashes to `hash` (an app's tokens name their session so).
    public func current(tokenHash hash: String) async throws -> (Session, Account) {
        let found: (Session, Account)?
        if let cached = ports.sessions?.get(tokenHash: hash) {
            found = cached
        } else if let session = try await ports.store.session(tokenHash: hash), let account = try await ports.store.account(id: session.accountId) {
            ports.sessions?.put(tokenHash: hash, session: session, account: account)
            found = (session, account)
        } else {
            found = nil
        }
        guard let (session, account) = found, session.isLive(at: ports.clock.now()), account.state == .active else {
            throw BrokerError.unauthenticated
        }
        return (session, account)
    }

    /// Ends the session a token names; unknown tokens are ignored.
    public func signOut(token: String) async throws {
        guard !token.isEmpty, token.utf8.count <= 512 else { return }
        try await ports.commit([.revokeSession(tokenHash: TokenHash.of(token), at: ports.clock.now())])
    }

    /// Checks the password of a known account as a sign-in attempt of it (the link-proof page).
    public func verifyPassword(_ password: Secret, of account: Account, clientAddress: String?) async throws -> Bool {
        try await throttle.checkPassword(password, of: account, hasher: ports.hasher, clientAddress: clientAddress)
    }

    /// A new session for `account`; the caller commits `session`.
    public func newSession(for account: Account, methods: [String], now: Date) -> IssuedSession {
        ports.newSession(for: account, methods: methods, now: now, ttlSeconds: security.sessionTTLSeconds)
    }

}

/// A session with the only copy of its token, which goes to the client and nowhere else.
public struct IssuedSession: Sendable {
    public var token: String
    public var session: Session
    public var account: Account
}
