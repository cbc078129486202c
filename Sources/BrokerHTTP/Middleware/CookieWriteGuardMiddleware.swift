import BrokerCore
import Hummingbird

/// Cross-site writes with the session cookie. A browser attaches `broker_session` to any
/// request another site makes it send (a form, or a `fetch` with a Blob body and no
/// preflight), so a write on the JSON API that the cookie authenticates must carry
/// `Content-Type: application/json` (which no cross-site request can send without a CORS
/// preflight that the broker never grants), 415 otherwise; and a request with an `Origin`
/// must come from `public_url` or one of `allowed_return_to`, 403 `forbidden` otherwise.
/// The media type is required of bodyless writes too (a sign-out, an unlink), as the contract
/// words it: no exception to reason about, and `fetch` sends the header with or without a body.
/// Requests that authenticate with a bearer token carry no ambient credential and pass.
struct CookieWriteGuardMiddleware: RouterMiddleware {
    typealias Context = BrokerRequestContext

    /// Lower-cased `scheme://host[:port]` origins a cookie-authenticated write may come from.
    let allowedOrigins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/"), Self.isWrite(request.method),
              SessionCookies.bearerToken(request) == nil,
              let cookie = request.cookies[SessionCookies.name]?.value, !cookie.isEmpty
        else { return try await next(request, context) }
        if let origin = request.headers[.origin] {
            guard let normalized = ReturnToPolicy.origin(of: origin), allowedOrigins.contains(normalized) else {
                throw HTTPError(.forbidden)
            }
        }
        guard let type = request.headers[.contentType], let media = MediaType(from: type),
              media.type == .application, media.subType == "json" || media.subType.hasSuffix("+json")
        else { throw HTTPError(.unsupportedMediaType) }
        return try await next(request, context)
    }

    static func isWrite(_ method: HTTPRequest.Method) -> Bool {
        method != .get && method != .head && method != .options
    }

}
