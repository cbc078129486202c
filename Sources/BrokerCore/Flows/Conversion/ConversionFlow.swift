import Foundation

/// The other half of the mission: a social account attaches an email (or phone),
/// sets a login name and a password, and stops depending on its provider.
/// Every step is self-service on a session and writes an audit event.
public struct ConversionFlow: Sendable {
    let ports: BrokerPorts
    let security: SecuritySettings
    let recovery: RecoverySettings
    let limits: RateLimitSettings
    let composer: any MessageComposer
    let secrets: CheckWordSecrets
    let verifyTTLSeconds: Int

    public init(
        ports: BrokerPorts, security: SecuritySettings, recovery: RecoverySettings, limits: RateLimitSettings,
        composer: any MessageComposer, secrets: CheckWordSecrets, verifyTTLSeconds: Int = 86_400
    ) {
        self.ports = ports
        self.security = security
        self.recovery = recovery
        self.limits = limits
        self.composer = composer
        self.secrets = secrets
        self.verifyTTLSeconds = verifyTTLSeconds
    }

    // MARK: addresses

    /// Sends a verification link and code to a new email. The answer is the same
    /// when another account has the address; that address then gets a message saying so.
    public func attachEmail(_ raw: String, account: Account, clientAddress: String?) async throws {
        let email = try IdentifierPolicy.email(raw)
        try await throttle(account: account, clientAddress: clientAddress)
        try await sendVerification(to: email, channel: .email, purpose: .verifyEmail, account: account)
    }

    public func attachPhone(_ raw: String, account: Account, clientAddress: String?) async throws {
        let phone = try IdentifierPolicy.phone(raw)
        try await throttle(account: account, clientAddress: clientAddress)
        try await sendVerification(to: phone, channel: .sms, purpose: .verifyPhone, account: account)
    }

    /// Redeems an email verification: a link token (no session needed) or the 6-digit code (for `account`).
    public func verifyEmail(token: String, account: Account?) async throws -> Account {
        let word: CheckWord
        let trimmed = token.trimmingWhitespace()
        if trimmed.count == 6, trimmed.allSatisfy(\.isASCIIDigit) {
            guard let account else { throw BrokerError.unauthenticated }
            word = try await liveCode(trimmed, account: account, purpose: .verifyEmail)
        } else {
            guard !trimmed.isEmpty, trimmed.utf8.count <= 256,
                  let found = try await ports.store.checkWord(secretHash: TokenHash.of(trimmed)), found.purpose == .verifyEmail,
                  account == nil || found.accountId == account?.id
            else { throw BrokerError.incorrectCheckWord }
            if found.usedAt != nil { throw BrokerError.tokenUsed }
            if found.revokedAt != nil { throw BrokerError.incorrectCheckWord }
            if found.expiresAt <= ports.clock.now() { throw BrokerError.tokenExpired }
            word = found
        }
        return try await adopt(word)
    }

    public func verifyPhone(code: String, account: Account) async throws -> Account {
        let word = try await liveCode(code.trimmingWhitespace(), account: account, purpose: .verifyPhone)
        return try await adopt(word)
    }

    // MARK: login and password

    public func setLogin(_ raw: String, account: Account) async throws -> Account {
        var updated = account
        updated.login = try IdentifierPolicy.login(raw)
        guard updated.login != account.login else { return account }
        updated.updatedAt = ports.clock.now()
        do {
            try await ports.commit([.updateAccount(updated), ports.audit("login_set", account: account.id, actor: "user")])
        } catch BrokerError.conflict {
            throw BrokerError.loginTaken
        } catch StoreError.stale {
            throw BrokerError.conflict(field: "version")
        }
        updated.version += 1
        return updated
    }

    /// Sets the first password (verified address and a recent sign-in needed) or changes it
    /// (the current one needed). The account's other sessions end.
    public func setPassword(
        _ password: Secret, confirmation: Secret, current: Secret?, account: Account, session: Session
    ) async throws -> Account {
        let now = ports.clock.now()
        if let hash = account.passwordHash {
            guard let current, !current.value.isEmpty else { throw BrokerError.currentPasswordRequired }
            // A wrong current password is the same refusal as a missing one (the contract's 403).
            guard case .match = try await ports.hasher.verify(current, against: hash) else { throw BrokerError.currentPasswordRequired }
        } else {
            if !recovery.socialOnlyPasswordAllowed { throw BrokerError.passwordNotAllowed }
            guard account.emailVerified || account.phoneVerified else { throw BrokerError.emailRequired }
            guard now.timeIntervalSince(session.authenticatedAt) <= TimeInterval(security.reauthenticationSeconds) else {
                throw BrokerError.reauthenticationRequired
            }
        }
        try security.passwordPolicy.validate(password, confirmation: confirmation)
        var updated = account
        updated.passwordHash = try await ports.hasher.hash(password)
        updated.updatedAt = now
        try await commitUpdate([
            .updateAccount(updated),
            .revokeSessions(accountId: account.id, exceptTokenHash: session.tokenHash, at: now),
            .revokeCheckWords(accountId: account.id, purposes: [.recovery], at: now),
            ports.audit(account.hasPassword ? "password_changed" : "password_set", account: account.id, actor: "user"),
        ])
        updated.version += 1
        return updated
    }

    /// Removes a provider; refused when it is the last way to sign in.
    public func unlink(provider: String, account: Account) async throws {
        let gone = account.identities.filter { $0.provider == provider }
        guard !gone.isEmpty else { throw BrokerError.notFound(what: "Identity") }
        let remaining = account.identities.count - gone.count
        let canUsePassword = account.hasPassword && (account.login != nil || account.emailVerified || account.phoneVerified)
        guard remaining > 0 || canUsePassword else { throw BrokerError.lastCredential }
        var changes = gone.map { StoreChange.deleteIdentity(accountId: account.id, provider: $0.provider, subject: $0.subject) }
        changes.append(ports.audit("identity_unlinked", account: account.id, actor: "user", ["provider": provider]))
        try await commitUpdate(changes)
    }
}
