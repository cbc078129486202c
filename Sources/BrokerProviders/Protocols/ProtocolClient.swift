import BrokerCore
import Foundation

/// What differs between provider protocols: the extra authorization parameters, and how the
/// token endpoint's answer becomes the person's claims. One type per protocol (`OIDCClient`,
/// `OAuth2Client`), as Ory Kratos has one provider per protocol; the gateway does the rest
/// (discovery, PKCE, the code exchange, HTTP, caches).
protocol ProtocolClient: Sendable {
    /// Parameters this protocol adds to the authorization redirect.
    func authorizationParameters(_ request: AuthorizationRequest) -> [URLQueryItem]

    /// The claims of the person the token endpoint answered for.
    func claims(
        from tokens: [String: Any], accessToken: String, definition: ProviderDefinition, endpoints: ProviderGateway.Discovery,
        credentials: ProviderCredentials, request: AuthorizationRequest, gateway: ProviderGateway
    ) async throws -> ProviderClaims
}
