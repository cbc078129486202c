import BrokerCore
import Crypto
import Foundation
import Hummingbird

/// CSRF protection for every form: a signed double-submit token. A value in an HttpOnly,
/// SameSite=Strict cookie and in a hidden field of every form; a POST is refused with 403 and
/// changes nothing unless
/// - the two copies are equal (compared in constant time),
/// - the value carries the broker's signature (HMAC under a key derived from the secret key)
///   over its random part and the sign-in it was issued to (the `broker_session` and
///   `broker_admin` cookies the browser had), so that a cookie planted from a sibling
///   subdomain, or a value the attacker got for their own browser, never passes, and
/// - the request's `Origin`, when the browser sends one, is the broker's own (`public_url`) or
///   one of `allowed_return_to`, as for the JSON API's cookie writes.
/// A page rendered after the sign-in changed gets a new value (and cookie).
struct CSRF: Sendable {
    static let cookie = "broker_csrf"
    let secure: Bool
    let tokens: any TokenGenerator
    /// `derivedKey("csrf")` of the broker's secret key.
    let key: SymmetricKey
    /// Lower-cased `scheme://host[:port]` origins a form may be posted from.
    let allowedOrigins: Set<String>

    /// The request's CSRF value when it still fits the request's sign-in, or a new one (with the cookie to set).
    func value(for request: Request) -> (String, Cookie?) {
        if let existing = request.cookies[Self.cookie]?.value, signed(existing, for: request) { return (existing, nil) }
        let nonce = tokens.token(bytes: 24)
        let value = nonce + signature(nonce, for: request)
        return (value, Cookie(name: Self.cookie, value: value, path: "/", secure: secure, httpOnly: true, sameSite: .strict))
    }

    func verify(_ request: Request, field: String?) throws {
        let expired = HTTPError(.forbidden, message: "The form expired. Reload the page and try again.")
        if let origin = request.headers[.origin] {
            guard let normalized = ReturnToPolicy.origin(of: origin), allowedOrigins.contains(normalized) else { throw expired }
        }
        guard let cookie = request.cookies[Self.cookie]?.value, let field, !field.isEmpty,
              TokenHash.constantTimeEquals(cookie, field), signed(cookie, for: request)
        else { throw expired }
    }

    /// True when `value` is a nonce (24 random bytes, 32 base64url characters) followed by the
    /// signature of it and this request's sign-in (32 bytes, 43 characters).
    private func signed(_ value: String, for request: Request) -> Bool {
        guard value.utf8.count == 32 + 43 else { return false }
        let nonce = String(value.prefix(32)), mac = String(value.dropFirst(32))
        return TokenHash.constantTimeEquals(mac, signature(nonce, for: request))
    }

    private func signature(_ nonce: String, for request: Request) -> String {
        let session = request.cookies[SessionCookies.name]?.value ?? ""
        let admin = request.cookies[AdminConsoleSession.cookie]?.value ?? ""
        let bound = nonce + "\n" + TokenHash.of(session) + "\n" + TokenHash.of(admin)
        return Data(HMAC<SHA256>.authenticationCode(for: Data(bound.utf8), using: key)).base64URLEncoded()
    }
}
