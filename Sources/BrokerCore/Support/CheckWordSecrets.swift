import Crypto
import Foundation

/// Derives the secret of each check word from the broker's secret key and the
/// word's random id: HMAC-SHA256. The database holds only the word's hash, and
/// an outbox message holds only a placeholder naming the word; the delivery
/// worker puts the secret in at send time. A copy of the database alone
/// therefore reveals no working link or code.
public struct CheckWordSecrets: Sendable {
    let key: SymmetricKey
    /// HMAC under `key`, its pads hashed once: every link and code is derived through it.
    let hmac: KeyedHMAC

    public init(key: Data) {
        self.key = SymmetricKey(data: key)
        self.hmac = KeyedHMAC(key: self.key)
    }

    /// A key of its own for another use of the secret key (`label` names the use), so that no
    /// two uses ever share one: the id_token signing keys are sealed with `derivedKey("signing-keys")`.
    public func derivedKey(_ label: String) -> SymmetricKey {
        SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(("derive:" + label).utf8), using: key)))
    }

    /// The 256-bit link token of a word, base64url.
    public func token(for id: String) -> String {
        Data(hmac.mac("link:", id)).base64URLEncoded()
    }

    /// The 6-digit code of a word (the first 8 bytes of the HMAC reduced mod 10^6; the bias is below 10^-13).
    public func code(for id: String) -> String {
        let mac = hmac.mac("code:", id)
        let value = mac.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let digits = String(value % 1_000_000)
        return String(repeating: "0", count: 6 - digits.count) + digits
    }

    /// The hash stored for a code: keyed (HMAC with the secret key) and salted with the word's id,
    /// so a copy of the database alone cannot try the 10^6 codes against it.
    public func codeHash(id: String, code: String) -> String {
        TokenHash.hex(hmac.mac("code-hash:", id + ":" + code))
    }

    /// What the database keeps of a new word's secret: the link token's SHA-256, or the code's keyed hash.
    public func storedHash(of kind: CheckWord.Kind, id: String) -> String {
        switch kind {
        case .link: TokenHash.of(token(for: id))
        case .code: codeHash(id: id, code: code(for: id))
        }
    }

    /// A derived secret for another use ("nonce", "pkce"), base64url.
    public func derived(_ label: String, id: String) -> String {
        Data(hmac.mac(label + ":", id)).base64URLEncoded()
    }

    /// The placeholder a message carries instead of the secret.
    public static func placeholder(_ kind: CheckWord.Kind, id: String) -> String { "[[\(kind.rawValue):\(id)]]" }

    /// `text` with every placeholder replaced by its secret. Scans the UTF-8 bytes once: the
    /// delivery worker runs this over every message body (a profile of the recovery load had
    /// Foundation's `range(of:)` here at a tenth of the broker's time).
    public func reveal(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 4 else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        var i = 0
        var copied = 0
        while i + 1 < bytes.count {
            guard bytes[i] == UInt8(ascii: "["), bytes[i + 1] == UInt8(ascii: "[") else { i += 1; continue }
            // Find "]]" after the opening; the inner part is `kind:id`.
            var j = i + 2
            while j + 1 < bytes.count, !(bytes[j] == UInt8(ascii: "]") && bytes[j + 1] == UInt8(ascii: "]")) { j += 1 }
            guard j + 1 < bytes.count else { break }
            if let secret = secret(for: bytes[(i + 2)..<j]) {
                out.append(contentsOf: bytes[copied..<i])
                out.append(contentsOf: secret.utf8)
                copied = j + 2
            }
            i = j + 2
        }
        guard copied > 0 else { return text }
        out.append(contentsOf: bytes[copied...])
        return String(decoding: out, as: UTF8.self)
    }

    /// The secret a placeholder's inner part (`link:ID`, `code:ID`) names, or nil for anything else.
    func secret(for inner: ArraySlice<UInt8>) -> String? {
        guard let colon = inner.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let id = inner[(colon + 1)...]
        guard !id.isEmpty, id.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 })
        else { return nil }
        let idString = String(decoding: id, as: UTF8.self)
        switch String(decoding: inner[..<colon], as: UTF8.self) {
        case CheckWord.Kind.link.rawValue: return token(for: idString)
        case CheckWord.Kind.code.rawValue: return code(for: idString)
        default: return nil
        }
    }
}
