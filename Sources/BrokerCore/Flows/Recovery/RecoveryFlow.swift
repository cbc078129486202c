import Foundation

/// The seed's methods 1 and 2: a link by email, a 6-digit code by SMS, and for
/// social-only accounts a message that sends the person to their providers.
/// Every request answers the same whether or not the identifier is known.
public struct RecoveryFlow: Sendable {
    let ports: BrokerPorts
    public let settings: RecoverySettings
    let security: SecuritySettings
    let limits: RateLimitSettings
    let providers: any ProviderDirectory
    let composer: any MessageComposer
    let secrets: CheckWordSecrets
    /// Where a recovery link may send the person back to afterwards.
    let returnToPolicy: ReturnToPolicy
    var throttle: Throttle { ports.throttle(limits) }
    var codeCheck: CodeCheck {
        CodeCheck(ports: ports, throttle: throttle, secrets: secrets, maxAttempts: settings.codeMaxAttempts, codeTTLSeconds: settings.codeTTLSeconds)
    }

    public init(
        ports: BrokerPorts, settings: RecoverySettings, security: SecuritySettings, limits: RateLimitSettings,
        providers: any ProviderDirectory, composer: any MessageComposer, secrets: CheckWordSecrets,
        returnTo: ReturnToPolicy? = nil
    ) {
        self.returnToPolicy = returnTo ?? ReturnToPolicy(allowedOrigins: [], base: settings.publicURL)
        self.secrets = secrets
        self.ports = ports
        self.settings = settings
        self.security = security
        self.limits = limits
        self.providers = providers
        self.composer = composer
    }

    /// For the pages' new-password field.
    public var minPasswordLength: Int { security.passwordMinLength }

    // MARK: requests that send

    /// `POST /api/v1/recovery`: sends a link or a code to a verified address of the account, if there is one.
    /// `returnTo` (one of `server.allowed_return_to`, else 400 `invalid_return_to`) rides along in
    /// the link, so the page after the reset offers the way back to the site the person came from.
    public func request(identifier raw: String, channel: String?, locale: String?, clientAddress: String?, returnTo rawReturnTo: String? = nil) async throws {
        let returnTo = try rawReturnTo.map { raw in
            guard let checked = returnToPolicy.check(raw) else { throw BrokerError.invalidReturnTo }
            return checked
        }
        let identifier = try IdentifierPolicy.classify(raw)
        let requested = try channel.map(Self.parseChannel)
        let requestLocale = try locale.map { try LocalePolicy.validate($0) }
        let subject = "id:" + identifier.key
        // The send limits, the cooldown and the words, message and audit event are one unit,
        // counted first (no concurrent request overtakes a limit or a cooldown), with one wait
        // for the writer.
        if let (account, matched) = try await ports.store.account(identifiedBy: identifier), account.state == .active,
           (account.recoveryPausedUntil ?? .distantPast) <= ports.clock.now(),
           case let channel = requested ?? Self.defaultChannel(for: matched, account: account),
           let address = account.verifiedAddress(on: channel) {
            // One window per account and channel, so a double-click sends once: the second
            // request finds it taken, and is answered as accepted with nothing created or superseded.
            let gate = throttle.sendGate(subject: subject, clientAddress: clientAddress, window: cooldown("cooldown:\(account.id):\(channel.rawValue)"),
                                         resets: [CodeCheck.subjectKey(identifier)], marks: [CodeCheck.standInKey(identifier)])
            _ = try await ports.commit(sendUnit(to: account, address: address, via: channel, actor: "user", returnTo: returnTo, now: gate.now), behind: gate)
            return
        }
        // Unknown, or nothing to send to: the same work as a send, not a wait. The same counts and
        // cooldown, kept; then the words, the message and the audit event of a send to a stand-in
        // account, rehearsed (applied and rolled back). A new code asked for starts the code tries
        // again, as a new word does.
        let channel = requested ?? Self.defaultChannel(for: identifier, account: nil)
        let gate = throttle.sendGate(subject: subject, clientAddress: clientAddress,
                                     window: cooldown("cooldown:ident:\(identifier.key):\(channel.rawValue)"),
                                     resets: [CodeCheck.subjectKey(identifier)], marks: [CodeCheck.standInKey(identifier)])
        let standIn = standInAccount(locale: requestLocale)
        let unit = try sendUnit(to: standIn, address: identifier.key, via: channel, actor: "user", returnTo: returnTo, now: gate.now)
        _ = try await ports.commit([.insertAccount(standIn)] + unit, behind: gate, rehearsal: true)
    }

    /// An operator's send: no cooldown, no pause; the account must have a verified address on the channel.
    public func adminSend(accountId: String, channel raw: String?, actor: String = "admin") async throws {
        guard accountId.utf8.count <= 128, let account = try await ports.store.account(id: accountId) else {
            throw BrokerError.notFound(what: "Account")
        }
        let channel = try raw.map(Self.parseChannel) ?? (account.emailVerified ? .email : .sms)
        guard account.verifiedAddress(on: channel) != nil else {
            throw BrokerError.invalidRequest(field: "channel", reason: .noVerifiedAddress(channel))
        }
        try await send(to: account, via: channel, actor: actor)
    }

    /// `POST /api/v1/recovery/login-reminder`: the login name and sign-in methods, to a verified email or phone
    /// (a login name sends to the account's verified email, else its phone). Always 202 unless throttled.
    public func loginReminder(identifier raw: String, clientAddress: String?) async throws {
        let identifier = try IdentifierPolicy.classify(raw)
        let gate = throttle.sendGate(subject: "id:" + identifier.key, clientAddress: clientAddress)
        guard let (account, matched) = try await ports.store.account(identifiedBy: identifier), account.state == .active,
              case let channel = Self.defaultChannel(for: matched, account: account),
              let address = account.verifiedAddress(on: channel)
        else {
            // The same work as a reminder, for a stand-in, rolled back: the answer's timing tells nothing either.
            let channel = Self.defaultChannel(for: identifier, account: nil)
            let standIn = standInAccount()
            _ = try await ports.commit([.insertAccount(standIn)] + reminderUnit(for: standIn, to: identifier.key, via: channel), behind: gate, rehearsal: true)
            return
        }
        _ = try await ports.commit(reminderUnit(for: account, to: address, via: channel), behind: gate)
    }

    /// The reminder's message and audit event, in one unit.
    private func reminderUnit(for account: Account, to address: String, via channel: Channel) throws -> [StoreChange] {
        let names = account.identities.map { providers.provider(id: $0.provider)?.name ?? $0.provider }
        let message = try compose(.loginReminder(login: account.login, password: account.hasPassword, providers: names), for: account, to: address, via: channel)
        return [.enqueueMessage(message), ports.audit("login_reminder_sent", account: account.id, actor: "user", ["channel": channel.rawValue])]
    }

    // MARK: using what was sent

    /// `POST /api/v1/recovery/code`: trades a correct code for a reset token.
    public func redeemCode(identifier raw: String, code: String) async throws -> String {
        let identifier = try IdentifierPolicy.classify(raw)
        let known = try await ports.store.account(identifiedBy: identifier)?.account
        let word = try await codeCheck.match(code, account: known, identifier: identifier, purpose: .recovery) { word in
            known.map { $0.verifiedAddress(on: word.channel) == word.address } ?? false
        }
        guard let account = known else { throw BrokerError.invalidCode }
        let now = ports.clock.now()
        // The code is traded for a link word the reset page takes, which lives as long as the code did.
        let issued = ports.words(secrets).issue(.recovery, .link, accountId: account.id, channel: word.channel, address: word.address,
                                                ttlSeconds: settings.codeTTLSeconds, payload: Self.fromCode)
        let link = issued.word
        let token = secrets.token(for: link.id)
        do {
            try await ports.commit([.consumeCheckWord(id: word.id, at: now), .insertCheckWord(link)])
        } catch StoreError.stale {
            throw BrokerError.invalidCode
        }
        return token
    }

    /// `GET /api/v1/recovery/token`: says whether a link still works, without using it
    /// (mail scanners that open links must not burn them).
    public func check(token: String) async throws {
        _ = try await liveWord(token: token)
    }

    /// The payload of the link word a correct code is traded for: a session the reset starts says `otp`.
    static let fromCode = "from_code"

    /// `POST /api/v1/recovery/reset`: sets the password, uses the token, kills every other
    /// open word and every session, and notifies the account's verified addresses. With
    /// `signIn` (the reset page), the person is signed in by a new session, made in the same
    /// unit of work after the old ones are revoked: the word proved control of the address.
    @discardableResult
    public func reset(token: String, password: Secret, confirmation: Secret, signIn: Bool = false) async throws -> IssuedSession? {
        let (word, account) = try await liveWord(token: token)
        if !account.hasPassword, !settings.socialOnlyPasswordAllowed { throw BrokerError.passwordNotAllowed }
        try security.passwordPolicy.validate(password, confirmation: confirmation)
        let now = ports.clock.now()
        var updated = account
        updated.passwordHash = try await ports.hasher.hash(password)
        updated.updatedAt = now
        var changes: [StoreChange] = [
            .consumeCheckWord(id: word.id, at: now),
            .updateAccount(updated),
            // Every open proof dies with the old password: a verification or link word that a stolen
            // session started must not outlive the reset.
            .revokeCheckWords(accountId: account.id, purposes: CheckWordPurpose.proofs, at: now),
            .revokeSessions(accountId: account.id, exceptTokenHash: nil, at: now),
            ports.audit("password_reset", account: account.id, actor: "user", ["channel": word.channel.rawValue]),
        ]
        var issued: IssuedSession?
        if signIn {
            updated.version += 1
            let session = ports.newSession(for: updated, methods: [word.payload == Self.fromCode ? "recovery:code" : "recovery:link"],
                                           now: now, ttlSeconds: security.sessionTTLSeconds)
            changes.append(.insertSession(session.session))
            issued = session
        }
        let when = ISO8601DateFormatter().string(from: now)
        for channel in Channel.allCases {
            if let address = account.verifiedAddress(on: channel) {
                changes.append(.enqueueMessage(try compose(.passwordChanged(when: when), for: account, to: address, via: channel)))
            }
        }
        do {
            try await ports.commit(changes)
        } catch StoreError.stale {
            // Used or superseded by a concurrent request: answer as that request left it.
            _ = try await liveWord(token: token)
            throw BrokerError.tokenUsed
        }
        return issued
    }

    /// "This wasn't me": kills the open proofs (recovery, verification, link words), signs every
    /// device out and pauses recovery sends for the account.
    public func notMe(token: String) async throws {
        let (word, found) = try await ports.links.live(token, purpose: .notMe)
        let now = ports.clock.now()
        var account = found
        account.recoveryPausedUntil = now.addingTimeInterval(TimeInterval(settings.notMePauseSeconds))
        account.updatedAt = now
        do {
            try await ports.commit([
                .consumeCheckWord(id: word.id, at: now),
                .revokeCheckWords(accountId: account.id, purposes: CheckWordPurpose.proofs, at: now),
                .revokeSessions(accountId: account.id, exceptTokenHash: nil, at: now),
                .updateAccount(account),
                ports.audit("recovery_not_me", account: account.id, actor: "user", ["paused_seconds": String(settings.notMePauseSeconds)]),
            ])
        } catch StoreError.stale {
            throw BrokerError.tokenUsed
        }
    }

    /// `POST /api/v1/recovery/lookup`: the ways an account can recover, with masked hints; only with `reveal_methods`.
    public func lookup(identifier raw: String, clientAddress: String?) async throws -> [RecoveryMethod] {
        guard settings.revealMethods else { throw BrokerError.notEnabled }
        let identifier = try IdentifierPolicy.classify(raw)
        try await throttle.admitSend(subject: "id:lookup:" + identifier.key, clientAddress: clientAddress)
        guard let account = try await ports.store.account(identifiedBy: identifier)?.account, account.state == .active else { return [] }
        var methods: [RecoveryMethod] = []
        if let email = account.verifiedAddress(on: .email) { methods.append(.init(type: "email", hint: Mask.email(email))) }
        if let phone = account.verifiedAddress(on: .sms) { methods.append(.init(type: "sms", hint: Mask.phone(phone))) }
        for id in Self.providerIds(of: account) {
            methods.append(.init(type: "provider", provider: id, recoveryURL: providers.provider(id: id)?.recoveryURL))
        }
        return methods
    }
}

/// One way an account can be recovered, as the lookup answers it.
public struct RecoveryMethod: Sendable, Equatable {
    public var type: String
    public var provider: String?
    public var recoveryURL: String?
    public var hint: String?

    public init(type: String, provider: String? = nil, recoveryURL: String? = nil, hint: String? = nil) {
        self.type = type
        self.provider = provider
        self.recoveryURL = recoveryURL
        self.hint = hint
    }
}
