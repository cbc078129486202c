import Hummingbird

/// Echoes the request id that every log line of the request carries (`hb.request.id`)
/// as `X-Request-Id`, so an integrator can quote it in a support ticket.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = BrokerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.init("X-Request-Id")!] = context.id
        return response
    }
}
