import Foundation

/// The password-hash formats the broker accepts from other systems, parsed.
/// The stored string keeps the old system's own format (Keycloak's credential
/// object becomes `$keycloak$<algorithm>$<iterations>$<salt>$<value>`).
public enum StoredHash: Sendable, Equatable {
    case argon2(phc: String)
    case bcrypt(String)
    case djangoPBKDF2(sha1: Bool, iterations: Int, salt: String, hash: Data)
    case djangoBcryptSHA256(bcrypt: String)
    case keycloakPBKDF2(sha512: Bool, iterations: Int, salt: Data, value: Data)

    /// Recognises a stored hash string, or nil for an unknown format.
    public init?(_ s: String) {
        if s.hasPrefix("$argon2id$") || s.hasPrefix("$argon2i$") {
            guard Argon2Parameters(phc: s) != nil else { return nil }
            self = .argon2(phc: s)
        } else if s.hasPrefix("$2a$") || s.hasPrefix("$2b$") || s.hasPrefix("$2y$") {
            guard s.count == 60 else { return nil }
            self = .bcrypt(s)
        } else if s.hasPrefix("argon2$argon2") {
            let phc = String(s.dropFirst("argon2".count))
            guard Argon2Parameters(phc: phc) != nil else { return nil }
            self = .argon2(phc: phc)
        } else if s.hasPrefix("bcrypt_sha256$") {
            let inner = String(s.dropFirst("bcrypt_sha256$".count))
            guard inner.count == 60, inner.hasPrefix("$2") else { return nil }
            self = .djangoBcryptSHA256(bcrypt: inner)
        } else if s.hasPrefix("pbkdf2_sha256$") || s.hasPrefix("pbkdf2_sha1$") {
            let parts = s.split(separator: "$", omittingEmptySubsequences: false)
            guard parts.count == 4, let iterations = Int(parts[1]), iterations > 0, iterations <= 10_000_000, !parts[2].isEmpty,
                  let hash = Data(base64Encoded: String(parts[3])), !hash.isEmpty
            else { return nil }
            self = .djangoPBKDF2(sha1: parts[0] == "pbkdf2_sha1", iterations: iterations, salt: String(parts[2]), hash: hash)
        } else if s.hasPrefix("$keycloak$") {
            let parts = s.split(separator: "$", omittingEmptySubsequences: true)
            guard parts.count == 5, parts[1] == "pbkdf2-sha256" || parts[1] == "pbkdf2-sha512", let iterations = Int(parts[2]),
                  iterations > 0, iterations <= 10_000_000,
                  let salt = Data(base64Encoded: String(parts[3])), let value = Data(base64Encoded: String(parts[4])), !value.isEmpty
            else { return nil }
            self = .keycloakPBKDF2(sha512: parts[1] == "pbkdf2-sha512", iterations: iterations, salt: salt, value: value)
        } else {
            return nil
        }
    }

    /// Keycloak's credential object (`algorithm`, `iterations`, `salt`, `value`) as the broker stores it.
    public static func keycloak(algorithm: String, iterations: Int, salt: String, value: String) -> String? {
        let stored = "$keycloak$\(algorithm)$\(iterations)$\(salt)$\(value)"
        return StoredHash(stored) == nil ? nil : stored
    }

    /// The Keycloak object form of a stored Keycloak hash, for export.
    public static func keycloakObject(_ stored: String) -> [String: Any]? {
        guard case .keycloakPBKDF2 = StoredHash(stored) else { return nil }
        let parts = stored.split(separator: "$", omittingEmptySubsequences: true)
        return ["algorithm": String(parts[1]), "iterations": Int(parts[2]) ?? 0, "salt": String(parts[3]), "value": String(parts[4])]
    }
}
