/// A social provider as its file in `providers/` describes it.
public struct ProviderDefinition: Sendable, Equatable {
    public enum ProtocolKind: String, Sendable { case oidc, oauth2 }

    public var id: String
    public var name: String
    public var kind: ProtocolKind
    public var issuer: String?
    public var authorizationEndpoint: String?
    public var tokenEndpoint: String?
    public var userinfoEndpoint: String?
    /// GitHub-style extra call that lists the user's addresses with their verified flags.
    public var emailEndpoint: String?
    public var scopes: [String]
    public var claims: ClaimMapping
    public var pkce: Bool
    public var responseMode: String?
    /// How the client authenticates at the token endpoint: "post" (form fields) or "basic".
    public var tokenAuth: String
    /// How the access token is sent to the userinfo endpoint: "bearer" or "oauth" (Yandex).
    public var userinfoAuth: String
    public var recoveryURL: String
    public var usernameRecoveryURL: String?
}

/// Where the broker finds each claim in the id_token or userinfo JSON (dotted paths for nested objects).
public struct ClaimMapping: Sendable, Equatable {
    public var subject: String = "sub"
    public var email: String = "email"
    public var emailVerified: String = "email_verified"
    public var name: String = "name"
    /// The claim of the workspace a subject is unique within (Slack: `https://slack.com/team_id`);
    /// when set, the stored subject is `<workspace>:<subject>`.
    public var subjectScope: String?

    public init() {}
}
