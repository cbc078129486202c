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
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingWhitespace()
        return token.isEmpty ? nil : token
    }
}
