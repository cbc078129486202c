import Hummingbird

/// Lets a browser app (a public client: an SPA with PKCE) call the JSON endpoints of the broker
/// as an OpenID Connect provider from its own origin: discovery, JWKS, token and userinfo, for
/// the origins of the apps' registered redirect URIs only. Preflights are answered here, since
/// no route takes OPTIONS. No cookies are involved (`Allow-Credentials` is never sent): these
/// endpoints authenticate by client credentials and bearer tokens.
struct AppCORSMiddleware: RouterMiddleware {
    typealias Context = BrokerRequestContext

    static let paths: Set<String> = ["/.well-known/openid-configuration", "/oauth2/jwks", "/oauth2/token", "/oauth2/userinfo"]
    let origins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.paths.contains(request.uri.path), let origin = request.headers[.origin], origins.contains(origin.lowercased()) else {
            return try await next(request, context)
        }
        if request.method == .options {
            return Response(status: .noContent, headers: [
                .accessControlAllowOrigin: origin, .accessControlAllowMethods: "GET, POST",
                .accessControlAllowHeaders: "Authorization, Content-Type", .accessControlMaxAge: "600", .vary: "Origin",
            ])
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.vary] = "Origin"
        return response
    }
}
