/// What the broker knows of a social provider without calling it.
public struct ProviderSummary: Sendable, Equatable {
    public var id: String
    public var name: String
    public var `protocol`: String
    /// True exactly when a client id and secret are configured.
    public var signIn: Bool
    public var recoveryURL: String
    public var usernameRecoveryURL: String?

    public init(id: String, name: String, protocol: String, signIn: Bool, recoveryURL: String, usernameRecoveryURL: String?) {
        self.id = id
        self.name = name
        self.protocol = `protocol`
        self.signIn = signIn
        self.recoveryURL = recoveryURL
        self.usernameRecoveryURL = usernameRecoveryURL
    }
}

/// The catalog of social providers the broker offers.
public protocol ProviderDirectory: Sendable {
    func providers() -> [ProviderSummary]
    func provider(id: String) -> ProviderSummary?
}

extension ProviderDirectory {
    public func provider(id: String) -> ProviderSummary? { providers().first { $0.id == id } }
}
