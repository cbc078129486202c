import BrokerCore
import Hummingbird

/// Guards the admin API's group (`/api/v1/admin`): the bearer token must be one of
/// `admin.tokens`, compared in constant time against every one of them; anything else
/// is 401 `unauthenticated` before a handler runs.
struct AdminTokenAuthenticator: RouterMiddleware {
    typealias Context = BrokerRequestContext

    let tokens: [Secret]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let presented = SessionCookies.bearerToken(request) else { throw BrokerError.unauthenticated }
        var matched = false
        for token in tokens where TokenHash.constantTimeEquals(token.value, presented) { matched = true }
        guard matched else { throw BrokerError.unauthenticated }
        return try await next(request, context)
    }
}
