import Crypto
import Foundation

/// The broker as an OpenID Connect provider to the apps whose login pages link to it:
/// authorization codes for a signed-in person, and what the app trades them for. Whatever
/// path the person took at the broker (password, a recovery link or code, a social provider,
/// a conversion) ends in the same broker session, and `authorize` turns that into a code.
public struct AppFlow: Sendable {
    public struct Settings: Sendable {
        /// `server.public_url`: `iss` of every token and redirect.
        public var issuer: String
        public var codeTTLSeconds = 60
        public var accessTokenTTLSeconds = 600
        public var idTokenTTLSeconds = 600

        public init(issuer: String) { self.issuer = issuer }
    }

    /// What the browser is sent to after `GET /oauth2/authorize`.
    public enum Decision: Sendable, Equatable {
        /// Back to the app: a code, or an error the app should see.
        case redirect(String)
        /// To the sign-in page, and from there back to this same request. With `marker` (the value of
        /// `auth_after`), only a sign-in from then on satisfies it (`prompt=login`, `max_age`).
        case signIn(marker: String?)
    }

    let ports: BrokerPorts
    let signIn: SignInFlow
    public let apps: AppDirectory
    let signer: any IDTokenSigner
    public let settings: Settings
    /// Signs the `auth_after` markers.
    let markerKey: SymmetricKey

    public init(ports: BrokerPorts, signIn: SignInFlow, apps: AppDirectory, signer: any IDTokenSigner, settings: Settings, markerKey: SymmetricKey) {
        self.markerKey = markerKey
        self.ports = ports
        self.signIn = signIn
        self.apps = apps
        self.signer = signer
        self.settings = settings
    }

    /// Answers a parsed authorization request for the browser holding `sessionToken`.
    public func authorize(_ request: AppAuthorizationRequest, sessionToken: String?) async throws -> Decision {
        let now = ports.clock.now()
        let current = try await liveSession(token: sessionToken)
        let authAfter = verifiedAuthAfter(request)
        if let (session, account) = current, request.accepts(authenticatedAt: session.authenticatedAt, now: now, authAfter: authAfter) {
            let code = ports.tokens.token(bytes: 32)
            let token = AppToken(
                hash: TokenHash.of(code), kind: .code, grantId: ports.tokens.identifier(), clientId: request.client.clientId,
                accountId: account.id, sessionHash: session.tokenHash, scope: request.scope, nonce: request.nonce,
                redirectURI: request.redirectURI, codeChallenge: request.codeChallenge, authTime: session.authenticatedAt,
                amr: Self.amr(of: session.methods), createdAt: now, expiresAt: now.addingTimeInterval(TimeInterval(settings.codeTTLSeconds))
            )
            try await ports.commit([.insertAppToken(token), ports.audit("app_authorized", account: account.id, actor: "user", ["client_id": request.client.clientId])])
            return .redirect(AppAuthorizationRequest.redirect(request.redirectURI, [("code", code), ("state", request.state), ("iss", settings.issuer)]))
        }
        if request.cancelled {
            return .redirect(errorRedirect(OAuthError("access_denied", "the person went back to the app without signing in"), request.redirectURI, request.state))
        }
        if request.prompt.contains("none") {
            return .redirect(errorRedirect(OAuthError("login_required", "the person is not signed in at the broker"), request.redirectURI, request.state))
        }
        let demandsFreshSignIn = request.prompt.contains("login") || request.maxAge != nil
        return .signIn(marker: demandsFreshSignIn ? marker(Int(now.timeIntervalSince1970.rounded(.down)), for: request) : nil)
    }

    /// `<seconds>.<HMAC>` over the time and what makes this request the app's own (state and nonce
    /// are the app's random values): a marker cannot be forged, nor moved to another request.
    func marker(_ seconds: Int, for request: AppAuthorizationRequest) -> String {
        let signed = [String(seconds), request.client.clientId, request.redirectURI, request.state ?? "", request.nonce ?? "",
                      request.codeChallenge ?? ""].joined(separator: "\u{0}")
        return String(seconds) + "." + TokenHash.hex(HMAC<SHA256>.authenticationCode(for: Data(signed.utf8), using: markerKey).prefix(16))
    }

    /// The time of the request's `auth_after` marker when its signature checks, else nil.
    func verifiedAuthAfter(_ request: AppAuthorizationRequest) -> Date? {
        guard let raw = request.authAfterMarker, raw.utf8.count <= 64, let dot = raw.firstIndex(of: "."),
              let seconds = Int(raw[..<dot]), TokenHash.constantTimeEquals(raw, marker(seconds, for: request))
        else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Where a refused request goes: the app's redirect URI with `error`, `error_description`, `state` and `iss`.
    public func errorRedirect(_ error: OAuthError, _ redirectURI: String, _ state: String?) -> String {
        AppAuthorizationRequest.redirect(redirectURI, [
            ("error", error.code), ("error_description", error.description), ("state", state), ("iss", settings.issuer),
        ])
    }

    /// `amr` (RFC 8176) of a session's methods: a password is `pwd`, a recovery link or code a
    /// one-time secret (`otp`), a social provider `fed`.
    static func amr(of methods: [String]) -> [String] {
        var amr: [String] = []
        for method in methods {
            let value = method == "password" ? "pwd" : method.hasPrefix("provider:") ? "fed" : method.hasPrefix("recovery:") ? "otp" : nil
            if let value, !amr.contains(value) { amr.append(value) }
        }
        return amr
    }

    /// The session and account a token names, or nil when it names none that is live.
    func liveSession(token: String?) async throws -> (Session, Account)? {
        guard let token else { return nil }
        do { return try await signIn.current(token: token) } catch BrokerError.unauthenticated { return nil }
    }

    func liveSession(hash: String) async throws -> (Session, Account)? {
        do { return try await signIn.current(tokenHash: hash) } catch BrokerError.unauthenticated { return nil }
    }
}
