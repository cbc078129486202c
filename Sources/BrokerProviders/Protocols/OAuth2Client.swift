import BrokerCore
import Foundation

/// Plain OAuth 2.0 (GitHub, VK, Yandex, ...): no id_token; the person is whoever the userinfo
/// endpoint says the access token belongs to, and (GitHub) the verified primary email comes
/// from a second endpoint.
struct OAuth2Client: ProtocolClient {
    func authorizationParameters(_ request: AuthorizationRequest) -> [URLQueryItem] { [] }

    func claims(
        from tokens: [String: Any], accessToken: String, definition: ProviderDefinition, endpoints: ProviderGateway.Discovery,
        credentials: ProviderCredentials, request: AuthorizationRequest, gateway: ProviderGateway
    ) async throws -> ProviderClaims {
        guard let userinfo = endpoints.userinfoEndpoint else { throw BrokerError.providerError("no userinfo endpoint") }
        var info = try await gateway.json(userinfo, method: .GET, headers: gateway.auth(definition, accessToken), body: nil, what: "userinfo")
        if let emailEndpoint = definition.emailEndpoint {
            // GitHub: the primary address and whether it is verified come from a second call.
            let list = try await gateway.jsonArray(emailEndpoint, headers: gateway.auth(definition, accessToken))
            if let primary = list.first(where: { ($0["primary"] as? Bool) == true }) {
                info[definition.claims.email] = primary["email"]
                info[definition.claims.emailVerified] = primary["verified"]
            }
        }
        return try ClaimMapper.claims(provider: definition.id, mapping: definition.claims, json: info)
    }
}
