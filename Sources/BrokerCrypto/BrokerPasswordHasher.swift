import BrokerCore
import Crypto
import CryptoExtras
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Hashes with Argon2id and verifies every accepted format: the broker's own
/// Argon2 PHC strings, imported bcrypt, Django and Keycloak hashes. A foreign
/// (or outdated) hash that matches asks for a rehash, which the sign-in does in
/// the same transaction as the session. Every comparison is constant-time.
public struct BrokerPasswordHasher: PasswordHasher {
    let argon2: Argon2PasswordHasher
    let threadPool: NIOThreadPool

    public init(argon2: Argon2PasswordHasher, threadPool: NIOThreadPool = .singleton) {
        self.argon2 = argon2
        self.threadPool = threadPool
    }

    public func hash(_ password: Secret) async throws -> String { try await argon2.hash(password) }

    public func verify(_ password: Secret, against stored: String) async throws -> PasswordCheck {
        // A hash over the cost caps is never verified (it could only have come from outside).
        guard let format = StoredHash(stored), format.costProblem == nil else { return .mismatch }
        switch format {
        case .argon2(let phc):
            let check = try await argon2.verify(password, against: phc)
            // A Django-wrapped Argon2 hash matches but is stored in a foreign shape: replace it.
            if phc != stored, case .match = check { return .match(needsRehash: true) }
            return check
        default:
            let matched = try await threadPool.runIfActive { Self.verifyForeign(password.value, format) }
            return matched ? .match(needsRehash: true) : .mismatch
        }
    }

    static func verifyForeign(_ password: String, _ format: StoredHash) -> Bool {
        switch format {
        case .argon2:
            return false
        case .bcrypt(let hash):
            // PHP's $2y$ is the same algorithm as $2b$.
            let normalized = hash.hasPrefix("$2y$") ? "$2b$" + hash.dropFirst(4) : hash
            return Bcrypt.verify(password, hash: normalized)
        case .djangoBcryptSHA256(let hash):
            let digest = SHA256.hash(data: Data(password.utf8)).map { String(format: "%02x", $0) }.joined()
            return Bcrypt.verify(digest, hash: hash)
        case .djangoPBKDF2(let sha1, let iterations, let salt, let expected):
            guard let derived = try? KDF.Insecure.PBKDF2.deriveKey(
                from: Data(password.utf8), salt: Data(salt.utf8), using: sha1 ? .insecureSHA1 : .sha256,
                outputByteCount: expected.count, unsafeUncheckedRounds: iterations
            ) else { return false }
            return constantTimeEqual(derived.withUnsafeBytes { Data($0) }, expected)
        case .keycloakPBKDF2(let sha512, let iterations, let salt, let expected):
            guard let derived = try? KDF.Insecure.PBKDF2.deriveKey(
                from: Data(password.utf8), salt: salt, using: sha512 ? .sha512 : .sha256,
                outputByteCount: expected.count, unsafeUncheckedRounds: iterations
            ) else { return false }
            return constantTimeEqual(derived.withUnsafeBytes { Data($0) }, expected)
        }
    }

    static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for (x, y) in zip(a, b) { diff |= x ^ y }
        return diff == 0
    }
}
