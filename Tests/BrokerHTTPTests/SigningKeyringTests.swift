import BrokerCore
import BrokerSigning
import BrokerTestSupport
import Crypto
import Foundation
import Logging
import Testing

/// The id_token keys: one current key whatever the number of instances, sealed at rest, rotated
/// with the retired key still listed.
@Suite("Signing keys")
struct SigningKeyringTests {
    static func keyring(_ store: InMemoryStore, _ clock: ManualClock, key: SymmetricKey = SymmetricKey(data: Data(repeating: 7, count: 32))) -> SigningKeyring {
        SigningKeyring(store: store, sealingKey: key, clock: clock, logger: Logger(label: "test"))
    }

    static func kids(_ jwks: Data) throws -> [String] {
        let doc = try JSONSerialization.jsonObject(with: jwks) as? [String: Any]
        return (doc?["keys"] as? [[String: Any]] ?? []).compactMap { $0["kid"] as? String }
    }

    @Test func twoInstancesMakingTheFirstKeyAtOnceAgreeOnOne() async throws {
        let store = InMemoryStore()
        let clock = ManualClock()
        let (a, b) = (Self.keyring(store, clock), Self.keyring(store, clock))
        async let first = a.jwks()
        async let second = b.jwks()
        let (ja, jb) = try await (first, second)
        #expect(try Self.kids(ja) == Self.kids(jb))
        #expect(try Self.kids(ja).count == 1)
        #expect(try await store.signingKeys().count == 1)
    }

    @Test func keysAreSealedAndRotationKeepsTheOldOneListedForAnHour() async throws {
        let store = InMemoryStore()
        let clock = ManualClock()
        let ring = Self.keyring(store, clock)
        let claims = IDTokenClaims(iss: "https://id.example", sub: "a1", aud: "shop", exp: 2, iat: 1, authTime: 1, nonce: nil, amr: ["pwd"], azp: "shop")
        let old = try await ring.sign(claims)
        let stored = try #require(try await store.signingKeys().first)
        #expect(!stored.sealedPrivateKey.contains("PRIVATE KEY"), "sealed, not PEM")
        #expect(await Self.keyring(store, clock, key: SymmetricKey(data: Data(repeating: 8, count: 32))).claims(ofOwnToken: old) == nil,
                "another secret key opens nothing")
        try await ring.rotate()
        let new = try await ring.sign(claims)
        #expect(try Self.kids(try await ring.jwks()).count == 2)
        #expect(await ring.claims(ofOwnToken: old) == claims, "a token of the retired key still checks")
        #expect(await ring.claims(ofOwnToken: new) == claims)
        clock.advance(seconds: SigningKeyring.retention + 60)
        #expect(try Self.kids(try await ring.jwks()).count == 1, "an hour on, the retired key is gone from the JWKS")
        #expect(await ring.claims(ofOwnToken: old) == nil)
    }
}
