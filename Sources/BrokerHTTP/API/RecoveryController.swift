import BrokerCore
import Hummingbird

/// The recovery JSON API: request, code, token check, reset, login reminder, lookup, "not me".
struct RecoveryController {
    let recovery: RecoveryFlow
    let returnTo: ReturnToPolicy

    struct RequestBody: Decodable {
        var identifier: String
        var channel: String?
        var locale: String?
        var returnTo: String?
        enum CodingKeys: String, CodingKey { case identifier, channel, locale, returnTo = "return_to" }
    }

    struct CodeBody: Decodable {
        var identifier: String
        var code: String
    }

    struct ResetBody: Decodable {
        var token: String
        var password: String
        var passwordConfirmation: String
        enum CodingKeys: String, CodingKey { case token, password, passwordConfirmation = "password_confirmation" }
    }

    struct IdentifierBody: Decodable { var identifier: String }
    struct TokenBody: Decodable { var token: String }
    struct Status: Encodable { var status: String }
    struct Token: Encodable { var token: String }

    struct Methods: Encodable {
        struct Item: Encodable {
            let m: RecoveryMethod
            enum CodingKeys: String, CodingKey { case type, provider, recoveryURL = "recovery_url", hint }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(m.type, forKey: .type)
                try c.encodeIfPresent(m.provider, forKey: .provider)
                try c.encodeIfPresent(m.recoveryURL, forKey: .recoveryURL)
                try c.encodeIfPresent(m.hint, forKey: .hint)
            }
        }
        var methods: [Item]
    }

    func addRoutes(to routes: RouteRecorder) {
        routes.post("/api/v1/recovery") { request, context in
            let body = try await JSONBody.decode(RequestBody.self, from: request, context: context)
            try await recovery.request(identifier: body.identifier, channel: body.channel, locale: body.locale, clientAddress: context.clientAddress,
                                       returnTo: body.returnTo)
            return JSONResponse.make(Status(status: "accepted"), status: .accepted)
        }
        routes.post("/api/v1/recovery/code") { request, context in
            let body = try await JSONBody.decode(CodeBody.self, from: request, context: context)
            return JSONResponse.make(Token(token: try await recovery.redeemCode(identifier: body.identifier, code: body.code)))
        }
        routes.get("/api/v1/recovery/token") { request, _ in
            guard let token = request.uri.queryParameters.get("token") else {
                throw BrokerError.invalidRequest(field: "token", reason: "is required")
            }
            try await recovery.check(token: token)
            return JSONResponse.make(Status(status: "valid"))
        }
        routes.post("/api/v1/recovery/reset") { request, context in
            let body = try await JSONBody.decode(ResetBody.self, from: request, context: context)
            try await recovery.reset(token: body.token, password: Secret(body.password), confirmation: Secret(body.passwordConfirmation))
            return JSONResponse.make(Status(status: "password_changed"))
        }
        routes.post("/api/v1/recovery/login-reminder") { request, context in
            let body = try await JSONBody.decode(IdentifierBody.self, from: request, context: context)
            try await recovery.loginReminder(identifier: body.identifier, clientAddress: context.clientAddress)
            return JSONResponse.make(Status(status: "accepted"), status: .accepted)
        }
        routes.post("/api/v1/recovery/lookup") { request, context in
            let body = try await JSONBody.decode(IdentifierBody.self, from: request, context: context)
            let methods = try await recovery.lookup(identifier: body.identifier, clientAddress: context.clientAddress)
            return JSONResponse.make(Methods(methods: methods.map(Methods.Item.init)))
        }
        routes.post("/api/v1/recovery/not-me") { request, context in
            let body = try await JSONBody.decode(TokenBody.self, from: request, context: context)
            try await recovery.notMe(token: body.token)
            return JSONResponse.make(Status(status: "recovery_paused"))
        }
    }
}
