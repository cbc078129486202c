/// An error answered the way RFC 6749 and OpenID Connect Core say: by a redirect to the
/// app (authorize), or as `{"error", "error_description"}` (token, userinfo).
public struct OAuthError: Error, Sendable, Equatable {
    /// `invalid_request`, `invalid_grant`, `invalid_client`, `login_required`, ...
    public var code: String
    public var description: String

    public init(_ code: String, _ description: String) {
        self.code = code
        self.description = description
    }

    public static func invalidRequest(_ d: String) -> OAuthError { OAuthError("invalid_request", d) }
    public static func invalidGrant(_ d: String) -> OAuthError { OAuthError("invalid_grant", d) }
    public static let invalidClient = OAuthError("invalid_client", "client authentication failed")
}

/// An authorization request that cannot be answered by a redirect: the client is unknown or
/// the redirect URI is not registered. The broker shows a page and never redirects.
public struct UnredirectableAuthorizationError: Error, Sendable, Equatable {
    /// The parameter at fault: `client_id` or `redirect_uri`.
    public var parameter: String
    public var description: String
}

/// A refused authorization request that goes back to the app's registered redirect URI.
public struct RedirectedAuthorizationError: Error, Sendable, Equatable {
    public var error: OAuthError
    public var redirectURI: String
    public var state: String?
}
