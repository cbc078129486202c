import BrokerCore
import Foundation
import Hummingbird
import Prometheus

/// Health, metrics and the API description: what operators and load balancers poll.
struct OperationsController {
    let store: any AccountStore
    let metrics: PrometheusCollectorRegistry
    /// The OpenAPI document's bytes, loaded at start-up.
    let openAPI: Data

    struct Status: Encodable { var status: String }

    func addRoutes(to routes: some RouterMethods<BrokerRequestContext>) {
        routes.get("/health/live", use: live)
        routes.get("/health/ready", use: ready)
        routes.get("/metrics", use: metrics)
        routes.get("/openapi.json", use: openAPI)
    }

    @Sendable func live(_ _: Request, context _: BrokerRequestContext) async throws -> Response {
        try JSONResponse.make(Status(status: "ok"))
    }

    @Sendable func ready(_ _: Request, context: BrokerRequestContext) async throws -> Response {
        do {
            // An orchestrator's probe waits 1-2 s: answer within that, whatever the database does.
            try await Deadline.run(seconds: 1.5, timeout: StoreError.unavailable("no answer within 1.5 s")) { [store] in
                try await store.ping()
            }
            return try JSONResponse.make(Status(status: "ok"))
        } catch {
            context.logger.warning("readiness check failed", metadata: ["error": "\(error)"])
            return try JSONResponse.make(Status(status: "database_unreachable"), status: .serviceUnavailable)
        }
    }

    @Sendable func metrics(_ _: Request, context _: BrokerRequestContext) async throws -> Response {
        var buffer: [UInt8] = []
        metrics.emit(into: &buffer)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    @Sendable func openAPI(_ _: Request, context _: BrokerRequestContext) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: openAPI)))
    }
}

/// The OpenAPI 3.1 description, shipped as a resource so it is served byte for byte as written.
public enum OpenAPIDocument {
    /// The document's bytes; a missing resource stops start-up instead of serving `{}`.
    public static func load() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw ResourceError(name: "openapi.json", problem: "is missing from the bundle")
        }
        let data = try Data(contentsOf: url)
        // JSONDecoder parses the whole document (a syntax error anywhere fails it) and the shape
        // asks for an object at the top. JSONSerialization built a Foundation object graph of
        // the 138 kB document instead: a sixth of start-up.
        guard (try? JSONDecoder().decode(TopLevelObject.self, from: data)) != nil else {
            throw ResourceError(name: "openapi.json", problem: "is not a JSON object")
        }
        return data
    }

    /// Any JSON object, its members unread.
    struct TopLevelObject: Decodable {
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws { _ = try decoder.container(keyedBy: AnyKey.self) }
    }
}

/// A resource the HTTP layer ships that cannot be used (a template, the OpenAPI document, the stylesheet).
public struct ResourceError: Error, CustomStringConvertible {
    public var name: String
    public var problem: String
    public var description: String { "\(name) \(problem)" }
}
