import BrokerCore
import Hummingbird

/// Double-submit CSRF protection: a random value in an HttpOnly, SameSite=Strict
/// cookie and in a hidden field of every form; a POST whose two copies differ
/// (compared in constant time) is refused with 403 and changes nothing.
struct CSRF: Sendable {
    static let cookie = "broker_csrf"
    let secure: Bool
    let tokens: any TokenGenerator

    /// The request's CSRF value, or a new one (with the cookie to set).
    func value(for request: Request) -> (String, Cookie?) {
        if let existing = request.cookies[Self.cookie]?.value, existing.count >= 20 { return (existing, nil) }
        let value = tokens.token(bytes: 24)
        return (value, Cookie(name: Self.cookie, value: value, path: "/", secure: secure, httpOnly: true, sameSite: .strict))
    }

    func verify(_ request: Request, field: String?) throws {
        guard let cookie = request.cookies[Self.cookie]?.value, let field, !field.isEmpty,
              TokenHash.constantTimeEquals(cookie, field)
        else { throw HTTPError(.forbidden, message: "The form expired. Reload the page and try again.") }
    }
}
