import BrokerCore
import Foundation
import Hummingbird

/// Account self-service (`/api/v1/account...`): attach and verify an email or
/// phone, set a login name and a password, unlink a provider. Every route needs a session.
struct AccountController {
    let signIn: SignInFlow
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

    func current(_ request: Request) async throws -> (Session, Account) {
        guard let token = SessionCookies.token(in: request) else { throw BrokerError.unauthenticated }
        return try await signIn.current(token: token)
    }

    func addRoutes(to routes: RouteRecorder) {
        routes.get("/api/v1/account") { request, _ in
            JSONResponse.make(AccountDocument(account: try await current(request).1))
        }
        routes.post("/api/v1/account/email") { request, context in
            let (session, account) = try await current(request)
            let body = try await JSONBody.decode(EmailBody.self, from: request, context: context)
            try await conversion.attachEmail(body.email, account: account, session: session, clientAddress: context.clientAddress)
            return JSONResponse.make(["status": "verification_sent"], status: .accepted)
        }
        routes.post("/api/v1/account/email/verify") { request, context in
            let account = try? await current(request).1
            let body = try await JSONBody.decode(TokenBody.self, from: request, context: context)
            return JSONResponse.make(AccountDocument(account: try await conversion.verifyEmail(token: body.token, account: account)))
        }
        routes.post("/api/v1/account/phone") { request, context in
            let (session, account) = try await current(request)
            let body = try await JSONBody.decode(PhoneBody.self, from: request, context: context)
            try await conversion.attachPhone(body.phone, account: account, session: session, clientAddress: context.clientAddress)
            return JSONResponse.make(["status": "verification_sent"], status: .accepted)
        }
        routes.post("/api/v1/account/phone/verify") { request, context in
            let (_, account) = try await current(request)
            let body = try await JSONBody.decode(CodeBody.self, from: request, context: context)
            return JSONResponse.make(AccountDocument(account: try await conversion.verifyPhone(code: body.code, account: account)))
        }
        routes.put("/api/v1/account/login") { request, context in
            let (session, account) = try await current(request)
            let body = try await JSONBody.decode(LoginBody.self, from: request, context: context)
            return JSONResponse.make(AccountDocument(account: try await conversion.setLogin(body.login, account: account, session: session)))
        }
        routes.post("/api/v1/account/password") { request, context in
            let (session, account) = try await current(request)
            let body = try await JSONBody.decode(PasswordBody.self, from: request, context: context)
            let updated = try await conversion.setPassword(
                Secret(body.password), confirmation: Secret(body.passwordConfirmation), current: body.currentPassword.map(Secret.init),
                account: account, session: session, clientAddress: context.clientAddress
            )
            return JSONResponse.make(AccountDocument(account: updated))
        }
        routes.delete("/api/v1/account/identities/:provider") { request, context in
            let (session, account) = try await current(request)
            try await conversion.unlink(provider: try context.parameters.require("provider"), account: account, session: session)
            return Response(status: .noContent)
        }
    }
}
