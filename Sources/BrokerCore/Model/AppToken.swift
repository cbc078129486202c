import Foundation

/// A secret the broker gave an app: an authorization code, an access token or a refresh
/// token. Only its SHA-256 is stored. Every token descends from one authorization (its
/// `grantId`): replaying a used code or refresh token revokes the whole grant. Each lives
/// no longer than the broker session it was issued under (`sessionHash`), so a reset, a
/// password change, a block or a sign-out ends the app's tokens too.
public struct AppToken: Sendable, Equatable {
    public enum Kind: String, Sendable { case code, access, refresh }

    public var hash: String
    public var kind: Kind
    public var grantId: String
    public var clientId: String
    public var accountId: String
    /// The token hash of the broker session the authorization was given under.
    public var sessionHash: String
    public var scope: [String]
    public var nonce: String?
    /// Codes only: the redirect URI and PKCE challenge the exchange must match.
    public var redirectURI: String?
    public var codeChallenge: String?
    public var authTime: Date
    /// `amr` of the id_token: pwd, otp, fed.
    public var amr: [String]
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?
    public var revokedAt: Date?

    public init(
        hash: String, kind: Kind, grantId: String, clientId: String, accountId: String, sessionHash: String, scope: [String],
        nonce: String? = nil, redirectURI: String? = nil, codeChallenge: String? = nil, authTime: Date, amr: [String],
        createdAt: Date, expiresAt: Date, usedAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.hash = hash
        self.kind = kind
        self.grantId = grantId
        self.clientId = clientId
        self.accountId = accountId
        self.sessionHash = sessionHash
        self.scope = scope
        self.nonce = nonce
        self.redirectURI = redirectURI
        self.codeChallenge = codeChallenge
        self.authTime = authTime
        self.amr = amr
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.revokedAt = revokedAt
    }
}
