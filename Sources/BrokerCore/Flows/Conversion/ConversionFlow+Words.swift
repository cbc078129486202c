import Foundation

extension ConversionFlow {
    /// A provider's display name for messages.
    func providerName(_ id: String) -> String { providers?.provider(id: id)?.name ?? id }

    func sendVerification(to address: String, channel: Channel, account: Account, locale: String) async throws {
        let now = ports.clock.now()
        let purpose = channel.verificationPurpose
        let owner = try await ports.store.account(address: address, on: channel)
        // Another account's address gets the same words as a free one (so every later verify attempt
        // answers alike), but the message goes to its owner and says only that someone tried.
        let taken = owner.flatMap { $0.id == account.id ? nil : $0 }
        var words: [CheckWord] = []
        func word(_ kind: CheckWord.Kind, ttl: Int) -> String {
            let issued = ports.words(secrets).issue(purpose, kind, accountId: account.id, channel: channel, address: address, ttlSeconds: ttl)
            words.append(issued.word)
            return issued.placeholder
        }
        let code = word(.code, ttl: recovery.codeTTLSeconds)
        // An email also gets a link to click; a phone only the code.
        let link: String? = switch channel.recoveryWord {
        case .link: recovery.publicURL + "/account/verify-email?token=" + word(.link, ttl: verifyTTLSeconds)
        case .code: nil
        }
        var changes: [StoreChange] = [.revokeCheckWords(accountId: account.id, purposes: [purpose], at: now)]
        changes += words.map(StoreChange.insertCheckWord)
        if let taken {
            let composed = try composer.compose(.addressInUse, locale: taken.locale, channel: channel)
            changes.append(.enqueueMessage(message(composed, to: address, channel: channel, accountId: taken.id)))
            changes.append(ports.audit("address_attach_refused", account: account.id, actor: "user", ["channel": channel.rawValue]))
        } else {
            let composed = try composer.compose(.verifyAddress(link: link, code: code, minutes: MessageContent.minutes(recovery.codeTTLSeconds)),
                                                locale: locale, channel: channel)
            changes.append(.enqueueMessage(message(composed, to: address, channel: channel, accountId: account.id)))
            changes.append(ports.audit(channel.addressName + "_attach_requested", account: account.id, actor: "user"))
        }
        try await ports.commit(changes)
    }

    func message(_ composed: ComposedMessage, to address: String, channel: Channel, accountId: String) -> OutboxMessage {
        OutboxMessage(id: ports.tokens.identifier(), accountId: accountId, channel: channel, recipient: address, subject: composed.subject,
                      text: composed.text, html: channel.carriesHTML ? composed.html : nil, createdAt: ports.clock.now())
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
