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
    let providers: (any ProviderDirectory)?
    var throttle: Throttle { ports.throttle(limits) }
    var codeCheck: CodeCheck {
        CodeCheck(ports: ports, throttle: throttle, secrets: secrets, maxAttempts: recovery.codeMaxAttempts, codeTTLSeconds: recovery.codeTTLSeconds)
    }
    var notice: ChangeNotice {
        ChangeNotice(ports: ports, composer: composer, secrets: secrets, publicURL: recovery.publicURL, notMeTTLSeconds: recovery.notMeTTLSeconds)
    }

    public init(
        ports: BrokerPorts, security: SecuritySettings, recovery: RecoverySettings, limits: RateLimitSettings,
        composer: any MessageComposer, secrets: CheckWordSecrets, verifyTTLSeconds: Int = 86_400, providers: (any ProviderDirectory)? = nil
    ) {
        self.providers = providers
        self.ports = ports
        self.security = security
        self.recovery = recovery
        self.limits = limits
        self.composer = composer
        self.secrets = secrets
        self.verifyTTLSeconds = verifyTTLSeconds
    }

    // MARK: addresses

    /// Sends a verification link and code to a new email. The answer, and every later verify
    /// attempt, is the same when another account has the address; that address then gets a
    /// message saying so instead of the code.
    /// `locale`: the language the request asked for, which the message to the new address is
    /// written in (the contract: the request's locale for a new address); else the account's.
    public func attachEmail(_ raw: String, account: Account, session: Session, clientAddress: String?, locale: String? = nil) async throws {
        let email = try IdentifierPolicy.email(raw)
        try security.requireRecentSignIn(session, now: ports.clock.now())
        try await throttle.admitSend(subject: "attach:" + account.id, clientAddress: clientAddress)
        try await sendVerification(to: email, channel: .email, account: account, locale: locale ?? account.locale)
    }

    public func attachPhone(_ raw: String, account: Account, session: Session, clientAddress: String?, locale: String? = nil) async throws {
        let phone = try IdentifierPolicy.phone(raw)
        try security.requireRecentSignIn(session, now: ports.clock.now())
        try await throttle.admitSend(subject: "attach:" + account.id, clientAddress: clientAddress)
        try await sendVerification(to: phone, channel: .sms, account: account, locale: locale ?? account.locale)
    }

    /// Redeems an email verification: a link token (no session needed) or the 6-digit code (for `account`).
    public func verifyEmail(token: String, account: Account?) async throws -> Account {
        let word: CheckWord
        let trimmed = token.trimmingWhitespace()
        if trimmed.count == 6, trimmed.allSatisfy(\.isASCIIDigit) {
            guard let account else { throw BrokerError.unauthenticated }
            word = try await codeCheck.match(trimmed, account: account, identifier: nil, purpose: .verifyEmail)
        } else {
            // The link needs no session; with one, it must be the session's own account.
            word = try await ports.links.live(trimmed, purpose: .verifyEmail) { found, _ in account == nil || found.accountId == account?.id }.0
        }
        return try await adopt(word)
    }

    public func verifyPhone(code: String, account: Account) async throws -> Account {
        let word = try await codeCheck.match(code, account: account, identifier: nil, purpose: .verifyPhone)
        return try await adopt(word)
    }

    // MARK: login and password

    public func setLogin(_ raw: String, account: Account, session: Session) async throws -> Account {
        var updated = account
        updated.login = try IdentifierPolicy.login(raw)
        guard updated.login != account.login else { return account }
        try security.requireRecentSignIn(session, now: ports.clock.now())
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

    /// Sets the first password (verified address needed) or changes it (the current one needed).
    /// Either needs a recent sign-in. The account's other sessions and open proofs end.
    public func setPassword(
        _ password: Secret, confirmation: Secret, current: Secret?, account: Account, session: Session, clientAddress: String? = nil
    ) async throws -> Account {
        let now = ports.clock.now()
        if account.hasPassword {
            guard let current, !current.value.isEmpty else { throw BrokerError.currentPasswordRequired }
            try security.requireRecentSignIn(session, now: now)
            // A wrong current password is the same refusal as a missing one (the contract's 403), and a
            // sign-in failure of the account: a stolen session cannot guess it without limit.
            guard try await throttle.checkPassword(current, of: account, hasher: ports.hasher, clientAddress: clientAddress) else {
                throw BrokerError.currentPasswordRequired
            }
        } else {
            if !recovery.socialOnlyPasswordAllowed { throw BrokerError.passwordNotAllowed }
            guard account.emailVerified || account.phoneVerified else { throw BrokerError.emailRequired }
            try security.requireRecentSignIn(session, now: now)
        }
        try security.passwordPolicy.validate(password, confirmation: confirmation)
        var updated = account
        updated.passwordHash = try await ports.hasher.hash(password)
        updated.updatedAt = now
        try await commitUpdate([
            .updateAccount(updated),
            .revokeSessions(accountId: account.id, exceptTokenHash: session.tokenHash, at: now),
            .revokeCheckWords(accountId: account.id, purposes: CheckWordPurpose.proofs, at: now),
            ports.audit(account.hasPassword ? "password_changed" : "password_set", account: account.id, actor: "user"),
        ])
        updated.version += 1
        return updated
    }

    /// Removes a provider; refused when it is the last way to sign in. Needs a recent sign-in,
    /// and the account's verified addresses hear of it.
    public func unlink(provider: String, account: Account, session: Session) async throws {
        let gone = account.identities.filter { $0.provider == provider }
        guard !gone.isEmpty else { throw BrokerError.notFound(what: "Identity") }
        try security.requireRecentSignIn(session, now: ports.clock.now())
        let remaining = account.identities.count - gone.count
        let canUsePassword = account.hasPassword && (account.login != nil || account.emailVerified || account.phoneVerified)
        guard remaining > 0 || canUsePassword else { throw BrokerError.lastCredential }
        var changes = gone.map { StoreChange.deleteIdentity(accountId: account.id, provider: $0.provider, subject: $0.subject) }
        changes += try notice.changes(.providerUnlinked(provider: providerName(provider)), account: account)
        changes.append(ports.audit("identity_unlinked", account: account.id, actor: "user", ["provider": provider]))
        try await commitUpdate(changes)
    }
}
