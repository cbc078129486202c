import Foundation

/// Randomness from the operating system's CSPRNG (`SystemRandomNumberGenerator`: getrandom on Linux).
public struct SecureTokenGenerator: TokenGenerator {
    public init() {}

    public func token(bytes: Int) -> String {
        // Eight bytes per call of the system generator (one getrandom each), not one.
        var rng = SystemRandomNumberGenerator()
        var data = Data(capacity: bytes + 8)
        while data.count < bytes {
            var word = rng.next()
            withUnsafeBytes(of: &word) { data.append(contentsOf: $0) }
        }
        return data.prefix(bytes).base64URLEncoded()
    }


    /// 128 bits that sort by time: a 6-bit mark, 42 bits of Unix milliseconds (until 2109),
    /// then 80 random bits, written in base64url's characters in ASCII order. New rows' primary
    /// keys then land at the end of their B-tree instead of on a random page, so a commit
    /// dirties the same few pages (a profile of the recovery load showed ~40 pages written per
    /// request with random ids). The mark makes every id start with `0`: with the clock's top
    /// bits zero, ids would all start with `-`, which command lines read as an option.
    /// Ids name rows; they are never secrets (check-word secrets are HMACs of them under the key).
    public func identifier() -> String {
        let clock = UInt64(max(0, Date().timeIntervalSince1970 * 1000)) & ((1 << 42) - 1)
        let millis = (1 << 42) | clock
        var rng = SystemRandomNumberGenerator()
        let (a, b) = (rng.next() as UInt64, rng.next() as UInt64)
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> UInt64(8 * (5 - i))) }
        for i in 0..<8 { bytes[6 + i] = UInt8(truncatingIfNeeded: a >> UInt64(8 * i)) }
        for i in 0..<2 { bytes[14 + i] = UInt8(truncatingIfNeeded: b >> UInt64(8 * i)) }
        return Base64Groups.encode(bytes, alphabet: Self.sortableAlphabet)
    }

    /// base64url's alphabet in ASCII order, so that strings compare as the bytes they encode.
    static let sortableAlphabet = Array("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz".utf8)
}

extension Data {
    /// RFC 4648 §5 base64url without padding, by table: every id, link token and derived secret
    /// goes through here, and three `replacingOccurrences` over base64 showed in the profile.
    public func base64URLEncoded() -> String { Base64Groups.encode(self, alphabet: Base64Groups.url) }
}

/// Bytes in 6-bit groups of a 64-character alphabet, the last group padded with zero bits.
enum Base64Groups {
    static let url = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: some Sequence<UInt8>, alphabet: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.underestimatedCount * 4 + 2) / 3)
        var bits: UInt32 = 0
        var held = 0
        for byte in bytes {
            bits = bits << 8 | UInt32(byte)
            held += 8
            while held >= 6 {
                held -= 6
                out.append(alphabet[Int((bits >> UInt32(held)) & 0x3F)])
            }
        }
        if held > 0 { out.append(alphabet[Int((bits << UInt32(6 - held)) & 0x3F)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
