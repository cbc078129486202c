import Hummingbird

/// The router answers 404 for a path it serves with other methods; this turns that into
/// 405 `method_not_allowed` with an `Allow` header, so `GET /api/v1/login` says what is wrong.
///
/// It is added after every route, so it runs only on the router's not-found path, with the
/// router's own finished route list (`Router.routes`): nothing is recorded on the side.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = BrokerRequestContext

    /// (method, path template with `{name}` captures), as `Router.routes` describes them.
    let routes: [(method: String, path: String)]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = methods(serving: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            throw HTTPError(.methodNotAllowed, headers: [.allow: allowed.joined(separator: ", ")])
        }
    }

    /// The methods of the routes whose template matches `path` (`{id}` matches one segment).
    func methods(serving path: String) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        var methods: [String] = []
        for route in routes where !methods.contains(route.method) {
            let template = route.path.split(separator: "/", omittingEmptySubsequences: false)
            guard template.count == parts.count else { continue }
            if zip(template, parts).allSatisfy({ t, p in t == p || (t.hasPrefix("{") && !p.isEmpty) }) { methods.append(route.method) }
        }
        let order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
        return methods.sorted { (order.firstIndex(of: $0) ?? order.count) < (order.firstIndex(of: $1) ?? order.count) }
    }
}
