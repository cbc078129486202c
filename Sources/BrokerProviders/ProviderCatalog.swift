import BrokerCore

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
