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

    /// The most a hash may cost to be verified: more would pin a hashing thread for seconds to
    /// hours on every failed sign-in (the contract's caps).
    public static let maxBcryptCost = 14
    public static let maxArgon2MemoryKiB = 262_144
    public static let maxArgon2Iterations = 16
    public static let maxArgon2Parallelism = 16
    public static let maxPBKDF2Iterations = 2_000_000

    /// Why a stored hash is refused (unknown format, or it costs more than a sign-in can afford), or nil.
    public static func problem(with stored: String) -> String? {
        guard let hash = StoredHash(stored) else { return "unknown hash format" }
        return hash.costProblem
    }

    /// nil when verifying this hash costs no more than the caps allow.
    public var costProblem: String? {
        switch self {
        case .argon2(let phc):
            guard let p = Argon2Parameters(phc: phc) else { return "unknown hash format" }
            if p.memoryKiB > Self.maxArgon2MemoryKiB { return "Argon2 memory above \(Self.maxArgon2MemoryKiB) KiB" }
            if p.iterations > Self.maxArgon2Iterations { return "Argon2 iterations above \(Self.maxArgon2Iterations)" }
            if p.parallelism > Self.maxArgon2Parallelism { return "Argon2 parallelism above \(Self.maxArgon2Parallelism)" }
            return nil
        case .bcrypt(let hash), .djangoBcryptSHA256(let hash):
            // $2b$10$...: the cost is the two digits after the version.
            guard let cost = Int(hash.dropFirst(4).prefix(2)) else { return "unknown hash format" }
            return cost > Self.maxBcryptCost ? "bcrypt cost above \(Self.maxBcryptCost)" : nil
        case .djangoPBKDF2(_, let iterations, _, _), .keycloakPBKDF2(_, let iterations, _, _):
            return iterations > Self.maxPBKDF2Iterations ? "PBKDF2 above 2,000,000 iterations" : nil
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
