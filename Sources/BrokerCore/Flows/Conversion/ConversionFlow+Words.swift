import Foundation

extension ConversionFlow {
    func throttle(account: Account, clientAddress: String?) async throws {
        let now = ports.clock.now()
        var checks: [(String, Int)] = []
        if let limit = limits.limit(limits.sendPerIdentifier) { checks.append(("send:attach:" + account.id, limit)) }
        if let limit = limits.limit(limits.sendPerAddress), let clientAddress { checks.append(("send:addr:" + clientAddress, limit)) }
        for (key, limit) in checks {
            let count = try await ports.rateLimiter.peek(key: key, window: limits.windowSeconds, now: now)
            if count.count >= limit { throw BrokerError.tooManyRequests(retryAfter: count.retryAfter(now: now)) }
        }
        for (key, _) in checks { _ = try await ports.rateLimiter.hit(key: key, window: limits.windowSeconds, now: now) }
    }

    func sendVerification(to address: String, channel: Channel, purpose: CheckWordPurpose, account: Account) async throws {
        let now = ports.clock.now()
        let owner = channel == .email ? try await ports.store.account(email: address) : try await ports.store.account(phone: address)
        if let owner, owner.id != account.id {
            // Same answer to the caller; the address's owner hears that someone tried.
            let composed = try composer.compose(.addressInUse, locale: owner.locale, channel: channel)
            try await ports.commit([
                .enqueueMessage(message(composed, to: address, channel: channel, accountId: owner.id)),
                ports.audit("address_attach_refused", account: account.id, actor: "user", ["channel": channel.rawValue]),
            ])
            return
        }
        var words: [CheckWord] = []
        func word(_ kind: CheckWord.Kind, ttl: Int) -> String {
            let id = ports.tokens.identifier()
            let hash = kind == .code ? CheckWord.codeHash(id: id, code: secrets.code(for: id)) : TokenHash.of(secrets.token(for: id))
            words.append(CheckWord(id: id, accountId: account.id, purpose: purpose, kind: kind, channel: channel, secretHash: hash,
                                   address: address, createdAt: now, expiresAt: now.addingTimeInterval(TimeInterval(ttl))))
            return CheckWordSecrets.placeholder(kind, id: id)
        }
        let code = word(.code, ttl: recovery.codeTTLSeconds)
        let link = channel == .email ? recovery.publicURL + "/account/verify-email?token=" + word(.link, ttl: verifyTTLSeconds) : nil
        let composed = try composer.compose(.verifyAddress(link: link, code: code, minutes: MessageContent.minutes(recovery.codeTTLSeconds)),
                                            locale: account.locale, channel: channel)
        var changes: [StoreChange] = [.revokeCheckWords(accountId: account.id, purposes: [purpose], at: now)]
        changes += words.map(StoreChange.insertCheckWord)
        changes.append(.enqueueMessage(message(composed, to: address, channel: channel, accountId: account.id)))
        changes.append(ports.audit(channel == .email ? "email_attach_requested" : "phone_attach_requested", account: account.id, actor: "user"))
        try await ports.commit(changes)
    }

    func message(_ composed: ComposedMessage, to address: String, channel: Channel, accountId: String) -> OutboxMessage {
        OutboxMessage(id: ports.tokens.identifier(), accountId: accountId, channel: channel, recipient: address, subject: composed.subject,
                      text: composed.text, html: composed.html, createdAt: ports.clock.now())
    }

    /// The account's open code word of a purpose, when `code` matches it (wrong tries count).
    func liveCode(_ code: String, account: Account, purpose: CheckWordPurpose) async throws -> CheckWord {
        try await ports.matchCode(code, accountId: account.id, purpose: purpose, maxAttempts: recovery.codeMaxAttempts)
    }

    /// Puts the verified address on the account; the old email hears about the change.
    func adopt(_ word: CheckWord) async throws -> Account {
        guard var account = try await ports.store.account(id: word.accountId) else { throw BrokerError.incorrectCheckWord }
        let now = ports.clock.now()
        let before = account
        var changes: [StoreChange] = [.consumeCheckWord(id: word.id, at: now),
                                      .revokeCheckWords(accountId: account.id, purposes: [word.purpose], at: now)]
        if word.purpose == .verifyEmail {
            account.email = word.address
            account.emailVerified = true
            if let old = before.email, before.emailVerified, old != word.address {
                let composed = try composer.compose(.emailChanged(newHint: Mask.email(word.address)), locale: account.locale, channel: .email)
                changes.append(.enqueueMessage(message(composed, to: old, channel: .email, accountId: account.id)))
            }
        } else {
            account.phone = word.address
            account.phoneVerified = true
        }
        account.updatedAt = now
        changes.insert(.updateAccount(account), at: 1)
        changes.append(ports.audit(word.purpose == .verifyEmail ? "email_verified" : "phone_verified", account: account.id, actor: "user"))
        do {
            try await ports.commit(changes)
        } catch BrokerError.conflict {
            throw word.purpose == .verifyEmail ? BrokerError.emailTaken : BrokerError.phoneTaken
        } catch StoreError.stale {
            throw BrokerError.tokenUsed
        }
        account.version += 1
        return account
    }

    func commitUpdate(_ changes: [StoreChange]) async throws {
        do {
            try await ports.commit(changes)
        } catch StoreError.stale {
            throw BrokerError.conflict(field: "version")
        }
    }
}
