import Hummingbird
import Logging

/// One log line per request: method, path, status and time taken. Query strings carry
/// recovery tokens, OAuth `code` and `state`, so their values are never logged, at any
/// level: `/recover/reset?token=…` is logged as `/recover/reset?token=<redacted>`.
/// (Hummingbird's LogRequestsMiddleware logs the whole URI, which is why this exists.)
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = BrokerRequestContext

    let level: Logger.Level

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context, status: Int(response.status.code), since: start)
            return response
        } catch {
            log(request, context, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: start)
            throw error
        }
    }

    func log(_ request: Request, _ context: Context, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.log(level: level, "request", metadata: [
            "http.method": .string(request.method.rawValue),
            "http.path": .string(Self.redacted(path: request.uri.path, query: request.uri.query)),
            "http.status": .stringConvertible(status),
            "http.duration_ms": .stringConvertible((ms * 10).rounded() / 10),
        ])
    }

    /// The path with each query parameter's value replaced: names stay (they help reading a log), values go.
    static func redacted(path: String, query: String?) -> String {
        guard let query, !query.isEmpty else { return path }
        let names = query.split(separator: "&", omittingEmptySubsequences: true).map { pair -> String in
            // A part without '=' is a value, not a name (`?TOKEN`): nothing of it is logged.
            guard let equals = pair.firstIndex(of: "=") else { return "<redacted>" }
            let name = pair[..<equals]
            let safe = name.count <= 64 && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." } ? String(name) : "?"
            return safe + "=<redacted>"
        }
        return path + "?" + names.joined(separator: "&")
    }
}
