import BrokerCore
import Foundation
import Testing

@Suite("Check-word secrets")
struct CheckWordSecretsTests {
    /// A copy of the database alone must not give up a live code by trying all 10^6: the stored
    /// hash is keyed with the secret key, so the unkeyed recipe (SHA-256 of id and code) finds nothing.
    @Test func codeHashesAreKeyed() {
        let a = CheckWordSecrets(key: Data(repeating: 1, count: 32))
        let b = CheckWordSecrets(key: Data(repeating: 2, count: 32))
        let code = a.code(for: "w1")
        let stored = a.storedHash(of: .code, id: "w1")
        #expect(stored == a.codeHash(id: "w1", code: code))
        #expect(stored != TokenHash.of("w1:" + code), "not the unkeyed hash an attacker could search")
        #expect(stored != b.codeHash(id: "w1", code: code), "another key gives another hash")
        #expect(stored != a.codeHash(id: "w2", code: code), "salted by the word")
    }

    @Test func linkHashesAreOfTheDerivedToken() {
        let a = CheckWordSecrets(key: Data(repeating: 1, count: 32))
        #expect(a.storedHash(of: .link, id: "w1") == TokenHash.of(a.token(for: "w1")))
    }

    /// The table encoder agrees with Foundation's base64 made URL-safe, for every length.
    @Test func base64URLMatchesFoundation() {
        for length in 0..<70 {
            let data = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
            let foundation = data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(data.base64URLEncoded() == foundation, "length \(length)")
        }
    }
}
