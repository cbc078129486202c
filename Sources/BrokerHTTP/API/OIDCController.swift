import BrokerCore
import Foundation
import Hummingbird

/// The JSON half of the broker as an OpenID Connect provider: discovery, the JWKS, the token
/// endpoint and userinfo. Errors here are RFC 6749 §5.2 / RFC 6750 §3 objects, not the broker's
/// envelope: OIDC client libraries read those.
struct OIDCController {
    let apps: AppFlow
    let signer: any IDTokenSigner

    struct Discovery: Encodable {
        var issuer: String
        var authorizationEndpoint: String
        var tokenEndpoint: String
        var userinfoEndpoint: String
        var jwksURI: String
        var endSessionEndpoint: String
        var responseTypesSupported = ["code"]
        var responseModesSupported = ["query"]
        var grantTypesSupported = ["authorization_code", "refresh_token"]
        var subjectTypesSupported = ["public"]
        var idTokenSigningAlgValuesSupported = ["RS256"]
        var codeChallengeMethodsSupported = ["S256"]
        var tokenEndpointAuthMethodsSupported = ["client_secret_basic", "client_secret_post", "none"]
        var scopesSupported = ["openid", "email", "phone", "profile", "offline_access"]
        var claimsSupported = ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "azp", "email", "email_verified",
                               "phone_number", "phone_number_verified", "preferred_username", "locale"]
        var promptValuesSupported = ["none", "login"]
        var uiLocalesSupported = LocalePolicy.supported
        var authorizationResponseIssParameterSupported = true

        enum CodingKeys: String, CodingKey {
            case issuer
            case authorizationEndpoint = "authorization_endpoint", tokenEndpoint = "token_endpoint", userinfoEndpoint = "userinfo_endpoint"
            case jwksURI = "jwks_uri", endSessionEndpoint = "end_session_endpoint"
            case responseTypesSupported = "response_types_supported", responseModesSupported = "response_modes_supported"
            case grantTypesSupported = "grant_types_supported", subjectTypesSupported = "subject_types_supported"
            case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
            case codeChallengeMethodsSupported = "code_challenge_methods_supported"
            case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
            case scopesSupported = "scopes_supported", claimsSupported = "claims_supported", promptValuesSupported = "prompt_values_supported"
            case uiLocalesSupported = "ui_locales_supported"
            case authorizationResponseIssParameterSupported = "authorization_response_iss_parameter_supported"
        }
    }

    struct TokenAnswer: Encodable {
        var accessToken: String
        var tokenType = "Bearer"
        var expiresIn: Int
        var idToken: String
        var scope: String
        var refreshToken: String?
        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in", idToken = "id_token", scope
            case refreshToken = "refresh_token"
        }
    }

    struct ErrorAnswer: Encodable {
        var error: String
        var errorDescription: String
        enum CodingKeys: String, CodingKey { case error, errorDescription = "error_description" }
    }

    func addRoutes(to routes: some RouterMethods<BrokerRequestContext>) {
        routes.get("/.well-known/openid-configuration", use: discovery)
        routes.get("/oauth2/jwks", use: jwks)
        routes.post("/oauth2/token", use: token)
        routes.get("/oauth2/userinfo", use: userInfo)
        routes.post("/oauth2/userinfo", use: userInfo)
    }

    @Sendable func discovery(_: Request, context _: BrokerRequestContext) async throws -> Response {
        let issuer = apps.settings.issuer
        let document = Discovery(
            issuer: issuer, authorizationEndpoint: issuer + AppAuthorizationRequest.path, tokenEndpoint: issuer + "/oauth2/token",
            userinfoEndpoint: issuer + "/oauth2/userinfo", jwksURI: issuer + "/oauth2/jwks", endSessionEndpoint: issuer + "/oauth2/logout"
        )
        return try JSONResponse.make(document, headers: [.cacheControl: "public, max-age=300"])
    }

    @Sendable func jwks(_: Request, context _: BrokerRequestContext) async throws -> Response {
        let data = try await signer.jwks()
        // Short: a rotated key must reach clients well before the old one stops being listed.
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=60"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    @Sendable func token(_ request: Request, context _: BrokerRequestContext) async throws -> Response {
        var basicUsed = false
        do {
            let form = try await Self.formBody(request)
            let basic = try Self.basicCredentials(request)
            basicUsed = basic != nil
            if basic != nil, form["client_secret"] != nil { throw OAuthError.invalidRequest("use one way of client authentication, not two") }
            if let basic, let id = form["client_id"], id != basic.id { throw OAuthError.invalidRequest("client_id differs from the Authorization header") }
            let client = try apps.authenticateClient(id: basic?.id ?? form["client_id"], secret: basic?.secret ?? form["client_secret"])
            let grant: TokenGrant
            switch form["grant_type"] {
            case "authorization_code":
                grant = try await apps.exchange(client: client, code: form["code"], redirectURI: form["redirect_uri"], verifier: form["code_verifier"])
            case "refresh_token":
                grant = try await apps.refresh(client: client, refreshToken: form["refresh_token"], scope: form["scope"])
            case nil:
                throw OAuthError.invalidRequest("grant_type is missing")
            default:
                throw OAuthError("unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
            }
            let answer = TokenAnswer(accessToken: grant.accessToken, expiresIn: grant.expiresIn, idToken: grant.idToken, scope: grant.scope,
                                     refreshToken: grant.refreshToken)
            return try JSONResponse.make(answer, headers: [.cacheControl: "no-store"])
        } catch let error as OAuthError {
            let unauthorized = error.code == "invalid_client"
            var headers: HTTPFields = [.cacheControl: "no-store"]
            if unauthorized, basicUsed { headers[.wwwAuthenticate] = "Basic realm=\"broker\"" }
            return try JSONResponse.make(ErrorAnswer(error: error.code, errorDescription: error.description),
                                         status: unauthorized ? .unauthorized : .badRequest, headers: headers)
        }
    }

    @Sendable func userInfo(_ request: Request, context _: BrokerRequestContext) async throws -> Response {
        do {
            let info = try await apps.userInfo(accessToken: SessionCookies.bearerToken(request))
            return try JSONResponse.make(info)
        } catch let error as OAuthError {
            let header = "Bearer error=\"invalid_token\", error_description=\"\(error.description)\""
            return try JSONResponse.make(ErrorAnswer(error: "invalid_token", errorDescription: error.description), status: .unauthorized,
                                         headers: [.wwwAuthenticate: header])
        }
    }

    /// The form of a token request (`application/x-www-form-urlencoded`, at most 16 kB).
    static func formBody(_ request: Request) async throws -> [String: String] {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            throw OAuthError.invalidRequest("the body must be application/x-www-form-urlencoded")
        }
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: 16 * 1024) } catch { throw OAuthError.invalidRequest("the body is too large") }
        var fields: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.formDecode(parts[0]), let value = Self.formDecode(parts.count > 1 ? parts[1] : "") else {
                throw OAuthError.invalidRequest("the body is not valid form encoding")
            }
            guard fields[name] == nil else { throw OAuthError.invalidRequest("\(name) is repeated") }
            if !value.isEmpty { fields[name] = value }
        }
        return fields
    }

    static func formDecode(_ part: Substring) -> String? {
        part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// `Authorization: Basic` client credentials: id and secret each form-encoded (RFC 6749 §2.3.1).
    static func basicCredentials(_ request: Request) throws -> (id: String, secret: String)? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic" else { return nil }
        guard let data = Data(base64Encoded: String(parts[1]).trimmingWhitespace()), let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":"),
              let id = formDecode(text[..<colon]), let secret = formDecode(text[text.index(after: colon)...])
        else { throw OAuthError.invalidClient }
        return (id, secret)
    }
}
