import BrokerConfiguration
import BrokerCore
import BrokerDelivery
import BrokerHTTP
import BrokerRuntime
import BrokerTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// The real application on a real SQLite file in a fresh folder, with a manual clock.
struct AppHarness {
    static let adminToken = "test-admin-token-0123456789"
    static var root: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    let runtime: BrokerRuntime
    let clock: ManualClock
    let directory: URL

    init(extraYAML: String = "", devMode: Bool = true, environment: [String: String] = [:]) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("broker-http-" + UUID().uuidString)
        let yaml = """
            server:
              dev_mode: \(devMode)
            database:
              url: sqlite://\(directory.path)/broker.sqlite
            admin:
              tokens: [\(Self.adminToken)]
            providers:
              directory: \(Self.root.appendingPathComponent("providers").path)
            security:
              argon2_memory_kib: 64
              argon2_iterations: 1
            rate_limits:
              login_per_account: 3
              login_per_address: 20
            mail:
              file_directory: \(directory.path)/outbox/mail
            sms:
              file_directory: \(directory.path)/outbox/sms
            \(extraYAML)
            """
        clock = ManualClock()
        runtime = try await BrokerRuntime.make(config: try ConfigLoader.parse(yaml: yaml, environment: environment), clock: clock)
    }

    /// Delivers what the outbox holds (the worker's pass) and returns every message written so far, newest first.
    func deliveries() async throws -> [FileTransport.Record] {
        while try await runtime.worker.drainOnce() > 0 {}
        return FileTransport.read(directories: [directory.path + "/outbox/mail", directory.path + "/outbox/sms"])
    }

    /// The newest message to `to`, delivered now.
    func lastMessage(to: String) async throws -> FileTransport.Record? {
        try await deliveries().first { $0.to == to }
    }

    /// The text of the newest message to `to`; fails when there is none.
    func text(to: String) async throws -> String {
        guard let message = try await lastMessage(to: to) else { throw HTTPError(.notFound, message: "no message to \(to)") }
        return message.text
    }

    /// A session for an account as a social sign-in would make it, authenticated `ago` seconds back.
    func session(for accountId: String, provider: String = "google", ago: TimeInterval = 0) async throws -> String {
        let store = runtime.services.ports.store
        guard let account = try await store.account(id: accountId) else { throw HTTPError(.notFound) }
        let issued = runtime.services.signIn.newSession(for: account, methods: ["provider:" + provider], now: clock.now().addingTimeInterval(-ago))
        try await store.commit([.insertSession(issued.session)])
        return issued.token
    }

    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        // Without the worker service: the tests deliver with `deliveries()`, so nothing races them.
        try await buildApplication(services: runtime.services, logger: logger).test(.router) { client in try await body(client) }
    }
}

/// A response decoded for assertions.
struct Reply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorField: String? { (json["error"] as? [String: Any])?["field"] as? String }
    var account: [String: Any] { json["account"] as? [String: Any] ?? json }
    var setCookie: String { headers[values: .setCookie].joined(separator: "\n") }
}

extension TestClientProtocol {
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, bearer: String? = nil,
        headers extra: HTTPFields = [:], raw: ByteBuffer? = nil
    ) async throws -> Reply {
        var headers = extra
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        if let bearer { headers[.authorization] = "Bearer " + bearer }
        let body = raw ?? json.map { ByteBuffer(string: $0) }
        return try await execute(uri: uri, method: method, headers: headers, body: body) { response in
            Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
        }
    }

    func admin(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil) async throws -> Reply {
        try await call(method, uri, json: json, bearer: AppHarness.adminToken)
    }

    /// Creates an account through the admin API and returns its id.
    func createAccount(_ json: String) async throws -> String {
        let reply = try await admin(.post, "/api/v1/admin/accounts", json: json)
        guard reply.status == .created, let id = reply.json["id"] as? String else {
            throw HTTPError(.internalServerError, message: "create failed: \(reply.status) \(reply.text)")
        }
        return id
    }
}
