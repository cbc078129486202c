import BrokerCore
import Foundation
import Hummingbird
import Prometheus

/// Health, metrics and the API description: what operators and load balancers poll.
struct OperationsController {
    let store: any AccountStore
    let metrics: PrometheusCollectorRegistry

    struct Status: Encodable { var status: String }

    func addRoutes(to routes: RouteRecorder) {
        routes.get("/health/live") { _, _ in JSONResponse.make(Status(status: "ok")) }
        routes.get("/health/ready") { _, context in
            do {
                // An orchestrator's probe waits 1-2 s: answer within that, whatever the database does.
                try await Deadline.run(seconds: 1.5, timeout: StoreError.unavailable("no answer within 1.5 s")) { [store] in
                    try await store.ping()
                }
                return JSONResponse.make(Status(status: "ok"))
            } catch {
                context.logger.warning("readiness check failed", metadata: ["error": "\(error)"])
                return JSONResponse.make(Status(status: "database_unreachable"), status: .serviceUnavailable)
            }
        }
        routes.get("/metrics") { _, _ in
            var buffer: [UInt8] = []
            metrics.emit(into: &buffer)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        routes.get("/openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.data)))
        }
    }
}

/// The OpenAPI 3.1 description, shipped as a resource so it is served byte for byte as written.
public enum OpenAPIDocument {
    public static let data: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"), let data = try? Data(contentsOf: url) else {
            return Data("{}".utf8)
        }
        return data
    }()
}
