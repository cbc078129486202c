import Crypto
import Foundation

/// Secrets are stored only as their SHA-256 and compared in constant time.
public enum TokenHash {
    /// Lower-case hex SHA-256 of the token's UTF-8 bytes.
    public static func of(_ token: String) -> String {
        hex(SHA256.hash(data: Data(token.utf8)))
    }

    /// Lower-case hex of `bytes`, by table: this runs on every request that names a session
    /// or a check word, where 32 `String(format:)` calls were a measurable share of the work.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compares two secrets without an early exit: both are hashed first, so
    /// neither their length nor the position of the first difference leaks.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let ha = SHA256.hash(data: Data(a.utf8))
        let hb = SHA256.hash(data: Data(b.utf8))
        var diff: UInt8 = 0
        for (x, y) in zip(ha, hb) { diff |= x ^ y }
        return diff == 0
    }
}
