import BrokerCore
import Crypto
import Foundation
import Hummingbird

/// CSRF protection for every form: a signed double-submit token. A value in an HttpOnly,
/// SameSite=Strict cookie and in a hidden field of every form; a POST is refused with 403 and
/// changes nothing unless
/// - the two copies are equal (compared in constant time),
/// - the value carries the broker's signature (HMAC under a key derived from the secret key),
///   so that no value another site makes up passes, and
/// - the request's `Origin`, when the browser names one, is the broker's own (`public_url`) or
///   one of `allowed_return_to`, as for the JSON API's cookie writes. `Origin: null` is what
///   browsers send for every form of a page with `Referrer-Policy: no-referrer` (every page
///   here), so it proves nothing either way and the token decides.
/// Outside dev_mode the cookie is `__Host-broker_csrf`: a browser takes a `__Host-` cookie
/// only from the host itself, over https, for the whole host, so a sibling subdomain (which
/// `server.cookie_domain` may trust with the session) or a plain-http page cannot plant one.
struct CSRF: Sendable {
    let secure: Bool
    let tokens: any TokenGenerator
    /// `derivedKey("csrf")` of the broker's secret key.
    let key: SymmetricKey
    /// Lower-cased `scheme://host[:port]` origins a form may be posted from.
    let allowedOrigins: Set<String>

    var cookieName: String { secure ? "__Host-broker_csrf" : "broker_csrf" }

    /// The request's CSRF value, or a new one (with the cookie to set). A handler that renders
    /// one page calls this once, so that its forms and its cookie carry the same value.
    func value(for request: Request) -> (String, Cookie?) {
        if let existing = request.cookies[cookieName]?.value, signed(existing) { return (existing, nil) }
        let nonce = tokens.token(bytes: 24)
        let value = nonce + signature(nonce)
        return (value, Cookie(name: cookieName, value: value, path: "/", secure: secure, httpOnly: true, sameSite: .strict))
    }

    func verify(_ request: Request, field: String?) throws {
        let expired = HTTPError(.forbidden, message: "The form expired. Reload the page and try again.")
        if let origin = request.headers[.origin], origin != "null" {
            guard let normalized = ReturnToPolicy.origin(of: origin), allowedOrigins.contains(normalized) else { throw expired }
        }
        guard let cookie = request.cookies[cookieName]?.value, let field, !field.isEmpty,
              TokenHash.constantTimeEquals(cookie, field), signed(cookie)
        else { throw expired }
    }

    /// True when `value` is a nonce (24 random bytes, 32 base64url characters) followed by its
    /// signature (32 bytes, 43 characters).
    private func signed(_ value: String) -> Bool {
        guard value.utf8.count == 32 + 43 else { return false }
        return TokenHash.constantTimeEquals(String(value.dropFirst(32)), signature(String(value.prefix(32))))
    }

    private func signature(_ nonce: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(("csrf\n" + nonce).utf8), using: key)).base64URLEncoded()
    }
}
