import Hummingbird

/// Widens the pages' `form-action` to the origins of `server.allowed_return_to` and `public_url`: after
/// signing in or confirming a link the form's redirect goes back to the integrator's site,
/// and browsers refuse a redirect the policy does not list.
struct FormActionMiddleware: RouterMiddleware {
    typealias Context = BrokerRequestContext

    let policy: String

    init(allowedReturnTo origins: [String]) {
        policy = PageRenderer.contentSecurityPolicy(formActionOrigins: origins)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if response.headers[.contentSecurityPolicy] != nil { response.headers[.contentSecurityPolicy] = policy }
        return response
    }
}
