import Foundation

extension ConversionFlow {
    /// A provider's display name for messages.
    func providerName(_ id: String) -> String { providers?.provider(id: id)?.name ?? id }

    func sendVerification(to address: String, channel: Channel, purpose: CheckWordPurpose, account: Account) async throws {
        let now = ports.clock.now()
        let owner = channel == .email ? try await ports.store.account(email: address) : try await ports.store.account(phone: address)
        // Another account's address gets the same words as a free one (so every later verify attempt
        // answers alike), but the message goes to its owner and says only that someone tried.
        let taken = owner.flatMap { $0.id == account.id ? nil : $0 }
        var words: [CheckWord] = []
        func word(_ kind: CheckWord.Kind, ttl: Int) -> String {
            let id = ports.tokens.identifier()
            let hash = secrets.storedHash(of: kind, id: id)
            words.append(CheckWord(id: id, accountId: account.id, purpose: purpose, kind: kind, channel: channel, secretHash: hash,
                                   address: address, createdAt: now, expiresAt: now.addingTimeInterval(TimeInterval(ttl))))
            return CheckWordSecrets.placeholder(kind, id: id)
        }
        let code = word(.code, ttl: recovery.codeTTLSeconds)
        let link = channel == .email ? recovery.publicURL + "/account/verify-email?token=" + word(.link, ttl: verifyTTLSeconds) : nil
        var changes: [StoreChange] = [.revokeCheckWords(accountId: account.id, purposes: [purpose], at: now)]
        changes += words.map(StoreChange.insertCheckWord)
        if let taken {
            let composed = try composer.compose(.addressInUse, locale: taken.locale, channel: channel)
            changes.append(.enqueueMessage(message(composed, to: address, channel: channel, accountId: taken.id)))
            changes.append(ports.audit("address_attach_refused", account: account.id, actor: "user", ["channel": channel.rawValue]))
        } else {
            let composed = try composer.compose(.verifyAddress(link: link, code: code, minutes: MessageContent.minutes(recovery.codeTTLSeconds)),
                                                locale: account.locale, channel: channel)
            changes.append(.enqueueMessage(message(composed, to: address, channel: channel, accountId: account.id)))
            changes.append(ports.audit(channel == .email ? "email_attach_requested" : "phone_attach_requested", account: account.id, actor: "user"))
        }
        try await ports.commit(changes)
    }

    func message(_ composed: ComposedMessage, to address: String, channel: Channel, accountId: String) -> OutboxMessage {
        OutboxMessage(id: ports.tokens.identifier(), accountId: accountId, channel: channel, recipient: address, subject: composed.subject,
                      text: composed.text, html: composed.html, createdAt: ports.clock.now())
    }

    /// Puts the verified address on the account; every verified address it had hears about the change.
    func adopt(_ word: CheckWord) async throws -> Account {
        guard var account = try await ports.store.account(id: word.accountId) else { throw BrokerError.incorrectCheckWord }
        let now = ports.clock.now()
        let before = account
        var changes: [StoreChange] = [.consumeCheckWord(id: word.id, at: now),
                                      .revokeCheckWords(accountId: account.id, purposes: [word.purpose], at: now)]
        if word.purpose == .verifyEmail {
            account.email = word.address
            account.emailVerified = true
            if before.email != word.address {
                changes += try notice.changes(.emailChanged(newHint: Mask.email(word.address)), account: before)
            }
        } else {
            account.phone = word.address
            account.phoneVerified = true
            if before.phone != word.address {
                changes += try notice.changes(.phoneChanged(newHint: Mask.phone(word.address)), account: before)
            }
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
