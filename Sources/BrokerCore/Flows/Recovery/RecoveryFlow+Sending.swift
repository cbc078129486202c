import Foundation

extension RecoveryFlow {
    /// An operator's send: the words and the message in one transaction; earlier open recovery
    /// words die with it. It starts the account's resend cooldown without waiting for it.
    func send(to account: Account, via channel: Channel, actor: String) async throws {
        guard let address = account.verifiedAddress(on: channel) else { return }
        let now = ports.clock.now()
        let cooldownKey = "cooldown:\(account.id):\(channel.rawValue)"
        let openedWindow = try await openCooldown(cooldownKey) == true
        // No one asked through an identifier: the code is the address's own to try, so the
        // address's stand-in is marked with the word's time (`CodeCheck`).
        let reached: Identifier = channel == .sms ? .phone(address) : .email(address)
        do {
            _ = try await ports.commit(sendUnit(to: account, address: address, via: channel, actor: actor, returnTo: nil, now: now),
                                       behind: UnitGate(marks: [CodeCheck.standInKey(reached)], now: now))
        } catch {
            // Nothing went out: the person's next try must not wait out a window for it.
            if openedWindow { try? await ports.rateLimiter.reset(key: cooldownKey) }
            throw error
        }
    }

    /// An account that exists only inside a rehearsal: no login, email or phone, so it clashes
    /// with nothing, and a fresh id, so its words' hashes clash with nothing either.
    func standInAccount(locale: String? = nil) -> Account {
        Account(id: ports.tokens.identifier(), passwordHash: "", locale: locale ?? LocalePolicy.fallback, createdAt: ports.clock.now())
    }

    /// The check words, the message and the audit event of one send, as one unit of work;
    /// earlier open recovery words die with it.
    func sendUnit(to account: Account, address: String, via channel: Channel, actor: String, returnTo: String?, now: Date) throws -> [StoreChange] {
        var words: [CheckWord] = []
        /// A new word; what goes into the message is its placeholder, never the secret.
        func newWord(_ purpose: CheckWordPurpose, _ kind: CheckWord.Kind, ttl: Int) -> String {
            // Made at the unit's own time, which its code's stand-in is marked with too (`CodeCheck`).
            let issued = ports.words(secrets).issue(purpose, kind, accountId: account.id, channel: channel, address: address, ttlSeconds: ttl, now: now)
            words.append(issued.word)
            return issued.placeholder
        }
        let notMe = settings.publicURL + "/recover/not-me?token=" + newWord(.notMe, .link, ttl: settings.notMeTTLSeconds)
        /// What the message shows of a recovery word: a link carries the reset page's address, a code itself.
        func secret(_ placeholder: String) -> String {
            switch channel.recoveryWord {
            case .link: resetLink(placeholder, returnTo: returnTo)
            case .code: placeholder
            }
        }
        let content: MessageContent
        let ttl = channel.recoveryWord == .link ? settings.linkTTLSeconds : settings.codeTTLSeconds
        if account.isSocialOnly {
            let links = Self.providerIds(of: account).map { id in
                let p = providers.provider(id: id)
                return ProviderLinks(name: p?.name ?? id, recoveryURL: p?.recoveryURL ?? "", signInURL: settings.publicURL + "/auth/\(id)/start")
            }
            let setPassword = settings.socialOnlyPasswordAllowed ? secret(newWord(.recovery, channel.recoveryWord, ttl: ttl)) : nil
            content = .socialRecovery(providers: links, setPasswordLink: setPassword, notMeLink: notMe, minutes: MessageContent.minutes(ttl))
        } else {
            let word = secret(newWord(.recovery, channel.recoveryWord, ttl: ttl))
            switch channel.recoveryWord {
            case .link: content = .recoveryLink(link: word, notMeLink: notMe, minutes: MessageContent.minutes(ttl))
            case .code: content = .recoveryCode(code: word, notMeLink: notMe, minutes: MessageContent.minutes(ttl))
            }
        }
        let message = try compose(content, for: account, to: address, via: channel)
        var changes: [StoreChange] = [.revokeCheckWords(accountId: account.id, purposes: [.recovery], at: now)]
        changes += words.map(StoreChange.insertCheckWord)
        changes.append(.enqueueMessage(message))
        changes.append(ports.audit("recovery_requested", account: account.id, actor: actor, ["channel": channel.rawValue]))
        return changes
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
            subject: composed.subject, text: composed.text, html: channel.carriesHTML ? composed.html : nil, createdAt: ports.clock.now()
        )
    }

    /// Takes the resend cooldown window of `key`: true when this request opened it, false when
    /// it was already taken, nil when the cooldown is off.
    func openCooldown(_ key: String) async throws -> Bool? {
        guard let window = cooldown(key) else { return nil }
        return try await ports.rateLimiter.hit(key: window.key, window: window.seconds, now: ports.clock.now()).count == 1
    }

    /// The resend cooldown window of `key`, for a gate; nil when the cooldown is off.
    func cooldown(_ key: String) -> (key: String, seconds: Int)? {
        settings.resendCooldownSeconds > 0 ? (key, settings.resendCooldownSeconds) : nil
    }

    /// The word and account a link token names, when the link still works.
    func liveWord(token: String) async throws -> (CheckWord, Account) {
        try await ports.links.live(token, purpose: .recovery) { word, account in
            account.state == .active && account.verifiedAddress(on: word.channel) == word.address
        }
    }

    static func parseChannel(_ raw: String) throws -> Channel {
        guard let channel = Channel(rawValue: raw) else { throw BrokerError.invalidRequest(field: "channel", reason: .oneOf(["email", "sms"])) }
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
