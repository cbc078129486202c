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
    /// RFC 4648 §5 base64url without padding.
    public func base64URLEncoded() -> String {
        base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
