import Crypto
import Foundation

/// Secrets are stored only as their SHA-256 and compared in constant time.
public enum TokenHash {
    /// Lower-case hex SHA-256 of the token's UTF-8 bytes.
    public static func of(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
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
