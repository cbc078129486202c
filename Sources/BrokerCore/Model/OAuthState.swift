import Foundation

/// A sign-in through a provider that has started and not yet come back. The
/// `state` parameter's hash finds it; the browser that started it proves itself
/// with a cookie whose hash must match `bindingHash`. Nonce and PKCE verifier are
/// derived from the broker's key and the state's id, so none of them is stored.
public struct OAuthState: Sendable, Equatable {
    public enum Intent: String, Sendable { case login, link }

    public var id: String
    public var stateHash: String
    public var bindingHash: String
    public var provider: String
    public var intent: Intent
    /// The signed-in account an `intent=link` flow links to.
    public var accountId: String?
    public var returnTo: String
    public var locale: String
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?

    public init(
        id: String, stateHash: String, bindingHash: String, provider: String, intent: Intent, accountId: String?, returnTo: String,
        locale: String, createdAt: Date, expiresAt: Date, usedAt: Date? = nil
    ) {
        self.id = id
        self.stateHash = stateHash
        self.bindingHash = bindingHash
        self.provider = provider
        self.intent = intent
        self.accountId = accountId
        self.returnTo = returnTo
        self.locale = locale
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }
}

/// What a provider says about the person, after every check passed.
public struct ProviderClaims: Sendable, Equatable {
    public var provider: String
    public var subject: String
    public var email: String?
    public var emailVerified: Bool
    public var name: String?

    public init(provider: String, subject: String, email: String?, emailVerified: Bool, name: String?) {
        self.provider = provider
        self.subject = subject
        self.email = email
        self.emailVerified = emailVerified
        self.name = name
    }
}
