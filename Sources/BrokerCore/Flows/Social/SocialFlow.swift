import Foundation

/// Sign-in through a social provider (the seed's method 3, and the way back in
/// after recovering at the provider). A known identity signs in; `intent=link`
/// with a session links; a provider email that belongs to another account is
/// never linked without proof of control of that account; otherwise a new
/// social-only account is created.
public struct SocialFlow: Sendable {
    let ports: BrokerPorts
    let gateway: any SocialGateway
    let providers: any ProviderDirectory
    let secrets: CheckWordSecrets
    let returnTo: ReturnToPolicy
    let signIn: SignInFlow
    let composer: any MessageComposer
    let publicURL: String
    let stateTTLSeconds: Int
    let confirmationTTLSeconds: Int
    var notice: ChangeNotice {
        ChangeNotice(ports: ports, composer: composer, secrets: secrets, publicURL: publicURL, notMeTTLSeconds: RecoverySettings(publicURL: publicURL).notMeTTLSeconds)
    }

    func providerName(_ id: String) -> String { providers.provider(id: id)?.name ?? id }

    public init(
        ports: BrokerPorts, gateway: any SocialGateway, providers: any ProviderDirectory, secrets: CheckWordSecrets,
        returnTo: ReturnToPolicy, signIn: SignInFlow, composer: any MessageComposer, publicURL: String,
        stateTTLSeconds: Int = 600, confirmationTTLSeconds: Int = 3600
    ) {
        self.ports = ports
        self.gateway = gateway
        self.providers = providers
        self.secrets = secrets
        self.returnTo = returnTo
        self.signIn = signIn
        self.composer = composer
        self.publicURL = publicURL
        self.stateTTLSeconds = stateTTLSeconds
        self.confirmationTTLSeconds = confirmationTTLSeconds
    }

    /// Where to send the browser, and the value of the cookie that binds the flow to it.
    public struct Started: Sendable {
        public var redirectURL: String
        public var binding: String
    }

    /// What a callback ended in.
    public enum Outcome: Sendable {
        case signedIn(IssuedSession, returnTo: String)
        /// The provider's email belongs to an account that must first prove it agrees.
        case confirmationRequired(account: Account, provider: String, pendingToken: String, emailHint: String, returnTo: String)
    }

    public func start(
        provider id: String, returnTo raw: String?, intent rawIntent: String?, sessionToken: String?, locale: String, clientAddress: String? = nil
    ) async throws -> Started {
        guard let provider = providers.provider(id: id) else { throw BrokerError.unknownProvider }
        guard provider.signIn else { throw BrokerError.providerNotConfigured }
        let target: String
        if let raw, !raw.isEmpty {
            guard let ok = returnTo.check(raw) else { throw BrokerError.invalidReturnTo }
            target = ok
        } else {
            target = publicURL + "/account"
        }
        guard let intent = OAuthState.Intent(rawValue: rawIntent ?? "login") else {
            throw BrokerError.invalidRequest(field: "intent", reason: .oneOf(["login", "link"]))
        }
        var accountId: String?
        if intent == .link {
            guard let token = sessionToken, let (session, account) = try? await signIn.current(token: token) else { throw BrokerError.unauthenticated }
            try signIn.security.requireRecentSignIn(session, now: ports.clock.now())
            accountId = account.id
        }
        // Every start leaves a state row behind: one address may start only so many in a window.
        if let address = clientAddress.map(ClientAddressPolicy.throttleKey) {
            _ = try await signIn.throttle.admit([.init(key: "start:addr:" + address, limit: signIn.limits.limit(signIn.limits.startPerAddress))]) {
                BrokerError.tooManyRequests(retryAfter: $0)
            }
        }
        let now = ports.clock.now()
        let stateId = ports.tokens.identifier()
        let state = ports.tokens.token(bytes: 32)
        let binding = ports.tokens.token(bytes: 32)
        let record = OAuthState(
            id: stateId, stateHash: TokenHash.of(state), bindingHash: TokenHash.of(binding), provider: id, intent: intent,
            accountId: accountId, returnTo: target, locale: locale, createdAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(stateTTLSeconds))
        )
        try await ports.commit([.insertOAuthState(record)])
        let url = try await gateway.authorizationURL(provider: id, request: request(for: record, state: state))
        return Started(redirectURL: url, binding: binding)
    }

    public func callback(provider id: String, state: String?, code: String?, error: String?, binding: String?) async throws -> Outcome {
        guard providers.provider(id: id) != nil else { throw BrokerError.unknownProvider }
        let now = ports.clock.now()
        guard let state, !state.isEmpty, state.utf8.count <= 512,
              let record = try await ports.store.oauthState(stateHash: TokenHash.of(state)),
              record.provider == id, record.usedAt == nil, record.expiresAt > now,
              let binding, TokenHash.constantTimeEquals(TokenHash.of(binding), record.bindingHash)
        else { throw BrokerError.invalidState }
        do {
            try await ports.commit([.consumeOAuthState(id: record.id, at: now)])
        } catch StoreError.stale {
            throw BrokerError.invalidState
        }
        if let error { throw BrokerError.providerError(String(error.prefix(100))) }
        guard let code, !code.isEmpty else { throw BrokerError.providerError("no authorization code") }
        let claims = try await gateway.complete(provider: id, code: code, request: request(for: record, state: state))
        return try await resolve(claims, record: record)
    }

    func request(for record: OAuthState, state: String) -> AuthorizationRequest {
        AuthorizationRequest(
            state: state, nonce: secrets.derived("nonce", id: record.id), codeVerifier: secrets.derived("pkce", id: record.id),
            redirectURI: publicURL + "/auth/\(record.provider)/callback"
        )
    }

    func resolve(_ claims: ProviderClaims, record: OAuthState) async throws -> Outcome {
        let now = ports.clock.now()
        let method = "provider:" + claims.provider
        let email = claims.email.flatMap { try? IdentifierPolicy.email($0) }
        let identity = Identity(provider: claims.provider, subject: claims.subject, email: email, createdAt: now)

        if let known = try await ports.store.account(provider: claims.provider, subject: claims.subject) {
            if record.intent == .link, let target = record.accountId, target != known.id { throw BrokerError.identityTaken }
            return .signedIn(try await session(for: known, method: method, extra: []), returnTo: record.returnTo)
        }
        if record.intent == .link, let target = record.accountId, let account = try await ports.store.account(id: target) {
            var linked = account
            linked.identities.append(identity)
            let audit = ports.audit("identity_linked", account: account.id, actor: "user", ["provider": claims.provider])
            let notices = try notice.changes(.providerLinked(provider: providerName(claims.provider)), account: account)
            return .signedIn(try await session(for: linked, method: method, extra: [.insertIdentity(accountId: account.id, identity), audit] + notices),
                             returnTo: record.returnTo)
        }
        if let email, claims.emailVerified, let owner = try await ports.store.account(email: email), owner.emailVerified {
            return try await requireConfirmation(owner: owner, identity: identity, record: record)
        }
        // A new social-only account; the provider's email becomes its verified email only when
        // the provider vouches for it and no other account has it.
        var account = Account(id: ports.tokens.identifier(), locale: record.locale, createdAt: now, identities: [identity])
        if let email, claims.emailVerified, try await ports.store.account(email: email) == nil {
            account.email = email
            account.emailVerified = true
        }
        let audit = ports.audit("account_created", account: account.id, actor: "user", ["provider": claims.provider])
        do {
            return .signedIn(try await session(for: account, method: method, first: .insertAccount(account), extra: [audit]), returnTo: record.returnTo)
        } catch BrokerError.conflict {
            // The same identity or email arrived concurrently: resolve again against what now exists.
            return try await resolve(claims, record: record)
        }
    }

    func session(for account: Account, method: String, first: StoreChange? = nil, extra: [StoreChange]) async throws -> IssuedSession {
        guard account.state == .active else { throw BrokerError.accountBlocked }
        let now = ports.clock.now()
        let issued = signIn.newSession(for: account, methods: [method], now: now)
        var changes = first.map { [$0] } ?? []
        changes += extra
        changes.append(.insertSession(issued.session))
        changes.append(ports.audit("signed_in", account: account.id, actor: "user", ["method": method]))
        try await ports.commit(changes)
        return issued
    }
}
