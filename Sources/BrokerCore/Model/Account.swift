import Foundation

/// One person. An account may have a native credential (login name, email or
/// phone plus a password) and any number of social identities.
public struct Account: Sendable, Equatable {
    public var id: String
    public var login: String?
    public var email: String?
    public var emailVerified: Bool
    public var phone: String?
    public var phoneVerified: Bool
    /// The stored password hash (PHC string or an imported foreign format); nil for social-only accounts.
    public var passwordHash: String?
    public var state: AccountState
    public var locale: String
    public var createdAt: Date
    public var updatedAt: Date
    /// Optimistic-concurrency counter: an update only applies to the version it was read at.
    public var version: Int
    public var identities: [Identity]
    /// "This wasn't me" pauses recovery sends until then.
    public var recoveryPausedUntil: Date?

    public init(
        id: String, login: String? = nil, email: String? = nil, emailVerified: Bool = false,
        phone: String? = nil, phoneVerified: Bool = false, passwordHash: String? = nil,
        state: AccountState = .active, locale: String = "en", createdAt: Date, updatedAt: Date? = nil,
        version: Int = 1, identities: [Identity] = [], recoveryPausedUntil: Date? = nil
    ) {
        self.id = id
        self.login = login
        self.email = email
        self.emailVerified = emailVerified
        self.phone = phone
        self.phoneVerified = phoneVerified
        self.passwordHash = passwordHash
        self.state = state
        self.locale = locale
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.version = version
        self.identities = identities
        self.recoveryPausedUntil = recoveryPausedUntil
    }

    public var hasPassword: Bool { passwordHash != nil }

    /// True when the account can be reached only through its social providers.
    public var isSocialOnly: Bool { passwordHash == nil && !identities.isEmpty }
}

/// Whether an account may sign in.
public enum AccountState: String, Sendable, Codable, CaseIterable {
    case active
    case blocked
}
