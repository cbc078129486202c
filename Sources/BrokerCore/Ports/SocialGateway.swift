/// Talks to social providers: builds the authorization redirect and, on the way
/// back, exchanges the code and verifies what comes back (id_token or userinfo).
/// Implementations throw `BrokerError.providerError` or `.invalidIDToken`.
public protocol SocialGateway: Sendable {
    func authorizationURL(provider: String, request: AuthorizationRequest) async throws -> String
    func complete(provider: String, code: String, request: AuthorizationRequest) async throws -> ProviderClaims
}

/// The per-flow values both legs of a sign-in share.
public struct AuthorizationRequest: Sendable, Equatable {
    public var state: String
    public var nonce: String
    public var codeVerifier: String
    public var redirectURI: String

    public init(state: String, nonce: String, codeVerifier: String, redirectURI: String) {
        self.state = state
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.redirectURI = redirectURI
    }
}
