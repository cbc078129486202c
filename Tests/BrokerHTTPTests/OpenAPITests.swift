@testable import BrokerHTTP
import Foundation
import Testing

/// The document must describe exactly the routes the router serves, each with its statuses.
@Suite("OpenAPI document")
struct OpenAPITests {
    /// Start-up's check of the shipped document: any syntax error, or anything but an object
    /// at the top, stops start-up.
    @Test func startUpAcceptsOnlyAWellFormedObject() {
        let decode = { (text: String) in try? JSONDecoder().decode(OpenAPIDocument.TopLevelObject.self, from: Data(text.utf8)) }
        #expect(decode(#"{"openapi": "3.1.0", "paths": {"/a": [1, {"b": null}]}}"#) != nil)
        #expect(decode("{}") != nil)
        #expect(decode("[]") == nil)
        #expect(decode(#""openapi""#) == nil)
        #expect(decode(#"{"openapi": "3.1.0", "paths": {"/a": [1, }}"#) == nil)
        #expect(decode(#"{"openapi": "3.1.0"} trailing"#) == nil)
    }

    @Test func documentMatchesTheRouter() async throws {
        let app = try await AppHarness()
        let routes = buildRouter(services: app.runtime.services).routes.map { (method: $0.method.rawValue, path: $0.path.description) }
        let doc = try #require(try JSONSerialization.jsonObject(with: (try OpenAPIDocument.load())) as? [String: Any])
        #expect(doc["openapi"] as? String == "3.1.0")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        let methods: Set<String> = ["get", "post", "put", "patch", "delete"]
        var documented = Set<String>()
        for (path, item) in paths {
            for (method, operation) in item where methods.contains(method) {
                documented.insert(method.uppercased() + " " + path)
                let responses = (operation as? [String: Any])?["responses"] as? [String: Any]
                #expect(responses?.isEmpty == false, "\(method) \(path) lists its responses")
            }
        }
        let served = Set(routes.map { $0.method + " " + $0.path })
        #expect(served == documented, "served but undocumented: \(served.subtracting(documented)); documented but not served: \(documented.subtracting(served))")
    }

    @Test func servedDocumentIsTheResource() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let reply = try await client.call(.get, "/openapi.json")
            #expect(reply.status == .ok)
            #expect(reply.text.data(using: .utf8) == (try OpenAPIDocument.load()))
        }
    }
}
