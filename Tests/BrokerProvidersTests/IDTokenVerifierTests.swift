import BrokerCore
import BrokerProviders
import Foundation
import JWTKit
import Testing

/// Every failed check of an id_token is `invalid_id_token`; tokens are made and signed
/// here with real keys by jwt-kit, and checked against a JWKS as a provider serves it.
@Suite("id_token verification")
struct IDTokenVerifierTests {
    struct Claims: JWTPayload {
        var iss = "https://idp.example"
        var sub = "user-1"
        var aud: [String] = ["client-1"]
        var exp: Double
        var iat: Double
        var nonce: String? = "nonce-1"
        var azp: String?
        var email: String? = "u@example.com"
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    let now = Date(timeIntervalSince1970: 1_790_000_000)
    let providerKey = ES256PrivateKey()
    let verifier = IDTokenVerifier(issuer: "https://idp.example", clientId: "client-1")

    func jwks(_ key: ES256PrivateKey, kid: String = "k1") -> String {
        let p = key.publicKey.parameters!
        return #"{"keys":[{"kty":"EC","crv":"P-256","x":"\#(p.x)","y":"\#(p.y)","kid":"\#(kid)","alg":"ES256","use":"sig"}]}"#
    }

    func claims(_ edit: (inout Claims) -> Void = { _ in }) -> Claims {
        var c = Claims(exp: now.timeIntervalSince1970 + 300, iat: now.timeIntervalSince1970)
        edit(&c)
        return c
    }

    func sign(_ c: Claims, with key: ES256PrivateKey? = nil) async throws -> String {
        let signer = JWTKeyCollection()
        await signer.add(ecdsa: key ?? providerKey, kid: "k1")
        return try await signer.sign(c, kid: "k1")
    }

    func verify(_ token: String, nonce: String = "nonce-1") async throws -> [String: Any] {
        let keys = JWTKeyCollection()
        try await keys.add(jwksJSON: jwks(providerKey))
        return try await verifier.verify(token, keys: keys, nonce: nonce, now: now)
    }

    func refused(_ token: String, _ why: String, nonce: String = "nonce-1") async {
        await #expect(throws: BrokerError.invalidIDToken(why)) { try await verify(token, nonce: nonce) }
    }

    @Test func aGoodTokenPasses() async throws {
        let out = try await verify(try await sign(claims()))
        #expect(out["sub"] as? String == "user-1")
        #expect(out["email"] as? String == "u@example.com")
    }

    @Test func signedByAnotherKey() async throws {
        await refused(try await sign(claims(), with: ES256PrivateKey()), "signature")
    }

    @Test func algNone() async throws {
        let header = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64URLEncoded()
        let payload = Data(try JSONEncoder().encode(claims())).base64URLEncoded()
        await refused(header + "." + payload + ".", "algorithm not allowed")
    }

    @Test func hmacWithThePublicKeyAsSecret() async throws {
        let signer = JWTKeyCollection()
        await signer.add(hmac: HMACKey(from: jwks(providerKey)), digestAlgorithm: .sha256, kid: "k1")
        await refused(try await signer.sign(claims(), kid: "k1"), "algorithm not allowed")
    }

    @Test func wrongAudience() async throws {
        await refused(try await sign(claims { $0.aud = ["someone-else"] }), "audience")
    }

    @Test func severalAudiencesNeedTheRightAuthorizedParty() async throws {
        await refused(try await sign(claims { $0.aud = ["client-1", "other"] }), "authorized party")
        await refused(try await sign(claims { $0.aud = ["client-1", "other"]; $0.azp = "other" }), "authorized party")
        _ = try await verify(try await sign(claims { $0.aud = ["client-1", "other"]; $0.azp = "client-1" }))
    }

    @Test func expiredBeyondTheLeeway() async throws {
        await refused(try await sign(claims { $0.exp = now.timeIntervalSince1970 - 61 }), "expired")
        _ = try await verify(try await sign(claims { $0.exp = now.timeIntervalSince1970 - 30 }))
    }

    @Test func issuedInTheFuture() async throws {
        await refused(try await sign(claims { $0.iat = now.timeIntervalSince1970 + 3600 }), "issued in the future")
    }

    @Test func wrongIssuer() async throws {
        await refused(try await sign(claims { $0.iss = "https://evil.example" }), "issuer")
    }

    @Test func wrongOrMissingNonce() async throws {
        await refused(try await sign(claims()), "nonce", nonce: "another-nonce")
        await refused(try await sign(claims { $0.nonce = nil }), "nonce")
    }

    @Test func malformed() async {
        await refused("not.a.token", "malformed")
        await refused("", "malformed")
    }
}

@Suite("Multi-tenant issuer")
struct TenantIssuerTests {
    @Test func microsoftTenantPlaceholderTakesTheTokensTenant() async throws {
        struct Claims: JWTPayload {
            var iss: String
            var sub = "u"
            var aud = "client-1"
            var exp: Double
            var nonce = "n"
            var tid: String
            func verify(using algorithm: some JWTAlgorithm) async throws {}
        }
        let key = ES256PrivateKey()
        let signer = JWTKeyCollection()
        await signer.add(ecdsa: key, kid: "k")
        let p = key.publicKey.parameters!
        let keys = JWTKeyCollection()
        try await keys.add(jwksJSON: #"{"keys":[{"kty":"EC","crv":"P-256","x":"\#(p.x)","y":"\#(p.y)","kid":"k","alg":"ES256"}]}"#)
        let verifier = IDTokenVerifier(issuer: "https://login.microsoftonline.com/{tenantid}/v2.0", clientId: "client-1")
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let good = try await signer.sign(Claims(iss: "https://login.microsoftonline.com/t-1/v2.0", exp: now.timeIntervalSince1970 + 60, tid: "t-1"), kid: "k")
        _ = try await verifier.verify(good, keys: keys, nonce: "n", now: now)
        let mismatched = try await signer.sign(Claims(iss: "https://login.microsoftonline.com/t-2/v2.0", exp: now.timeIntervalSince1970 + 60, tid: "t-1"), kid: "k")
        await #expect(throws: BrokerError.invalidIDToken("issuer")) { try await verifier.verify(mismatched, keys: keys, nonce: "n", now: now) }
    }
}
