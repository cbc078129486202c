import Hummingbird
import Metrics
import Synchronization

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

    /// Counters by (route, method, status), made once each: building a Counter looks it up in
    /// the metrics factory under a lock, which every request paid before.
    let counters = CounterCache()

    func count(_ request: Request, _ context: Context, _ status: HTTPResponse.Status) {
        counters.counter(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: Int(status.code)).increment()
    }
}

final class CounterCache: Sendable {
    struct Key: Hashable { var route: String, method: String, status: Int }
    let counters = Mutex<[Key: Counter]>([:])

    func counter(route: String, method: String, status: Int) -> Counter {
        let key = Key(route: route, method: method, status: status)
        if let found = counters.withLock({ $0[key] }) { return found }
        let made = Counter(label: "http_requests_total", dimensions: [("route", route), ("method", method), ("status", String(status))])
        counters.withLock { $0[key] = made }
        return made
    }
}
