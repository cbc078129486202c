import Crypto
import Foundation

/// Derives the secret of each check word from the broker's secret key and the
/// word's random id: HMAC-SHA256. The database holds only the word's hash, and
/// an outbox message holds only a placeholder naming the word; the delivery
/// worker puts the secret in at send time. A copy of the database alone
/// therefore reveals no working link or code.
public struct CheckWordSecrets: Sendable {
    let key: SymmetricKey

    public init(key: Data) { self.key = SymmetricKey(data: key) }

    /// The 256-bit link token of a word, base64url.
    public func token(for id: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(("link:" + id).utf8), using: key)).base64URLEncoded()
    }

    /// The 6-digit code of a word (the first 8 bytes of the HMAC reduced mod 10^6; the bias is below 10^-13).
    public func code(for id: String) -> String {
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Data(("code:" + id).utf8), using: key))
        let value = mac.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let digits = String(value % 1_000_000)
        return String(repeating: "0", count: 6 - digits.count) + digits
    }

    /// The hash stored for a code: keyed (HMAC with the secret key) and salted with the word's id,
    /// so a copy of the database alone cannot try the 10^6 codes against it.
    public func codeHash(id: String, code: String) -> String {
        TokenHash.hex(HMAC<SHA256>.authenticationCode(for: Data(("code-hash:" + id + ":" + code).utf8), using: key))
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
        Data(HMAC<SHA256>.authenticationCode(for: Data((label + ":" + id).utf8), using: key)).base64URLEncoded()
    }

    /// The placeholder a message carries instead of the secret.
    public static func placeholder(_ kind: CheckWord.Kind, id: String) -> String { "[[\(kind.rawValue):\(id)]]" }

    /// `text` with every placeholder replaced by its secret.
    public func reveal(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "[[") {
            out += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "]]") else { out += rest[open.lowerBound...]; return out }
            let inner = after[..<close.lowerBound]
            let parts = inner.split(separator: ":", maxSplits: 1)
            if parts.count == 2, let kind = CheckWord.Kind(rawValue: String(parts[0])),
               parts[1].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
                out += kind == .link ? token(for: String(parts[1])) : code(for: String(parts[1]))
            } else {
                out += rest[open.lowerBound..<close.upperBound]
            }
            rest = after[close.upperBound...]
        }
        return out + rest
    }
}
