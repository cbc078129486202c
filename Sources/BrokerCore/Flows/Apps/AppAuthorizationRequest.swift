import Foundation

/// `GET /oauth2/authorize`, read and checked. Parsing decides first whether the request may be
/// answered by a redirect at all (a known client and a registered redirect URI); every later
/// problem goes back to the app as RFC 6749 §4.1.2.1 says.
public struct AppAuthorizationRequest: Sendable, Equatable {
    public static let path = "/oauth2/authorize"
    public static let supportedScopes: Set<String> = ["openid", "email", "phone", "profile", "offline_access"]
    /// The broker's own marker, added when it sends the person to sign in again for `prompt=login`
    /// or `max_age`: a sign-in at or after its time satisfies them. It is `<unix seconds>.<HMAC>`,
    /// signed over the time and this request's client, redirect URI, state, nonce and challenge
    /// (`AppFlow.marker`), so nobody can add one that waives a fresh sign-in the app asked for.
    public static let authAfterParameter = "auth_after"
    /// The broker's own marker on the pages' "Back to the site": without a sign-in that satisfies
    /// the request, the person gave up, and the app hears `access_denied`.
    public static let cancelParameter = "broker_cancel"

    public var client: AppClient
    public var redirectURI: String
    public var state: String?
    /// Granted scopes: what was asked of the supported ones, in a stable order.
    public var scope: [String]
    public var nonce: String?
    public var codeChallenge: String?
    public var prompt: Set<String>
    public var maxAge: Int?
    public var loginHint: String?
    public var uiLocales: String?
    /// The `auth_after` marker as it came; `AppFlow` believes it only when its signature checks.
    public var authAfterMarker: String?
    public var cancelled = false

    /// Reads the query of an authorization request. `parameters` holds each name once; `repeated`
    /// names the ones that came more than once (RFC 6749 §3.1 forbids that).
    public static func parse(_ parameters: [String: String], repeated: Set<String> = [], apps: AppDirectory) throws -> AppAuthorizationRequest {
        guard let clientId = parameters["client_id"], !repeated.contains("client_id"), let client = apps.client(id: clientId) else {
            throw UnredirectableAuthorizationError(parameter: "client_id", description: "unknown client")
        }
        guard let redirectURI = parameters["redirect_uri"], !repeated.contains("redirect_uri"), client.redirectURIs.contains(redirectURI) else {
            throw UnredirectableAuthorizationError(parameter: "redirect_uri", description: "redirect_uri is not registered for this client")
        }
        let state = parameters["state"]
        func refuse(_ error: OAuthError) -> RedirectedAuthorizationError {
            RedirectedAuthorizationError(error: error, redirectURI: redirectURI, state: state)
        }
        if let name = repeated.sorted().first { throw refuse(.invalidRequest("\(name) is repeated")) }
        for (name, limit) in [("state", 512), ("nonce", 512), ("login_hint", 320), ("ui_locales", 64)] {
            if let value = parameters[name], value.utf8.count > limit { throw refuse(.invalidRequest("\(name) is longer than \(limit) bytes")) }
        }
        guard let responseType = parameters["response_type"] else { throw refuse(.invalidRequest("response_type is missing")) }
        guard responseType == "code" else { throw refuse(OAuthError("unsupported_response_type", "only response_type=code is supported")) }
        if let mode = parameters["response_mode"], mode != "query" { throw refuse(.invalidRequest("only response_mode=query is supported")) }
        let asked = Set((parameters["scope"] ?? "").split(separator: " ").map(String.init))
        guard asked.contains("openid") else { throw refuse(OAuthError("invalid_scope", "scope must contain openid")) }
        let scope = ["openid", "email", "phone", "profile", "offline_access"].filter(asked.contains)

        var challenge: String?
        if let value = parameters["code_challenge"] {
            guard (parameters["code_challenge_method"] ?? "plain") == "S256" else {
                throw refuse(.invalidRequest("code_challenge_method must be S256"))
            }
            guard value.utf8.count == 43, value.utf8.allSatisfy(Self.isBase64URL) else {
                throw refuse(.invalidRequest("code_challenge must be a base64url SHA-256 (43 characters)"))
            }
            challenge = value
        } else if parameters["code_challenge_method"] != nil {
            throw refuse(.invalidRequest("code_challenge_method without code_challenge"))
        } else if client.isPublic {
            throw refuse(.invalidRequest("a public client must send code_challenge (PKCE, S256)"))
        }

        let prompt = Set((parameters["prompt"] ?? "").split(separator: " ").map(String.init))
        if prompt.contains("none"), prompt.count > 1 { throw refuse(.invalidRequest("prompt=none cannot be combined")) }
        var maxAge: Int?
        if let raw = parameters["max_age"] {
            guard let value = Int(raw), value >= 0 else { throw refuse(.invalidRequest("max_age must be a whole number of seconds")) }
            maxAge = value
        }
        return AppAuthorizationRequest(
            client: client, redirectURI: redirectURI, state: state, scope: scope, nonce: parameters["nonce"], codeChallenge: challenge,
            prompt: prompt, maxAge: maxAge, loginHint: parameters["login_hint"], uiLocales: parameters["ui_locales"],
            authAfterMarker: parameters[authAfterParameter],
            cancelled: parameters[cancelParameter] == "1"
        )
    }

    static func isBase64URL(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F
    }

    /// Whether a sign-in at `authenticatedAt` is recent enough for `prompt=login` and `max_age`;
    /// `authAfter` is the time of a verified marker.
    public func accepts(authenticatedAt: Date, now: Date, authAfter: Date?) -> Bool {
        if let authAfter, authenticatedAt >= authAfter { return true }
        if prompt.contains("login") { return false }
        if let maxAge, now.timeIntervalSince(authenticatedAt) > TimeInterval(maxAge) { return false }
        return true
    }

    /// `redirect_uri` with `values` added to its query (it may have one of its own).
    public static func redirect(_ uri: String, _ values: [(String, String?)]) -> String {
        var components = URLComponents(string: uri) ?? URLComponents()
        let added = values.compactMap { name, value in value.map { Self.encode(name) + "=" + Self.encode($0) } }
        components.percentEncodedQuery = ([components.percentEncodedQuery].compactMap { $0 }.filter { !$0.isEmpty } + added).joined(separator: "&")
        return components.string ?? uri
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters (a `+` in a state stays a `+`).
    public static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
