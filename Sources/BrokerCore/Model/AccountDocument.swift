import Foundation

/// The contract's account object as JSON, shared by the API, the CLI and export.
/// `login`, `email` and `phone` are always present, null when unset.
public struct AccountDocument: Encodable, Sendable {
    public let account: Account

    public init(account: Account) { self.account = account }

    struct IdentityDTO: Encodable {
        let identity: Identity
        enum CodingKeys: String, CodingKey { case provider, subject, email }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(identity.provider, forKey: .provider)
            try c.encode(identity.subject, forKey: .subject)
            try c.encode(identity.email, forKey: .email)
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, login, email, emailVerified = "email_verified", phone, phoneVerified = "phone_verified"
        case hasPassword = "has_password", state, locale, identities, createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(account.id, forKey: .id)
        try c.encode(account.login, forKey: .login)
        try c.encode(account.email, forKey: .email)
        try c.encode(account.emailVerified, forKey: .emailVerified)
        try c.encode(account.phone, forKey: .phone)
        try c.encode(account.phoneVerified, forKey: .phoneVerified)
        try c.encode(account.hasPassword, forKey: .hasPassword)
        try c.encode(account.state.rawValue, forKey: .state)
        try c.encode(account.locale, forKey: .locale)
        try c.encode(account.identities.map(IdentityDTO.init), forKey: .identities)
        try c.encode(account.createdAt, forKey: .createdAt)
    }
}
