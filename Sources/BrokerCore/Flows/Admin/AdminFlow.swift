import Foundation

/// What an operator may do to accounts, from the admin API or the CLI.
/// Every change is one transaction with its audit event.
public struct AdminFlow: Sendable {
    let ports: BrokerPorts
    let security: SecuritySettings
    let providers: any ProviderDirectory
    /// "admin" for the API, "cli" for the command line: recorded in audit events.
    let actor: String

    public init(ports: BrokerPorts, security: SecuritySettings, providers: any ProviderDirectory, actor: String) {
        self.ports = ports
        self.security = security
        self.providers = providers
        self.actor = actor
    }

    /// The same operations, recorded in audit events as done by `actor` (the admin console names
    /// the token an operator signed in with).
    public func acting(as actor: String) -> AdminFlow {
        AdminFlow(ports: ports, security: security, providers: providers, actor: actor)
    }

    public func create(_ input: NewAccountInput) async throws -> Account {
        let now = ports.clock.now()
        var account = Account(id: ports.tokens.identifier(), createdAt: now)
        account.login = try input.login.map { try IdentifierPolicy.login($0) }
        account.email = try input.email.map { try IdentifierPolicy.email($0) }
        account.emailVerified = account.email != nil && (input.emailVerified ?? true)
        account.phone = try input.phone.map { try IdentifierPolicy.phone($0) }
        account.phoneVerified = account.phone != nil && (input.phoneVerified ?? true)
        account.locale = try input.locale.map { try LocalePolicy.validate($0) } ?? LocalePolicy.fallback
        var seen = Set<String>()
        for (index, raw) in input.identities.enumerated() {
            let identity = try validIdentity(raw, field: "identities[\(index)]", now: now)
            guard seen.insert(identity.provider + "\u{0}" + identity.subject).inserted else {
                throw BrokerError.invalidRequest(field: "identities[\(index)]", reason: .listedTwice)
            }
            account.identities.append(identity)
        }
        guard account.login != nil || account.email != nil || account.phone != nil || !account.identities.isEmpty else {
            throw BrokerError.invalidRequest(field: nil, reason: .accountNeedsIdentifier)
        }
        if let password = input.password {
            try security.passwordPolicy.validate(password)
            guard account.login != nil || account.email != nil || account.phone != nil else {
                throw BrokerError.invalidRequest(field: "password", reason: .passwordNeedsIdentifier)
            }
            account.passwordHash = try await ports.hasher.hash(password)
        }
        try await ports.commit([.insertAccount(account), ports.audit("account_created", account: account.id, actor: actor)])
        return account
    }

    public func search(_ text: String) async throws -> [Account] {
        let query = text.trimmingWhitespace()
        guard query.utf8.count <= 320 else { throw BrokerError.invalidRequest(field: "q", reason: .tooLong) }
        var found = try await ports.store.searchAccounts(query, limit: 100)
        // A phone, or part of one, as people write it ("+55 11 99999-0000", "99999-0000"):
        // phones are stored in E.164, so search once more without the punctuation
        // (the text as typed may still be a login name such as "2024.01").
        var digits = query
        digits.removeAll { " -.()".contains($0) }
        if digits != query, digits.contains(where: \.isASCIIDigit), query.allSatisfy({ $0.isASCIIDigit || "+ -.()".contains($0) }) {
            for account in try await ports.store.searchAccounts(digits, limit: 100) where !found.contains(where: { $0.id == account.id }) {
                found.append(account)
            }
        }
        return Array(found.prefix(100))
    }

    public func get(_ id: String) async throws -> Account {
        guard id.utf8.count <= 128, let account = try await ports.store.account(id: id) else {
            throw BrokerError.notFound(what: "Account")
        }
        return account
    }

    /// Applies a partial update. An address set here counts as verified unless the patch says otherwise.
    public func patch(_ id: String, _ patch: AccountPatchInput) async throws -> Account {
        let before = try await get(id)
        var account = before
        let now = ports.clock.now()
        switch patch.login {
        case .unchanged: break
        case .clear: account.login = nil
        case .set(let v): account.login = try IdentifierPolicy.login(v)
        }
        switch patch.email {
        case .unchanged: break
        case .clear: account.email = nil; account.emailVerified = false
        case .set(let v):
            account.email = try IdentifierPolicy.email(v)
            account.emailVerified = true  // an address an admin sets counts as verified, even the same one again
        }
        if let verified = patch.emailVerified { account.emailVerified = verified && account.email != nil }
        switch patch.phone {
        case .unchanged: break
        case .clear: account.phone = nil; account.phoneVerified = false
        case .set(let v):
            account.phone = try IdentifierPolicy.phone(v)
            account.phoneVerified = true
        }
        if let verified = patch.phoneVerified { account.phoneVerified = verified && account.phone != nil }
        if let state = patch.state {
            guard let parsed = AccountState(rawValue: state) else {
                throw BrokerError.invalidRequest(field: "state", reason: .oneOf(["active", "blocked"]))
            }
            account.state = parsed
        }
        if let locale = patch.locale { account.locale = try LocalePolicy.validate(locale) }
        guard account != before else { return before }
        account.updatedAt = now
        var changes: [StoreChange] = [.updateAccount(account)]
        var changed: [String] = []
        if account.login != before.login { changed.append("login") }
        if account.email != before.email || account.emailVerified != before.emailVerified { changed.append("email") }
        if account.phone != before.phone || account.phoneVerified != before.phoneVerified { changed.append("phone") }
        if account.locale != before.locale { changed.append("locale") }
        if account.state != before.state {
            changed.append("state")
            if account.state == .blocked {
                changes.append(.revokeSessions(accountId: id, exceptTokenHash: nil, at: now))
            }
        }
        changes.append(ports.audit("account_updated", account: id, actor: actor, ["fields": changed.joined(separator: ",")]))
        try await commitUpdate(changes)
        account.version += 1
        return account
    }

    public func setState(_ id: String, _ state: AccountState) async throws -> Account {
        var patch = AccountPatchInput()
        patch.state = state.rawValue
        return try await self.patch(id, patch)
    }

    /// Sets a new password, signs the account out everywhere and ends its open proofs.
    public func setPassword(_ id: String, _ password: Secret) async throws {
        var account = try await get(id)
        try security.passwordPolicy.validate(password)
        let now = ports.clock.now()
        account.passwordHash = try await ports.hasher.hash(password)
        account.updatedAt = now
        try await commitUpdate([
            .updateAccount(account),
            .revokeSessions(accountId: id, exceptTokenHash: nil, at: now),
            .revokeCheckWords(accountId: id, purposes: CheckWordPurpose.proofs, at: now),
            ports.audit("password_set", account: id, actor: actor),
        ])
    }

    /// Offboarding in one step (a dismissed employee): the new address, verified; every session
    /// ended; every open word (recovery links and codes, proofs, "not me" links) dead, since they
    /// went to the old address.
    public func replaceEmail(_ id: String, with raw: String) async throws -> Account {
        var account = try await get(id)
        let email = try IdentifierPolicy.email(raw)
        let now = ports.clock.now()
        account.email = email
        account.emailVerified = true
        account.updatedAt = now
        try await commitUpdate([
            .updateAccount(account),
            .revokeSessions(accountId: id, exceptTokenHash: nil, at: now),
            .revokeCheckWords(accountId: id, purposes: CheckWordPurpose.allCases, at: now),
            ports.audit("email_replaced", account: id, actor: actor),
        ])
        account.version += 1
        return account
    }

    /// Records that an operator put a message back in line (the outbox port did it).
    public func recordRetry(messageId: String, accountId: String?) async throws {
        try await ports.commit([ports.audit("message_retried", account: accountId, actor: actor, ["message": messageId])])
    }

    /// The admin token a console sign-in names, or nil. Counted first as a failed sign-in of the
    /// client's address (a right token gives it back), so tokens cannot be guessed faster than
    /// `login_per_address` a window; compared in constant time against every configured token.
    public func consoleToken(_ candidate: String, tokens: [Secret], limits: RateLimitSettings, clientAddress: String?) async throws -> Secret? {
        let throttle = ports.throttle(limits)
        let ticket = try await throttle.admit(throttle.signInFailures(account: nil, identifier: nil, clientAddress: clientAddress)) {
            BrokerError.tooManyAttempts(retryAfter: $0)
        }
        var found: Secret?
        for token in tokens where TokenHash.constantTimeEquals(candidate, token.value) { found = token }
        if found != nil { await ticket.release() }
        return found
    }

    public func link(_ id: String, _ input: IdentityInput) async throws -> Account {
        var account = try await get(id)
        let identity = try validIdentity(input, field: nil, now: ports.clock.now())
        try await ports.commit([
            .insertIdentity(accountId: id, identity),
            ports.audit("identity_linked", account: id, actor: actor, ["provider": identity.provider]),
        ])
        account.identities.append(identity)
        return account
    }

    public func unlink(_ id: String, provider: String, subject: String) async throws {
        _ = try await get(id)
        do {
            try await ports.commit([
                .deleteIdentity(accountId: id, provider: provider, subject: subject),
                ports.audit("identity_unlinked", account: id, actor: actor, ["provider": provider]),
            ])
        } catch StoreError.stale {
            throw BrokerError.notFound(what: "Identity")
        }
    }

    public func delete(_ id: String) async throws {
        _ = try await get(id)
        do {
            try await ports.commit([.deleteAccount(id: id), ports.audit("account_deleted", account: id, actor: actor)])
        } catch StoreError.stale {
            throw BrokerError.notFound(what: "Account")
        }
    }

    private func commitUpdate(_ changes: [StoreChange]) async throws {
        do {
            try await ports.commit(changes)
        } catch StoreError.stale {
            throw BrokerError.conflict(field: "version")
        }
    }

    private func validIdentity(_ input: IdentityInput, field: String?, now: Date) throws -> Identity {
        let provider = input.provider.trimmingWhitespace()
        guard providers.provider(id: provider) != nil else {
            throw BrokerError.invalidRequest(field: field.map { $0 + ".provider" } ?? "provider", reason: .unknownProvider(provider))
        }
        let subject = input.subject.trimmingWhitespace()
        guard !subject.isEmpty, subject.utf8.count <= 255 else {
            throw BrokerError.invalidRequest(field: field.map { $0 + ".subject" } ?? "subject", reason: .subjectLength)
        }
        let email = try input.email.map { try IdentifierPolicy.email($0, field: field.map { $0 + ".email" } ?? "email") }
        return Identity(provider: provider, subject: subject, email: email, createdAt: now)
    }
}
