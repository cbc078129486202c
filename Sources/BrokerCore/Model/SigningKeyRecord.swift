import Foundation

/// One id_token signing key as stored: the private key sealed (AES-GCM) with a key derived
/// from the broker's secret key, so a copy of the database alone cannot sign tokens.
public struct SigningKeyRecord: Sendable, Equatable {
    public var kid: String
    public var sealedPrivateKey: String
    public var createdAt: Date
    /// Set when a newer key took over; the key then signs nothing more.
    public var retiredAt: Date?
    /// A retired key stays in the JWKS until every token it signed has expired.
    public var listedUntil: Date?

    public init(kid: String, sealedPrivateKey: String, createdAt: Date, retiredAt: Date? = nil, listedUntil: Date? = nil) {
        self.kid = kid
        self.sealedPrivateKey = sealedPrivateKey
        self.createdAt = createdAt
        self.retiredAt = retiredAt
        self.listedUntil = listedUntil
    }
}
