/// The broker's only source of randomness for secrets and identifiers.
public protocol TokenGenerator: Sendable {
    /// `bytes` random bytes, base64url without padding.
    func token(bytes: Int) -> String
    /// A new random identifier for a row (accounts, sessions, events).
    func identifier() -> String
}
