import Foundation

/// The secret a recovery link or code carries. Only a hash of it is stored;
/// it is bound to one account, one purpose and the address it was sent to.
public struct CheckWord: Sendable, Equatable {
    public enum Kind: String, Sendable { case link, code }

    /// How long past its lifetime a word is kept, and still answers "expired" or "used"
    /// (and a code's stand-in, `CodeCheck`, answers as it would); then the Janitor deletes it.
    public static let keptAfterExpirySeconds = 86_400

    public var id: String
    public var accountId: String
    public var purpose: CheckWordPurpose
    public var kind: Kind
    public var channel: Channel
    /// SHA-256 of the link token, or a code's keyed hash (`CheckWordSecrets.codeHash`).
    public var secretHash: String
    /// The email or phone the word was sent to; the word dies when the account's address changes.
    public var address: String
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?
    /// Set when a newer request superseded it, or a reset or "not me" killed it.
    public var revokedAt: Date?
    public var attempts: Int
    /// What the word confirms, as JSON (the identity a link confirmation would attach).
    public var payload: String?

    public init(
        id: String, accountId: String, purpose: CheckWordPurpose, kind: Kind, channel: Channel, secretHash: String,
        address: String, createdAt: Date, expiresAt: Date, usedAt: Date? = nil, revokedAt: Date? = nil, attempts: Int = 0,
        payload: String? = nil
    ) {
        self.payload = payload
        self.id = id
        self.accountId = accountId
        self.purpose = purpose
        self.kind = kind
        self.channel = channel
        self.secretHash = secretHash
        self.address = address
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.revokedAt = revokedAt
        self.attempts = attempts
    }

    /// Neither used nor revoked (it may still have expired).
    public var isOpen: Bool { usedAt == nil && revokedAt == nil }
}

/// What a check word may be used for; a new word supersedes the open ones of the same purpose.
public enum CheckWordPurpose: String, Sendable, CaseIterable {
    /// Reset or set a password (links, codes, and the social-only "set a native password" link).
    case recovery
    /// "This wasn't me": stop recovery for a while.
    case notMe = "not_me"
    /// Proof of control of an account before a provider identity with its email is linked to it.
    case linkIdentity = "link_identity"
    /// Proof of receipt of an email address being attached to an account.
    case verifyEmail = "verify_email"
    /// Proof of receipt of a phone number being attached to an account.
    case verifyPhone = "verify_phone"
}
