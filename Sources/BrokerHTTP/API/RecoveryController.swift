import BrokerCore
import Hummingbird

/// The recovery JSON API: request, code, token check, reset, login reminder, lookup, "not me".
struct RecoveryController {
    let recovery: RecoveryFlow

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

    func addRoutes(to routes: some RouterMethods<BrokerRequestContext>) {
        routes.post("/api/v1/recovery", use: request)
        routes.post("/api/v1/recovery/code", use: redeemCode)
        routes.get("/api/v1/recovery/token", use: checkToken)
        routes.post("/api/v1/recovery/reset", use: reset)
        routes.post("/api/v1/recovery/login-reminder", use: loginReminder)
        routes.post("/api/v1/recovery/lookup", use: lookup)
        routes.post("/api/v1/recovery/not-me", use: notMe)
    }

    @Sendable func request(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(RequestBody.self, from: request, context: context)
        try await recovery.request(identifier: body.identifier, channel: body.channel, locale: body.locale, clientAddress: context.clientAddress,
                                   returnTo: body.returnTo)
        return try JSONResponse.make(Status(status: "accepted"), status: .accepted)
    }

    @Sendable func redeemCode(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(CodeBody.self, from: request, context: context)
        return try JSONResponse.make(Token(token: try await recovery.redeemCode(identifier: body.identifier, code: body.code)))
    }

    @Sendable func checkToken(_ request: Request, context _: BrokerRequestContext) async throws -> Response {
        guard let token = request.uri.queryParameters.get("token") else {
            throw BrokerError.invalidRequest(field: "token", reason: .required)
        }
        try await recovery.check(token: token)
        return try JSONResponse.make(Status(status: "valid"))
    }

    @Sendable func reset(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(ResetBody.self, from: request, context: context)
        try await recovery.reset(token: body.token, password: Secret(body.password), confirmation: Secret(body.passwordConfirmation))
        return try JSONResponse.make(Status(status: "password_changed"))
    }

    @Sendable func loginReminder(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(IdentifierBody.self, from: request, context: context)
        try await recovery.loginReminder(identifier: body.identifier, clientAddress: context.clientAddress)
        return try JSONResponse.make(Status(status: "accepted"), status: .accepted)
    }

    @Sendable func lookup(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(IdentifierBody.self, from: request, context: context)
        let methods = try await recovery.lookup(identifier: body.identifier, clientAddress: context.clientAddress)
        return try JSONResponse.make(Methods(methods: methods.map(Methods.Item.init)))
    }

    @Sendable func notMe(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(TokenBody.self, from: request, context: context)
        try await recovery.notMe(token: body.token)
        return try JSONResponse.make(Status(status: "recovery_paused"))
    }
}
