import BrokerCore
import BrokerStore
import Foundation
import Testing

/// What the broker gave apps (codes, access and refresh tokens) and its signing keys, on every store.
@Suite("Store conformance: app tokens and signing keys")
struct StoreConformanceAppTests {
    func token(_ hash: String, _ kind: AppToken.Kind, grant: String = "g1", expires: Date = t0 + 60) -> AppToken {
        AppToken(hash: hash, kind: kind, grantId: grant, clientId: "shop", accountId: "a1", sessionHash: "session-hash", scope: ["openid", "email"],
                 nonce: kind == .code ? "n-1" : nil, redirectURI: kind == .code ? "https://shop.example.com/cb" : nil,
                 codeChallenge: kind == .code ? "challenge" : nil, authTime: t0 - 5, amr: ["pwd", "otp"], createdAt: t0, expiresAt: expires)
    }

    @Test(arguments: StoreKind.available)
    func tokensRoundTripAreSingleUseAndDieWithTheirGrant(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit([.insertAccount(account("a1", email: "m@example.com"))])
        let code = token("code-hash", .code)
        try await store.commit([.insertAppToken(code), .insertAppToken(token("other-grant", .access, grant: "g2"))])
        #expect(try await store.appToken(hash: "code-hash") == code)
        #expect(try await store.appToken(hash: "nothing") == nil)

        // Used once: a second use fails the whole unit, and what it would have written is not written.
        try await store.commit([.consumeAppToken(hash: "code-hash", at: t0 + 1), .insertAppToken(token("access-hash", .access))])
        await #expect(throws: StoreError.stale) {
            try await store.commit([.consumeAppToken(hash: "code-hash", at: t0 + 2), .insertAppToken(token("access-2", .access))])
        }
        #expect(try await store.appToken(hash: "access-2") == nil)
        #expect(try await store.appToken(hash: "code-hash")?.usedAt == t0 + 1)

        try await store.commit([.revokeAppGrant(grantId: "g1", at: t0 + 3)])
        #expect(try await store.appToken(hash: "access-hash")?.revokedAt == t0 + 3)
        #expect(try await store.appToken(hash: "other-grant")?.revokedAt == nil, "another grant is untouched")
        await #expect(throws: StoreError.stale) { try await store.commit([.consumeAppToken(hash: "access-hash", at: t0 + 4)]) }

        try await store.commit([.deleteAccount(id: "a1")])
        #expect(try await store.appToken(hash: "other-grant") == nil, "an account's tokens go with it")
    }

    @Test(arguments: StoreKind.available)
    func signingKeysRetireAllButTheNewest(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit([.insertSigningKey(SigningKeyRecord(kid: "k1", sealedPrivateKey: "sealed-1", createdAt: t0))])
        try await store.commit([
            .retireSigningKeys(exceptKid: "k2", at: t0 + 10, listedUntil: t0 + 3610),
            .insertSigningKey(SigningKeyRecord(kid: "k2", sealedPrivateKey: "sealed-2", createdAt: t0 + 10)),
        ])
        let keys = try await store.signingKeys()
        #expect(keys.map(\.kid) == ["k1", "k2"])
        #expect(keys[0].retiredAt == t0 + 10)
        #expect(keys[0].listedUntil == t0 + 3610)
        #expect(keys[1].retiredAt == nil)
        #expect(keys[1].sealedPrivateKey == "sealed-2")
        // Only one current key: a second instance making "the first key" at the same moment is refused.
        await #expect(throws: StoreError.conflict(field: "signing_key")) {
            try await store.commit([.insertSigningKey(SigningKeyRecord(kid: "k3", sealedPrivateKey: "sealed-3", createdAt: t0 + 20))])
        }
        #expect(try await store.signingKeys().count == 2)
    }
}
