import Foundation

/// An app whose login page sends people to the broker, and which learns who signed in
/// through OpenID Connect (`apps:` in the configuration). A client without a secret is
/// public (a browser or mobile app): it must use PKCE.
public struct AppClient: Sendable, Equatable {
    public var clientId: String
    public var secret: Secret?
    /// Shown on pages: "Sign in to Shop".
    public var name: String
    /// Compared exactly, character for character.
    public var redirectURIs: [String]
    public var postLogoutRedirectURIs: [String]

    public init(clientId: String, secret: Secret?, name: String, redirectURIs: [String], postLogoutRedirectURIs: [String]) {
        self.clientId = clientId
        self.secret = secret
        self.name = name
        self.redirectURIs = redirectURIs
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
    }

    public var isPublic: Bool { secret == nil }
}
