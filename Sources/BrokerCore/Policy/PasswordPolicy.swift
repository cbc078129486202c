/// What a new password must satisfy. Length is the rule that matters (NIST 800-63B);
/// composition rules are left out on purpose.
public struct PasswordPolicy: Sendable {
    public var minLength: Int
    /// Argon2 is fed the whole password; a cap keeps one request from buying a large hash.
    public var maxLength: Int = 1024

    public init(minLength: Int) { self.minLength = minLength }

    public func validate(_ password: Secret, confirmation: Secret? = nil) throws {
        if let confirmation, confirmation.value != password.value { throw BrokerError.passwordMismatch }
        let length = password.value.count
        if length < minLength { throw BrokerError.weakPassword(reason: .minLength(minLength)) }
        if password.value.utf8.count > maxLength { throw BrokerError.weakPassword(reason: .maxBytes(maxLength)) }
        if password.value.trimmingWhitespace().isEmpty { throw BrokerError.weakPassword(reason: .onlySpaces) }
        if Set(password.value).count == 1 { throw BrokerError.weakPassword(reason: .oneCharacter) }
    }
}
