@testable import BrokerCore
import Crypto
import Foundation
import Testing

/// The precomputed HMAC must be HMAC-SHA256 exactly: links and codes already sent were
/// derived with swift-crypto's `HMAC`, and must keep working.
@Suite("Keyed HMAC")
struct KeyedHMACTests {
    static func bytes(_ count: Int, seed: UInt8) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) } }

    /// Keys shorter than, equal to and longer than SHA-256's 64-byte block (a longer key is
    /// hashed first); messages around the padding boundaries (55/56 and 64 bytes).
    @Test func equalsSwiftCryptoHMACForEveryKeyAndMessageSize() {
        for keySize in [0, 1, 31, 32, 63, 64, 65, 100, 200] {
            let key = SymmetricKey(data: Self.bytes(keySize, seed: 7))
            let keyed = KeyedHMAC(key: key)
            for messageSize in [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000] {
                let message = Self.bytes(messageSize, seed: UInt8(messageSize % 251))
                let expected = Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
                #expect(keyed.mac(message) == expected, "key \(keySize) bytes, message \(messageSize) bytes")
            }
        }
    }

    /// RFC 4231, test case 2 (a short key and message).
    @Test func matchesRFC4231() {
        let keyed = KeyedHMAC(key: SymmetricKey(data: Data("Jefe".utf8)))
        #expect(TokenHash.hex(keyed.mac(Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    /// A link's token, a code and a code's stored hash are what they were when derived with `HMAC`.
    @Test func checkWordSecretsAreUnchanged() {
        let keyData = Data(Self.bytes(32, seed: 3))
        let key = SymmetricKey(data: keyData)
        let secrets = CheckWordSecrets(key: keyData)
        let id = "0P8Ck6NtpHZ5CCJuh-Z_YV"
        let reference = { (text: String) in Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)) }
        #expect(secrets.token(for: id) == reference("link:" + id).base64URLEncoded())
        let mac = Array(reference("code:" + id))
        let value = mac.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % 1_000_000
        #expect(secrets.code(for: id) == String(format: "%06llu", value))
        #expect(secrets.codeHash(id: id, code: "123456") == TokenHash.hex(reference("code-hash:" + id + ":123456")))
        #expect(secrets.derived("nonce", id: id) == reference("nonce:" + id).base64URLEncoded())
    }
}
