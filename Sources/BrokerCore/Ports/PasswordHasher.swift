/// Hashes and verifies passwords. Implementations run the work off the event loop.
public protocol PasswordHasher: Sendable {
    /// A new hash of `password` in the broker's own format with the configured parameters.
    func hash(_ password: Secret) async throws -> String
    /// Checks `password` against a stored hash; `needsRehash` says the hash should be replaced
    /// (older parameters or a foreign format) now that the plain password is at hand.
    func verify(_ password: Secret, against hash: String) async throws -> PasswordCheck
}

public enum PasswordCheck: Sendable, Equatable {
    case mismatch
    case match(needsRehash: Bool)
}
