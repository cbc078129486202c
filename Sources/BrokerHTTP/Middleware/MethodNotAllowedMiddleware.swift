import Hummingbird

/// The router answers 404 for a path it serves with other methods; this turns that into
/// 405 `method_not_allowed` with an `Allow` header, so `GET /api/v1/login` says what is wrong.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = BrokerRequestContext

    let routes: RouteRecorder

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.methods(serving: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            throw HTTPError(.methodNotAllowed, headers: [.allow: allowed.joined(separator: ", ")])
        }
    }
}
