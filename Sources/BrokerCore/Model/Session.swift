import Foundation

/// A signed-in browser or client. Only the SHA-256 of its token is ever stored.
public struct Session: Sendable, Equatable {
    public var id: String
    public var tokenHash: String
    public var accountId: String
    public var createdAt: Date
    public var expiresAt: Date
    /// When the person last proved who they are (password or provider); recent-sign-in rules read this.
    public var authenticatedAt: Date
    /// How the person authenticated: "password", "provider:google", ...
    public var methods: [String]
    public var revokedAt: Date?

    public init(
        id: String, tokenHash: String, accountId: String, createdAt: Date, expiresAt: Date,
        authenticatedAt: Date, methods: [String], revokedAt: Date? = nil
    ) {
        self.id = id
        self.tokenHash = tokenHash
        self.accountId = accountId
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.authenticatedAt = authenticatedAt
        self.methods = methods
        self.revokedAt = revokedAt
    }

    public func isLive(at now: Date) -> Bool { revokedAt == nil && expiresAt > now }
}
