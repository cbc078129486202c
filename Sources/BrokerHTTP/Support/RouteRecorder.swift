import Hummingbird

/// Registers routes on the router and remembers each (method, path), so the
/// OpenAPI document can be checked against exactly what the router serves.
final class RouteRecorder: @unchecked Sendable {
    typealias Handler = @Sendable (Request, BrokerRequestContext) async throws -> Response
    let router: Router<BrokerRequestContext>
    /// ("GET", "/api/v1/admin/accounts/{id}") pairs, in OpenAPI path syntax.
    private(set) var routes: [(method: String, path: String)] = []

    init(router: Router<BrokerRequestContext>) { self.router = router }

    func get(_ path: String, _ handler: @escaping Handler) { on(path, .get, handler) }
    func post(_ path: String, _ handler: @escaping Handler) { on(path, .post, handler) }
    func put(_ path: String, _ handler: @escaping Handler) { on(path, .put, handler) }
    func patch(_ path: String, _ handler: @escaping Handler) { on(path, .patch, handler) }
    func delete(_ path: String, _ handler: @escaping Handler) { on(path, .delete, handler) }

    func on(_ path: String, _ method: HTTPRequest.Method, _ handler: @escaping Handler) {
        router.on(RouterPath(path), method: method, use: handler)
        let openAPIPath = path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            .joined(separator: "/")
        routes.append((method.rawValue, openAPIPath))
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
        return methods
    }
}
