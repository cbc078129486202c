import BrokerHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Hostile and careless input on every route: always a 4xx with the envelope, never a 5xx, never a change.
@Suite("Malformed input")
struct MalformedInputTests {
    static let bodies: [(String, String?)] = [
        ("{", "application/json"), ("[]", "application/json"), ("null", "application/json"), ("\"text\"", "application/json"),
        ("{\"login\": 5, \"password\": [], \"email\": {}, \"phone\": true, \"provider\": 1, \"subject\": null, \"state\": 7}", "application/json"),
        ("{\"identities\": \"google\"}", "application/json"), ("{\"identities\": [{\"provider\": 1}]}", "application/json"),
        ("login=maria&password=x", "application/x-www-form-urlencoded"), ("", "application/json"),
        ("{\"login\": \"\u{0000}\", \"password\": \"\u{0000}\"}", "application/json"),
        ("{\"email\": \"" + String(repeating: "a", count: 5000) + "@x.com\"}", "application/json"),
        ("csrf=x&identifier=" + String(repeating: "a", count: 70_000), "application/x-www-form-urlencoded"),  // over the pages' 64 KiB
    ]

    @Test func noRouteAnswers5xxToGarbage() async throws {
        let app = try await AppHarness()
        let routes = buildRouter(services: app.runtime.services).routes.map { (method: $0.method.rawValue, path: $0.path.description) }
        try await app.test { client in
            let id = try await client.createAccount(#"{"login":"maria","email":"m@example.com","password":"s3cret-pass"}"#)
            for route in routes {
                let method = HTTPRequest.Method(rawValue: route.method)!
                // DELETE ignores its body; aim it at a missing account so the check below stays meaningful.
                let target = method == .delete ? "missing-account" : id
                let uri = route.path.replacingOccurrences(of: "{id}", with: target).replacingOccurrences(of: "{provider}", with: "google")
                    .replacingOccurrences(of: "{subject}", with: "%00%ff")
                for (body, type) in Self.bodies {
                    for bearer in [nil, AppHarness.adminToken] {
                        var headers = HTTPFields()
                        if let type { headers[.contentType] = type }
                        let reply = try await client.call(method, uri, bearer: bearer, headers: headers, raw: ByteBuffer(string: body))
                        #expect(reply.status.code < 500, "\(route.method) \(uri) with \(body.prefix(40)) -> \(reply.status)")
                        if reply.status.code >= 400, uri.hasPrefix("/api/") {
                            #expect(reply.errorCode != nil, "\(route.method) \(uri): \(reply.text.prefix(100))")
                        }
                    }
                }
            }
            let account = try await client.admin(.get, "/api/v1/admin/accounts/\(id)")
            #expect(account.json["login"] as? String == "maria", "garbage changed nothing")
            #expect(account.json["email"] as? String == "m@example.com")
            #expect(try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"s3cret-pass"}"#).status == .ok)
        }
    }

    /// The detail after "invalid field" is in the request's language too, not English in a Portuguese sentence.
    @Test func detailsAreTranslated() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            func message(_ uri: String, _ json: String, _ lang: String, bearer: String? = nil) async throws -> String {
                let reply = try await client.call(.post, uri, json: json, bearer: bearer, headers: [.acceptLanguage: lang])
                return (reply.json["error"] as? [String: Any])?["message"] as? String ?? ""
            }
            let email = try await message("/api/v1/recovery", #"{"identifier":"a@@b"}"#, "pt-BR")
            #expect(email == "Campo 'identifier' inválido: não é um endereço de e-mail válido")
            let missing = try await message("/api/v1/recovery", "{}", "es")
            #expect(missing == "Campo 'identifier' no válido: es obligatorio")
            let wrongType = try await message("/api/v1/recovery", #"{"identifier":5}"#, "es")
            #expect(wrongType == "Campo 'identifier' no válido: debe ser un texto")
            let weak = try await message("/api/v1/admin/accounts", #"{"login":"ana","password":"short"}"#, "pt-BR", bearer: AppHarness.adminToken)
            #expect(weak == "A senha é fraca demais: use pelo menos 8 caracteres")
            let english = try await message("/api/v1/recovery", #"{"identifier":"a@@b"}"#, "en")
            #expect(english == "Invalid field 'identifier': not a valid email address")
        }
    }

    @Test func specificAnswers() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let missing = try await client.call(.post, "/api/v1/login", json: #"{"login":"maria"}"#)
            #expect(missing.status == .badRequest)
            #expect(missing.errorField == "password")
            let wrongType = try await client.call(.post, "/api/v1/login", json: #"{"login":5,"password":"x"}"#)
            #expect(wrongType.errorField == "login")
            let broken = try await client.call(.post, "/api/v1/login", json: "{")
            #expect(broken.errorCode == "invalid_request")
            let form = try await client.call(.post, "/api/v1/login", headers: [.contentType: "text/plain"], raw: ByteBuffer(string: "{}"))
            #expect(form.status == .unsupportedMediaType)
            #expect(form.errorCode == "unsupported_media_type")
            let big = try await client.call(.post, "/api/v1/login", json: "{\"login\":\"" + String(repeating: "x", count: 1 << 21) + "\"}")
            #expect(big.status == .contentTooLarge)
            #expect(big.errorCode == "payload_too_large")
            let unknown = try await client.call(.get, "/api/v1/nothing-here")
            #expect(unknown.status == .notFound)
            #expect(unknown.errorCode == "not_found")
            let wrongMethod = try await client.call(.delete, "/api/v1/login")
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.errorCode == "method_not_allowed")
            #expect(wrongMethod.headers[.allow] == "POST")
            let wrongOnTemplate = try await client.call(.put, "/api/v1/admin/accounts/some-id", bearer: AppHarness.adminToken)
            #expect(wrongOnTemplate.status == .methodNotAllowed)
            #expect(wrongOnTemplate.headers[.allow] == "GET, PATCH, DELETE")
            #expect(try await client.call(.get, "/api/v1/admin/accounts/some-id/nothing").status == .notFound, "an unknown path stays 404")
        }
    }
}
