import Foundation

extension RecoveryFlow {
    /// Writes the check words and the message in one transaction; earlier open recovery words die with it.
    func send(to account: Account, via channel: Channel, respectCooldown: Bool, actor: String, returnTo: String? = nil) async throws {
        guard let address = account.verifiedAddress(on: channel) else { return }
        let now = ports.clock.now()
        let cooldownKey = "cooldown:\(account.id):\(channel.rawValue)"
        // One atomic count per account and channel, so a double-click sends once: the second
        // request finds the window taken. An operator's send starts the window without waiting for it.
        let opened = try await openCooldown(cooldownKey)
        if respectCooldown, opened == false { return }  // answered as accepted; nothing created, nothing superseded
        let openedWindow = opened == true
        do {
            try await write(to: account, address: address, via: channel, actor: actor, returnTo: returnTo, now: now)
        } catch {
            // Nothing went out: the person's next try must not wait out a window for it.
            if openedWindow { try? await ports.rateLimiter.reset(key: cooldownKey) }
            throw error
        }
    }

    /// The check words, the message and the audit event of one send, in one transaction;
    /// earlier open recovery words die with it.
    private func write(to account: Account, address: String, via channel: Channel, actor: String, returnTo: String?, now: Date) async throws {
        var words: [CheckWord] = []
        /// A new word; what goes into the message is its placeholder, never the secret.
        func newWord(_ purpose: CheckWordPurpose, _ kind: CheckWord.Kind, ttl: Int) -> String {
            let id = ports.tokens.identifier()
            let secretHash = secrets.storedHash(of: kind, id: id)
            words.append(CheckWord(
                id: id, accountId: account.id, purpose: purpose, kind: kind, channel: channel, secretHash: secretHash,
                address: address, createdAt: now, expiresAt: now.addingTimeInterval(TimeInterval(ttl))
            ))
            return CheckWordSecrets.placeholder(kind, id: id)
        }
        let notMe = settings.publicURL + "/recover/not-me?token=" + newWord(.notMe, .link, ttl: settings.notMeTTLSeconds)
        let content: MessageContent
        if account.isSocialOnly {
            let links = Self.providerIds(of: account).map { id in
                let p = providers.provider(id: id)
                return ProviderLinks(name: p?.name ?? id, recoveryURL: p?.recoveryURL ?? "", signInURL: settings.publicURL + "/auth/\(id)/start")
            }
            var setPassword: String?
            if settings.socialOnlyPasswordAllowed {
                setPassword = channel == .email
                    ? resetLink(newWord(.recovery, .link, ttl: settings.linkTTLSeconds), returnTo: returnTo)
                    : newWord(.recovery, .code, ttl: settings.codeTTLSeconds)
            }
            content = .socialRecovery(providers: links, setPasswordLink: setPassword, notMeLink: notMe,
                                      minutes: MessageContent.minutes(channel == .email ? settings.linkTTLSeconds : settings.codeTTLSeconds))
        } else if channel == .email {
            content = .recoveryLink(link: resetLink(newWord(.recovery, .link, ttl: settings.linkTTLSeconds), returnTo: returnTo), notMeLink: notMe,
                                    minutes: MessageContent.minutes(settings.linkTTLSeconds))
        } else {
            content = .recoveryCode(code: newWord(.recovery, .code, ttl: settings.codeTTLSeconds), notMeLink: notMe,
                                    minutes: MessageContent.minutes(settings.codeTTLSeconds))
        }
        let message = try compose(content, for: account, to: address, via: channel)
        var changes: [StoreChange] = [.revokeCheckWords(accountId: account.id, purposes: [.recovery], at: now)]
        changes += words.map(StoreChange.insertCheckWord)
        changes.append(.enqueueMessage(message))
        changes.append(ports.audit("recovery_requested", account: account.id, actor: actor, ["channel": channel.rawValue]))
        try await ports.commit(changes)
    }

    func resetLink(_ token: String, returnTo: String?) -> String {
        var link = settings.publicURL + "/recover/reset?token=" + token
        if let returnTo, let encoded = returnTo.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
            link += "&return_to=" + encoded
        }
        return link
    }

    func compose(_ content: MessageContent, for account: Account, to address: String, via channel: Channel) throws -> OutboxMessage {
        let composed = try composer.compose(content, locale: account.locale, channel: channel)
        return OutboxMessage(
            id: ports.tokens.identifier(), accountId: account.id, channel: channel, recipient: address,
            subject: composed.subject, text: composed.text, html: channel == .email ? composed.html : nil, createdAt: ports.clock.now()
        )
    }

    /// Takes the resend cooldown window of `key`: true when this request opened it, false when
    /// it was already taken, nil when the cooldown is off.
    func openCooldown(_ key: String) async throws -> Bool? {
        guard settings.resendCooldownSeconds > 0 else { return nil }
        return try await ports.rateLimiter.hit(key: key, window: settings.resendCooldownSeconds, now: ports.clock.now()).count == 1
    }

    /// The word and account a link token names, when the link still works.
    func liveWord(token: String) async throws -> (CheckWord, Account) {
        guard !token.isEmpty, token.utf8.count <= 256,
              let word = try await ports.store.checkWord(secretHash: TokenHash.of(token)), word.purpose == .recovery, word.kind == .link
        else { throw BrokerError.incorrectCheckWord }
        if word.usedAt != nil { throw BrokerError.tokenUsed }
        if word.revokedAt != nil { throw BrokerError.incorrectCheckWord }
        guard let account = try await ports.store.account(id: word.accountId), account.state == .active,
              account.verifiedAddress(on: word.channel) == word.address
        else { throw BrokerError.incorrectCheckWord }
        if word.expiresAt <= ports.clock.now() { throw BrokerError.tokenExpired }
        return (word, account)
    }

    static func parseChannel(_ raw: String) throws -> Channel {
        guard let channel = Channel(rawValue: raw) else { throw BrokerError.invalidRequest(field: "channel", reason: "must be email or sms") }
        return channel
    }

    static func defaultChannel(for identifier: Identifier, account: Account?) -> Channel {
        switch identifier {
        case .email: .email
        case .phone: .sms
        case .login: account?.emailVerified ?? true ? .email : .sms
        }
    }

    static func providerIds(of account: Account) -> [String] {
        var seen = Set<String>()
        return account.identities.map(\.provider).filter { seen.insert($0).inserted }
    }
}

/// Masked addresses for hints: the full address never appears.
public enum Mask {
    /// `maria@example.test` -> `m•••@example.test`
    public static func email(_ email: String) -> String {
        guard let at = email.firstIndex(of: "@"), let first = email.first else { return "•••" }
        return String(first) + "•••" + email[at...]
    }

    /// `+5511999990000` -> `+55•••0000`
    public static func phone(_ phone: String) -> String {
        guard phone.count > 7 else { return "•••" }
        return String(phone.prefix(3)) + "•••" + String(phone.suffix(4))
    }
}
