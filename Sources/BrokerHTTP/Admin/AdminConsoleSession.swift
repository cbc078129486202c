import BrokerCore
import Crypto
import Foundation
import Hummingbird

/// The admin console's sign-in: after an operator types an admin token, a short session in an
/// HttpOnly, SameSite=Strict cookie scoped to `/admin`. The cookie holds no token: its expiry and
/// the token's fingerprint (first 12 hex of an HMAC of it under a key derived from the secret key,
/// so neither the cookie nor the audit trail lets anyone try guesses at a weak token offline),
/// signed with HMAC under that key. It stops working when it expires or when its token leaves `admin.tokens`, and
/// the fingerprint names the operator in every audit event (`console:<fingerprint>`).
struct AdminConsoleSession: Sendable {
    static let cookie = "broker_admin"
    static let lifetime: TimeInterval = 30 * 60
    let key: SymmetricKey
    let tokens: [Secret]
    let secure: Bool

    func fingerprint(_ token: Secret) -> String {
        String(TokenHash.hex(HMAC<SHA256>.authenticationCode(for: Data(("fingerprint:" + token.value).utf8), using: key)).prefix(12))
    }

    func cookie(for token: Secret, now: Date) -> Cookie {
        let payload = "\(Int(now.addingTimeInterval(Self.lifetime).timeIntervalSince1970)).\(fingerprint(token))"
        return Cookie(name: Self.cookie, value: payload + "." + signature(payload), maxAge: Int(Self.lifetime), path: "/admin",
                      secure: secure, httpOnly: true, sameSite: .strict)
    }

    func expired() -> Cookie {
        Cookie(name: Self.cookie, value: "", maxAge: 0, path: "/admin", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// The audit actor of a signed-in request (`console:<fingerprint>`), or nil.
    func actor(of request: Request, now: Date) -> String? {
        guard let value = request.cookies[Self.cookie]?.value, value.utf8.count < 200 else { return nil }
        let parts = value.split(separator: ".")
        guard parts.count == 3, let expiry = Int(parts[0]) else { return nil }
        let fingerprint = String(parts[1])
        guard TokenHash.constantTimeEquals(String(parts[2]), signature("\(parts[0]).\(parts[1])")),
              TimeInterval(expiry) > now.timeIntervalSince1970,
              tokens.contains(where: { self.fingerprint($0) == fingerprint })
        else { return nil }
        return "console:" + fingerprint
    }

    func signature(_ payload: String) -> String {
        TokenHash.hex(HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key))
    }
}
