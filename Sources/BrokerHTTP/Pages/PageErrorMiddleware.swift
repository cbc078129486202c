import Hummingbird

/// On the page routes, whatever a handler throws (a refusal, a form that cannot be read,
/// a body too large, the database gone) becomes an HTML page of the same status through
/// `PageRenderer.problem`, never the JSON envelope. `onlyForBrowsers`: the social routes
/// answer HTML only when the request's Accept prefers it, and the envelope otherwise
/// (the contract's rule for `/auth/{provider}/start|callback`).
struct PageErrorMiddleware: RouterMiddleware {
    typealias Context = BrokerRequestContext

    let renderer: PageRenderer
    /// The page's title, a `page.` key.
    var title = "problem_title"
    var onlyForBrowsers = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if onlyForBrowsers, !Self.prefersHTML(request) { throw error }
            return renderer.problem(error, request: request, logger: context.logger, title: title)
        }
    }

    /// True when Accept ranks text/html above application/json.
    static func prefersHTML(_ request: Request) -> Bool {
        guard let accept = request.headers[.accept]?.lowercased() else { return false }
        let html = accept.range(of: "text/html")?.lowerBound
        let json = accept.range(of: "application/json")?.lowerBound
        guard let html else { return false }
        return json.map { html < $0 } ?? true
    }
}
