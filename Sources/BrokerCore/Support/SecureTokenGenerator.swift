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


    public func identifier() -> String {
        // 128 bits, readable in logs and URLs.
        token(bytes: 16)
    }
}

extension Data {
    /// RFC 4648 §5 base64url without padding, by table: every id, link token and derived secret
    /// goes through here, and three `replacingOccurrences` over base64 showed in the profile.
    public func base64URLEncoded() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((count * 4 + 2) / 3)
        var bits: UInt32 = 0
        var held = 0
        for byte in self {
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
