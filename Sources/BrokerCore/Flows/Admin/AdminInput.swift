/// A field of a partial update: left alone, cleared, or set.
public enum PatchField<Value: Sendable>: Sendable {
    case unchanged
    case clear
    case set(Value)
}

/// What an operator gives to create an account (API, CLI); values are raw and get normalised by the flow.
public struct NewAccountInput: Sendable {
    public var login: String?
    public var email: String?
    public var emailVerified: Bool?
    public var phone: String?
    public var phoneVerified: Bool?
    public var password: Secret?
    public var locale: String?
    public var identities: [IdentityInput]

    public init(
        login: String? = nil, email: String? = nil, emailVerified: Bool? = nil, phone: String? = nil,
        phoneVerified: Bool? = nil, password: Secret? = nil, locale: String? = nil, identities: [IdentityInput] = []
    ) {
        self.login = login
        self.email = email
        self.emailVerified = emailVerified
        self.phone = phone
        self.phoneVerified = phoneVerified
        self.password = password
        self.locale = locale
        self.identities = identities
    }
}

public struct IdentityInput: Sendable {
    public var provider: String
    public var subject: String
    public var email: String?

    public init(provider: String, subject: String, email: String? = nil) {
        self.provider = provider
        self.subject = subject
        self.email = email
    }
}

/// An operator's partial update of an account.
public struct AccountPatchInput: Sendable {
    public var login: PatchField<String> = .unchanged
    public var email: PatchField<String> = .unchanged
    public var emailVerified: Bool?
    public var phone: PatchField<String> = .unchanged
    public var phoneVerified: Bool?
    public var state: String?
    public var locale: String?

    public init() {}
}
