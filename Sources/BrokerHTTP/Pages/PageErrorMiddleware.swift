import Foundation
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

    /// True when Accept ranks text/html above application/json (RFC 9110 §12.5.1): each by its
    /// own q, else its type's `text/*` or `application/*`, else `*/*`, else 0. A tie, `*/*`
    /// alone or no Accept at all is JSON; `text/html;q=0` is never HTML.
    static func prefersHTML(_ request: Request) -> Bool {
        guard let accept = request.headers[.accept] else { return false }
        return prefersHTML(accept: accept)
    }

    static func prefersHTML(accept: String) -> Bool {
        var weights: [String: Double] = [:]
        for part in accept.lowercased().split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let range = pieces.first, !range.isEmpty else { continue }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            weights[range] = max(weights[range] ?? 0, min(max(q, 0), 1))
        }
        func weight(_ type: String) -> Double {
            weights[type] ?? weights[String(type.prefix { $0 != "/" }) + "/*"] ?? weights["*/*"] ?? 0
        }
        return weight("text/html") > weight("application/json")
    }
}
