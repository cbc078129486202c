import BrokerCore

/// Client credentials of one provider, from the config file or the environment.
public struct ProviderCredentials: Sendable, Equatable {
    public var clientId: String
    public var clientSecret: Secret
    /// Apple's signing key for the client-secret JWT (`clientSecret` then holds the key's PEM).
    public var teamId: String?
    public var keyId: String?

    public init(clientId: String, clientSecret: Secret, teamId: String? = nil, keyId: String? = nil) {
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.teamId = teamId
        self.keyId = keyId
    }
}

/// The loaded provider files joined with the configured credentials. Whether a
/// provider offers sign-in is decided here, by configuration alone.
public struct ProviderCatalog: ProviderDirectory {
    public let definitions: [ProviderDefinition]
    public let credentials: [String: ProviderCredentials]

    public init(definitions: [ProviderDefinition], credentials: [String: ProviderCredentials]) {
        self.definitions = definitions
        self.credentials = credentials
    }

    public func providers() -> [ProviderSummary] {
        definitions.map { d in
            let c = credentials[d.id]
            return ProviderSummary(
                id: d.id, name: d.name, protocol: d.kind.rawValue,
                signIn: c.map { !$0.clientId.isEmpty && !$0.clientSecret.value.isEmpty } ?? false,
                recoveryURL: d.recoveryURL, usernameRecoveryURL: d.usernameRecoveryURL
            )
        }
    }

    public func definition(id: String) -> ProviderDefinition? { definitions.first { $0.id == id } }
}
