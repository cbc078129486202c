import BrokerCore
@testable import BrokerProviders
import Foundation
import JWTKit
import Testing

@Suite("Apple client secret")
struct AppleClientSecretTests {
    struct Seen: JWTPayload {
        var iss: String
        var sub: String
        var aud: String
        var exp: Int
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    @Test func signedWithTheConfiguredKey() async throws {
        let key = ES256PrivateKey()
        let credentials = ProviderCredentials(clientId: "com.example.web", clientSecret: Secret(key.pemRepresentation), teamId: "TEAM123", keyId: "KEY456")
        let gateway = ProviderGateway(catalog: ProviderCatalog(definitions: [], credentials: [:]), clock: SystemWallClock())
        let jwt = try await gateway.clientSecret(credentials, audience: "https://appleid.apple.com")
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key.publicKey, kid: "KEY456")
        let seen = try await keys.verify(jwt, as: Seen.self)
        #expect(seen.iss == "TEAM123")
        #expect(seen.sub == "com.example.web")
        #expect(seen.aud == "https://appleid.apple.com")
        #expect(seen.exp > Int(Date().timeIntervalSince1970))
        let plain = ProviderCredentials(clientId: "id", clientSecret: Secret("plain-secret"))
        #expect(try await gateway.clientSecret(plain, audience: "x") == "plain-secret")
    }
}
