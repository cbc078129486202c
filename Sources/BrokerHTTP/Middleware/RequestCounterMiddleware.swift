import Hummingbird
import Metrics

/// `http_requests_total{route, method, status}`: the conventional Prometheus counter, beside
/// Hummingbird's own `hb_requests` (whose labels carry OpenTelemetry names such as
/// `http_response_status_code`), so dashboards and alerts written for either find theirs.
struct RequestCounterMiddleware: RouterMiddleware {
    typealias Context = BrokerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            count(request, context, response.status)
            return response
        } catch {
            count(request, context, (error as? any HTTPResponseError)?.status ?? .internalServerError)
            throw error
        }
    }

    func count(_ request: Request, _ context: Context, _ status: HTTPResponse.Status) {
        Counter(label: "http_requests_total", dimensions: [
            ("route", context.endpointPath ?? "unmatched"), ("method", request.method.rawValue), ("status", String(status.code)),
        ]).increment()
    }
}
