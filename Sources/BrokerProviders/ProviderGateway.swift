import AsyncHTTPClient
import BrokerCore
import Crypto
import Foundation
import JWTKit
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// The social-provider adapter: OpenID Connect discovery and JWKS (cached for an
/// hour, refreshed when a key id is unknown), the authorization redirect with
/// PKCE S256 and the code exchange, through async-http-client. What a protocol does
/// with the tokens (verify an id_token, call userinfo) is its `ProtocolClient`'s.
public final class ProviderGateway: SocialGateway, Sendable {
    struct Discovery: Sendable {
        var issuer: String
        var authorizationEndpoint: String
        var tokenEndpoint: String
        var userinfoEndpoint: String?
        var jwksURI: String
    }

    let catalog: ProviderCatalog
    let http: HTTPClient
    let clock: any WallClock
    let cacheSeconds: TimeInterval
    let discoveries = Mutex<[String: (Discovery, Date)]>([:])
    let keySets = Mutex<[String: (JWTKeyCollection, Date)]>([:])

    /// `http` defaults to async-http-client's process-wide client (`HTTPClient.shared`): it is
    /// Sendable, lives as long as the process and needs no shutdown, which is what a broker that
    /// calls a handful of providers wants; tests pass their own.
    public init(catalog: ProviderCatalog, http: HTTPClient = .shared, clock: any WallClock, cacheSeconds: TimeInterval = 3600) {
        self.catalog = catalog
        self.http = http
        self.clock = clock
        self.cacheSeconds = cacheSeconds
    }

    public func authorizationURL(provider id: String, request: AuthorizationRequest) async throws -> String {
        let (definition, credentials) = try configured(id)
        let endpoints = try await endpoints(definition)
        guard var components = URLComponents(string: endpoints.authorizationEndpoint) else {
            throw BrokerError.providerError("bad authorization endpoint")
        }
        var items = components.queryItems ?? []
        items += [
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "client_id", value: credentials.clientId),
            URLQueryItem(name: "redirect_uri", value: request.redirectURI),
            URLQueryItem(name: "scope", value: definition.scopes.joined(separator: " ")),
            URLQueryItem(name: "state", value: request.state),
        ]
        items += client(for: definition).authorizationParameters(request)
        if definition.pkce {
            items.append(URLQueryItem(name: "code_challenge", value: Self.challenge(request.codeVerifier)))
            items.append(URLQueryItem(name: "code_challenge_method", value: "S256"))
        }
        if let mode = definition.responseMode { items.append(URLQueryItem(name: "response_mode", value: mode)) }
        components.queryItems = items
        // URLComponents leaves '+' alone in queries; providers read it as a space.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.string else { throw BrokerError.providerError("bad authorization endpoint") }
        return url
    }

    public func complete(provider id: String, code: String, request: AuthorizationRequest) async throws -> ProviderClaims {
        let (definition, credentials) = try configured(id)
        let endpoints = try await endpoints(definition)
        var form = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", request.redirectURI), ("client_id", credentials.clientId),
        ]
        if definition.pkce { form.append(("code_verifier", request.codeVerifier)) }
        var headers = HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")])
        let secret = try await clientSecret(credentials, audience: endpoints.issuer)
        if definition.tokenAuth == "basic" {
            let basic = Data((Self.formEncode(credentials.clientId) + ":" + Self.formEncode(secret)).utf8).base64EncodedString()
            headers.add(name: "Authorization", value: "Basic " + basic)
        } else {
            form.append(("client_secret", secret))
        }
        let body = form.map { Self.formEncode($0.0) + "=" + Self.formEncode($0.1) }.joined(separator: "&")
        let tokens = try await json(endpoints.tokenEndpoint, method: .POST, headers: headers, body: body, what: "token")
        guard let accessToken = tokens["access_token"] as? String else {
            throw BrokerError.providerError((tokens["error"] as? String) ?? "no access token")
        }
        return try await client(for: definition).claims(
            from: tokens, accessToken: accessToken, definition: definition, endpoints: endpoints, credentials: credentials, request: request,
            gateway: self
        )
    }

    /// The protocol client of a provider: one type per protocol, chosen here by an exhaustive switch.
    func client(for definition: ProviderDefinition) -> any ProtocolClient {
        switch definition.kind {
        case .oidc: OIDCClient()
        case .oauth2: OAuth2Client()
        }
    }

    /// The client secret to send: as configured, or (Apple) an ES256 JWT signed now with the
    /// configured key: iss = team id, sub = client id, aud = the issuer, five minutes of life.
    func clientSecret(_ c: ProviderCredentials, audience: String) async throws -> String {
        guard let team = c.teamId, let kid = c.keyId, c.clientSecret.value.contains("BEGIN PRIVATE KEY") else { return c.clientSecret.value }
        struct AppleClientSecret: JWTPayload {
            var iss: String
            var sub: String
            var aud: String
            var iat: Int
            var exp: Int
            func verify(using algorithm: some JWTAlgorithm) async throws {}
        }
        let keys = JWTKeyCollection()
        do {
            await keys.add(ecdsa: try ES256PrivateKey(pem: c.clientSecret.value), kid: JWKIdentifier(string: kid))
            let now = Int(clock.now().timeIntervalSince1970)
            return try await keys.sign(AppleClientSecret(iss: team, sub: c.clientId, aud: audience, iat: now, exp: now + 300),
                                       kid: JWKIdentifier(string: kid))
        } catch {
            throw BrokerError.providerError("cannot sign the client secret with the configured key")
        }
    }

    func verifyWithRefresh(_ token: String, verifier: IDTokenVerifier, definition: ProviderDefinition, endpoints: Discovery, nonce: String) async throws -> [String: Any] {
        let keys = try await keySet(definition.id, uri: endpoints.jwksURI, refresh: false)
        do {
            return try await verifier.verify(token, keys: keys, nonce: nonce, now: clock.now())
        } catch BrokerError.invalidIDToken("signature") {
            // The provider may have rotated its keys: fetch them once more, then decide.
            let fresh = try await keySet(definition.id, uri: endpoints.jwksURI, refresh: true)
            return try await verifier.verify(token, keys: fresh, nonce: nonce, now: clock.now())
        }
    }

    func configured(_ id: String) throws -> (ProviderDefinition, ProviderCredentials) {
        guard let definition = catalog.definition(id: id) else { throw BrokerError.unknownProvider }
        guard let credentials = catalog.credentials[id], !credentials.clientId.isEmpty, !credentials.clientSecret.value.isEmpty else {
            throw BrokerError.providerNotConfigured
        }
        return (definition, credentials)
    }

    func auth(_ definition: ProviderDefinition, _ token: String) -> HTTPHeaders {
        HTTPHeaders([("Authorization", (definition.userinfoAuth == "oauth" ? "OAuth " : "Bearer ") + token), ("Accept", "application/json"),
                     ("User-Agent", "recovery-broker")])
    }

    static func challenge(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncoded()
    }

    static func formEncode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
