import BrokerCore
import BrokerLocales
import Foundation
import Hummingbird

/// Account self-service (the `/api/v1/account` group, behind `SessionAuthenticator`): attach and verify an email or
/// phone, set a login name and a password, unlink a provider. Every route needs a session.
struct AccountController {
    let conversion: ConversionFlow

    struct EmailBody: Decodable { var email: String }
    struct PhoneBody: Decodable { var phone: String }
    struct TokenBody: Decodable { var token: String }
    struct CodeBody: Decodable { var code: String }
    struct LoginBody: Decodable { var login: String }
    struct PasswordBody: Decodable {
        var password: String
        var passwordConfirmation: String
        var currentPassword: String?
        enum CodingKeys: String, CodingKey {
            case password, passwordConfirmation = "password_confirmation", currentPassword = "current_password"
        }
    }

    func addRoutes(to routes: some RouterMethods<BrokerRequestContext>) {
        routes.get(use: show)
        routes.post("email", use: attachEmail)
        routes.post("email/verify", use: verifyEmail)
        routes.post("phone", use: attachPhone)
        routes.post("phone/verify", use: verifyPhone)
        routes.put("login", use: setLogin)
        routes.post("password", use: setPassword)
        routes.delete("identities/:provider", use: unlink)
    }

    @Sendable func show(_ _: Request, context: BrokerRequestContext) async throws -> Response {
        try JSONResponse.make(AccountDocument(account: try context.requireSignedIn().account))
    }

    @Sendable func attachEmail(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let (session, account) = try context.requireSignedIn().pair
        let body = try await JSONBody.decode(EmailBody.self, from: request, context: context)
        try await conversion.attachEmail(body.email, account: account, session: session, clientAddress: context.clientAddress,
                                         locale: Localizer.chosenLocale(of: request))
        return try JSONResponse.make(["status": "verification_sent"], status: .accepted)
    }

    @Sendable func verifyEmail(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let account = context.signedIn?.account
        let body = try await JSONBody.decode(TokenBody.self, from: request, context: context)
        return try JSONResponse.make(AccountDocument(account: try await conversion.verifyEmail(token: body.token, account: account)))
    }

    @Sendable func attachPhone(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let (session, account) = try context.requireSignedIn().pair
        let body = try await JSONBody.decode(PhoneBody.self, from: request, context: context)
        try await conversion.attachPhone(body.phone, account: account, session: session, clientAddress: context.clientAddress,
                                         locale: Localizer.chosenLocale(of: request))
        return try JSONResponse.make(["status": "verification_sent"], status: .accepted)
    }

    @Sendable func verifyPhone(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let account = try context.requireSignedIn().account
        let body = try await JSONBody.decode(CodeBody.self, from: request, context: context)
        return try JSONResponse.make(AccountDocument(account: try await conversion.verifyPhone(code: body.code, account: account)))
    }

    @Sendable func setLogin(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let (session, account) = try context.requireSignedIn().pair
        let body = try await JSONBody.decode(LoginBody.self, from: request, context: context)
        return try JSONResponse.make(AccountDocument(account: try await conversion.setLogin(body.login, account: account, session: session)))
    }

    @Sendable func setPassword(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let (session, account) = try context.requireSignedIn().pair
        let body = try await JSONBody.decode(PasswordBody.self, from: request, context: context)
        let updated = try await conversion.setPassword(
            Secret(body.password), confirmation: Secret(body.passwordConfirmation), current: body.currentPassword.map(Secret.init),
            account: account, session: session, clientAddress: context.clientAddress
        )
        return try JSONResponse.make(AccountDocument(account: updated))
    }

    @Sendable func unlink(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let (session, account) = try context.requireSignedIn().pair
        try await conversion.unlink(provider: try context.parameters.require("provider"), account: account, session: session)
        return Response(status: .noContent)
    }
}
