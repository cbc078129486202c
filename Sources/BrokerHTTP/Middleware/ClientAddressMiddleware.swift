import BrokerCore
import Hummingbird

/// Behind a reverse proxy: takes the client's address from `X-Forwarded-For` when the
/// TCP peer is one of `server.trusted_proxies` (see `ClientAddressPolicy`), so the
/// per-address throttles count clients, not the proxy.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = BrokerRequestContext
    let policy: ClientAddressPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.clientAddress = policy.clientAddress(peer: context.clientAddress, forwardedFor: request.headers[values: .init("X-Forwarded-For")!])
        return try await next(request, context)
    }
}
