import BrokerCore
import Foundation
import Hummingbird

/// The `broker_session` cookie: HttpOnly, SameSite=Lax, Secure unless dev_mode.
struct SessionCookies: Sendable {
    static let name = "broker_session"
    let secure: Bool
    /// `server.cookie_domain`: apps on sibling subdomains then receive the cookie too and can
    /// forward it to `GET /api/v1/session`. nil: the broker's own host only.
    var domain: String? = nil

    func session(token: String, expiresAt: Date) -> Cookie {
        Cookie(name: Self.name, value: token, expires: expiresAt, domain: domain, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func expired() -> Cookie {
        Cookie(name: Self.name, value: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, domain: domain, path: "/", secure: secure,
               httpOnly: true, sameSite: .lax)
    }

    /// The session token of a request: `Authorization: Bearer` first, then the cookie.
    static func token(in request: Request) -> String? {
        if let bearer = bearerToken(request) { return bearer }
        if let value = request.cookies[name]?.value, !value.isEmpty { return value }
        return nil
    }

    static func bearerToken(_ request: Request) -> String? {
        request.headers[.authorization].flatMap(bearerToken(header:))
    }

    /// The token of an `Authorization` value `Bearer TOKEN`: the scheme in any case, then a
    /// space, then the token with the whitespace around it dropped. Read from the UTF-8
    /// bytes: `split` and `lowercased()` were ~2% of a session read.
    static func bearerToken(header: String) -> String? {
        let bytes = header.utf8
        var index = bytes.startIndex
        for expected in "bearer".utf8 {
            guard index < bytes.endIndex, bytes[index] | 0x20 == expected else { return nil }
            index = bytes.index(after: index)
        }
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: " ") else { return nil }
        let token = header[bytes.index(after: index)...].trimmingWhitespace()
        return token.isEmpty ? nil : token
    }
}
