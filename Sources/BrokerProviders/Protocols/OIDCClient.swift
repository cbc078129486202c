import BrokerCore
import Foundation

/// OpenID Connect: a nonce on the way out; on the way back an id_token verified against the
/// provider's JWKS (signature, alg, iss, aud, azp, exp, nonce), completed from userinfo when
/// the token carries no email.
struct OIDCClient: ProtocolClient {
    func authorizationParameters(_ request: AuthorizationRequest) -> [URLQueryItem] {
        [URLQueryItem(name: "nonce", value: request.nonce)]
    }

    func claims(
        from tokens: [String: Any], accessToken: String, definition: ProviderDefinition, endpoints: ProviderGateway.Discovery,
        credentials: ProviderCredentials, request: AuthorizationRequest, gateway: ProviderGateway
    ) async throws -> ProviderClaims {
        guard let idToken = tokens["id_token"] as? String else { throw BrokerError.invalidIDToken("missing") }
        let verifier = IDTokenVerifier(issuer: endpoints.issuer, clientId: credentials.clientId)
        var claims = try await gateway.verifyWithRefresh(idToken, verifier: verifier, definition: definition, endpoints: endpoints, nonce: request.nonce)
        if ClaimMapper.string(claims, path: definition.claims.email) == nil, let userinfo = endpoints.userinfoEndpoint {
            let info = try await gateway.json(userinfo, method: .GET, headers: gateway.auth(definition, accessToken), body: nil, what: "userinfo")
            // Only the same subject's answer may fill in what the token lacks.
            if ClaimMapper.string(info, path: "sub") == ClaimMapper.string(claims, path: "sub") {
                claims.merge(info) { current, _ in current }
            }
        }
        return try ClaimMapper.claims(provider: definition.id, mapping: definition.claims, json: claims)
    }
}
