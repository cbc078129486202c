/// A provider's client credentials, from the config file or the environment.
public struct ProviderCredentials: Sendable, Equatable {
    public var clientId: String
    public var clientSecret: Secret
    /// Apple: with `team_id` and `key_id`, `clientSecret` is the .p8 private key (PEM) and the
    /// broker signs the ES256 client-secret JWT itself for each token request.
    public var teamId: String?
    public var keyId: String?

    public init(clientId: String, clientSecret: Secret, teamId: String? = nil, keyId: String? = nil) {
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.teamId = teamId
        self.keyId = keyId
    }
}
