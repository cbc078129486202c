import BrokerCore
import BrokerCrypto
import Testing

@Suite("Argon2id hashing")
struct Argon2PasswordHasherTests {
    let cheap = Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1)

    @Test func hashIsPHCAndVerifies() async throws {
        let hasher = Argon2PasswordHasher(parameters: cheap)
        let hash = try await hasher.hash(Secret("correct horse"))
        #expect(hash.hasPrefix("$argon2id$v=19$m=64,t=1,p=1$"))
        #expect(try await hasher.verify(Secret("correct horse"), against: hash) == .match(needsRehash: false))
        #expect(try await hasher.verify(Secret("correct horsE"), against: hash) == .mismatch)
        #expect(try await hasher.hash(Secret("correct horse")) != hash, "a fresh salt every time")
    }

    @Test func defaultIsOWASPMinimum() async throws {
        let hash = try await Argon2PasswordHasher().hash(Secret("pw"))
        #expect(hash.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
    }

    @Test func olderParametersAskForRehash() async throws {
        let old = try await Argon2PasswordHasher(parameters: cheap).hash(Secret("pw-123456"))
        let current = Argon2PasswordHasher(parameters: Argon2Parameters(memoryKiB: 128, iterations: 2, parallelism: 1))
        #expect(try await current.verify(Secret("pw-123456"), against: old) == .match(needsRehash: true))
    }

    @Test func foreignOrBrokenHashesNeverMatch() async throws {
        let hasher = Argon2PasswordHasher(parameters: cheap)
        for hash in ["", "plain", "$argon2id$v=19$m=64,t=1,p=1$broken", "$2b$10$abcdefghijklmnopqrstuu", "$argon2id$"] {
            #expect(try await hasher.verify(Secret("pw"), against: hash) == .mismatch)
        }
    }

    @Test func parsesPHCParameters() {
        #expect(Argon2Parameters(phc: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA") == Argon2Parameters())
        #expect(Argon2Parameters(phc: "$2b$10$x") == nil)
    }
}
