import BrokerCore
import BrokerCrypto
import Foundation
import Testing

/// Vectors made by the real libraries (scripts/vectors/make_hash_vectors.py):
/// Django's hashers, Python bcrypt, argon2-cffi and Keycloak-format PBKDF2.
@Suite("Imported password hashes")
struct ForeignHashTests {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var password: String
        var stored: String
        var testDescription: String { name }

        enum CodingKeys: String, CodingKey { case name, password, hash }
        struct Keycloak: Decodable { var algorithm: String; var iterations: Int; var salt: String; var value: String }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            password = try c.decode(String.self, forKey: .password)
            if let s = try? c.decode(String.self, forKey: .hash) {
                stored = s
            } else {
                let k = try c.decode(Keycloak.self, forKey: .hash)
                stored = StoredHash.keycloak(algorithm: k.algorithm, iterations: k.iterations, salt: k.salt, value: k.value) ?? "invalid"
            }
        }
    }

    static let vectors: [Vector] = {
        guard let url = Bundle.module.url(forResource: "hash-vectors", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url) else { return [] }
        return (try? JSONDecoder().decode([Vector].self, from: data)) ?? []
    }()

    let hasher = BrokerPasswordHasher(argon2: Argon2PasswordHasher(parameters: Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1)))

    @Test func everyFormatIsCovered() {
        #expect(Self.vectors.count == 12)
    }

    @Test(arguments: vectors)
    func rightPasswordMatchesAndAsksForRehash(vector: Vector) async throws {
        #expect(StoredHash(vector.stored) != nil, "format recognised")
        #expect(try await hasher.verify(Secret(vector.password), against: vector.stored) == .match(needsRehash: true))
    }

    @Test(arguments: vectors)
    func wrongPasswordIsRefused(vector: Vector) async throws {
        #expect(try await hasher.verify(Secret(vector.password + "x"), against: vector.stored) == .mismatch)
        #expect(try await hasher.verify(Secret(""), against: vector.stored) == .mismatch)
    }

    @Test func unknownFormatsAreNotRecognised() {
        for bad in ["md5$abc", "sha1$x$y", "$1$abc$def", "pbkdf2_sha256$abc$salt$hash", "$2b$10$short", "plaintext", "$keycloak$pbkdf2-md5$1$a$b",
                    "argon2$argon2id$garbage", ""] {
            #expect(StoredHash(bad) == nil, "\(bad)")
        }
    }

    @Test func keycloakRoundTripsToItsObject() throws {
        let stored = try #require(StoredHash.keycloak(algorithm: "pbkdf2-sha256", iterations: 27500, salt: "c2FsdA==", value: "dmFsdWU="))
        let object = try #require(StoredHash.keycloakObject(stored))
        #expect(object["algorithm"] as? String == "pbkdf2-sha256")
        #expect(object["iterations"] as? Int == 27500)
        #expect(object["salt"] as? String == "c2FsdA==")
    }

    @Test func ownHashesNeedNoRehash() async throws {
        let own = try await hasher.hash(Secret("pw-123456"))
        #expect(try await hasher.verify(Secret("pw-123456"), against: own) == .match(needsRehash: false))
    }

    /// Hashes that would pin a hashing thread (seconds to hours per failed sign-in) are refused
    /// on import and never verified: a bcrypt cost of 31 would not finish within this test.
    @Test(arguments: [
        "$2b$31$n7fsh1WHge6UbKxb6oS6eeUMSEqkuDFRlsWaxPLEh0XM9cDaHjXSm",
        "$2b$15$n7fsh1WHge6UbKxb6oS6eeUMSEqkuDFRlsWaxPLEh0XM9cDaHjXSm",
        "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo",
        "$argon2id$v=19$m=19456,t=100000,p=1$c2FsdHNhbHQ$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo",
        "$argon2id$v=19$m=19456,t=2,p=17$c2FsdHNhbHQ$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo",
        "pbkdf2_sha256$5000000$salt$aGFzaGhhc2hoYXNoaGFzaGhhc2g=",
        "$keycloak$pbkdf2-sha256$2000001$c2FsdA==$aGFzaA==",
    ])
    func costlyHashesAreRefusedAndNeverVerified(stored: String) async throws {
        #expect(StoredHash(stored) != nil, "the format itself is understood")
        #expect(StoredHash.problem(with: stored) != nil)
        let hasher = BrokerPasswordHasher(argon2: Argon2PasswordHasher(parameters: Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1)))
        #expect(try await hasher.verify(Secret("password"), against: stored) == .mismatch)
    }

    @Test(arguments: [
        "$2b$14$n7fsh1WHge6UbKxb6oS6eeUMSEqkuDFRlsWaxPLEh0XM9cDaHjXSm",
        "$argon2id$v=19$m=262144,t=16,p=16$c2FsdHNhbHQ$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo",
        "pbkdf2_sha256$2000000$salt$aGFzaGhhc2hoYXNoaGFzaGhhc2g=",
    ])
    func hashesAtTheCapsAreAccepted(stored: String) {
        #expect(StoredHash.problem(with: stored) == nil)
    }
}
