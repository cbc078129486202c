import Foundation

/// Linking a provider identity to an existing account whose verified email it
/// carries: only after the person proves control of that account, by the link
/// emailed to it or by its password (pre-account-takeover protection).
extension SocialFlow {
    struct PendingLink: Codable {
        var provider: String
        var subject: String
        var email: String?
        var returnTo: String
    }

    func requireConfirmation(owner: Account, identity: Identity, record: OAuthState) async throws -> Outcome {
        let now = ports.clock.now()
        guard let email = owner.email else { throw BrokerError.invalidState }
        let payload = String(decoding: try JSONEncoder().encode(
            PendingLink(provider: identity.provider, subject: identity.subject, email: identity.email, returnTo: record.returnTo)
        ), as: UTF8.self)
        let issuer = ports.words(secrets)
        func word() -> WordIssuer.Issued {
            issuer.issue(.linkIdentity, .link, accountId: owner.id, channel: .email, address: email, ttlSeconds: confirmationTTLSeconds, payload: payload)
        }
        let emailed = word()
        let browser = word()
        let name = providerName(identity.provider)
        let composed = try composer.compose(
            .linkConfirmation(provider: name, link: publicURL + "/auth/link/confirm?token=" + emailed.placeholder,
                              minutes: MessageContent.minutes(confirmationTTLSeconds)),
            locale: owner.locale, channel: .email
        )
        let message = OutboxMessage(
            id: ports.tokens.identifier(), accountId: owner.id, channel: .email, recipient: email, subject: composed.subject,
            text: composed.text, html: composed.html, createdAt: now
        )
        try await ports.commit([
            .revokeCheckWords(accountId: owner.id, purposes: [.linkIdentity], at: now),
            .insertCheckWord(emailed.word), .insertCheckWord(browser.word), .enqueueMessage(message),
            ports.audit("identity_link_requested", account: owner.id, actor: "user", ["provider": identity.provider]),
        ])
        return .confirmationRequired(
            account: owner, provider: name, pendingToken: secrets.token(for: browser.word.id), emailHint: Mask.email(email), returnTo: record.returnTo
        )
    }

    /// The emailed link: links the identity and signs in.
    public func confirmLink(token: String) async throws -> (IssuedSession, String) {
        let (word, account, pending) = try await pendingLink(token: token)
        return try await link(pending, to: account, consuming: word)
    }

    /// The browser that started the flow proves control with the account's password instead;
    /// each try is a sign-in attempt of that account (counted first, 429 past the limit).
    public func confirmLink(pendingToken: String, password: Secret, clientAddress: String? = nil) async throws -> (IssuedSession, String) {
        let (word, account, pending) = try await pendingLink(token: pendingToken)
        guard try await signIn.verifyPassword(password, of: account, clientAddress: clientAddress) else {
            throw BrokerError.invalidCredentials
        }
        return try await link(pending, to: account, consuming: word)
    }

    func pendingLink(token: String) async throws -> (CheckWord, Account, PendingLink) {
        // The word proves control of the address it went to, so it dies when the account's email changes.
        let (word, account) = try await ports.links.live(token, purpose: .linkIdentity) { word, account in
            account.email == word.address && account.emailVerified
        }
        guard let payload = word.payload, let pending = try? JSONDecoder().decode(PendingLink.self, from: Data(payload.utf8)) else {
            throw BrokerError.incorrectCheckWord
        }
        return (word, account, pending)
    }

    func link(_ pending: PendingLink, to account: Account, consuming word: CheckWord) async throws -> (IssuedSession, String) {
        let now = ports.clock.now()
        let identity = Identity(provider: pending.provider, subject: pending.subject, email: pending.email, createdAt: now)
        var linked = account
        linked.identities.append(identity)
        do {
            let issued = try await session(for: linked, method: "provider:" + pending.provider, extra: [
                .consumeCheckWord(id: word.id, at: now),
                .revokeCheckWords(accountId: account.id, purposes: [.linkIdentity], at: now),
                .insertIdentity(accountId: account.id, identity),
                ports.audit("identity_linked", account: account.id, actor: "user", ["provider": pending.provider, "proof": "confirmed"]),
            ] + notice.changes(.providerLinked(provider: providerName(pending.provider)), account: account))
            return (issued, pending.returnTo)
        } catch StoreError.stale {
            throw BrokerError.tokenUsed
        } catch BrokerError.conflict {
            throw BrokerError.identityTaken
        }
    }
}
