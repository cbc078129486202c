import BrokerCore
import Foundation
import Hummingbird

/// The admin JSON API: the accounts under the `/api/v1/admin` group, which `AdminTokenAuthenticator` guards.
struct AdminAccountsController {
    let admin: AdminFlow
    let recovery: RecoveryFlow

    struct IdentityBody: Decodable {
        var provider: String
        var subject: String
        var email: String?
        var input: IdentityInput { IdentityInput(provider: provider, subject: subject, email: email) }
    }

    struct CreateBody: Decodable {
        var login: String?
        var email: String?
        var emailVerified: Bool?
        var phone: String?
        var phoneVerified: Bool?
        var password: String?
        var locale: String?
        var identities: [IdentityBody]?
        enum CodingKeys: String, CodingKey {
            case login, email, emailVerified = "email_verified", phone, phoneVerified = "phone_verified", password, locale, identities
        }
    }

    struct PatchBody: Decodable {
        var patch = AccountPatchInput()
        enum CodingKeys: String, CodingKey, CaseIterable {
            case login, email, emailVerified = "email_verified", phone, phoneVerified = "phone_verified", state, locale
        }
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let all = try decoder.container(keyedBy: AnyKey.self)
            if let unknown = all.allKeys.first(where: { CodingKeys(rawValue: $0.stringValue) == nil }) {
                throw BrokerError.invalidRequest(field: unknown.stringValue, reason: .cannotChange)
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            func field(_ key: CodingKeys) throws -> PatchField<String> {
                guard c.contains(key) else { return .unchanged }
                if try c.decodeNil(forKey: key) { return .clear }
                return .set(try c.decode(String.self, forKey: key))
            }
            patch.login = try field(.login)
            patch.email = try field(.email)
            patch.phone = try field(.phone)
            patch.emailVerified = try c.decodeIfPresent(Bool.self, forKey: .emailVerified)
            patch.phoneVerified = try c.decodeIfPresent(Bool.self, forKey: .phoneVerified)
            patch.state = try c.decodeIfPresent(String.self, forKey: .state)
            patch.locale = try c.decodeIfPresent(String.self, forKey: .locale)
        }
    }

    struct PasswordBody: Decodable { var password: String }
    struct RecoveryBody: Decodable { var channel: String? }
    struct AccountList: Encodable { var accounts: [AccountDocument] }

    func addRoutes(to routes: some RouterMethods<BrokerRequestContext>) {
        routes.post("accounts", use: create)
        routes.get("accounts", use: search)
        routes.get("accounts/:id", use: get)
        routes.patch("accounts/:id", use: patch)
        routes.delete("accounts/:id", use: delete)
        routes.post("accounts/:id/password", use: setPassword)
        routes.post("accounts/:id/recovery", use: sendRecovery)
        routes.post("accounts/:id/identities", use: link)
        routes.delete("accounts/:id/identities/:provider/:subject", use: unlink)
    }

    @Sendable func create(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let b = try await JSONBody.decode(CreateBody.self, from: request, context: context)
        let account = try await admin.create(NewAccountInput(
            login: b.login, email: b.email, emailVerified: b.emailVerified, phone: b.phone, phoneVerified: b.phoneVerified,
            password: b.password.map(Secret.init), locale: b.locale, identities: (b.identities ?? []).map(\.input)
        ))
        return try JSONResponse.make(AccountDocument(account: account), status: .created)
    }

    @Sendable func search(_ request: Request, context _: BrokerRequestContext) async throws -> Response {
        let accounts = try await admin.search(request.uri.queryParameters.get("q") ?? "")
        return try JSONResponse.make(AccountList(accounts: accounts.map(AccountDocument.init)))
    }

    @Sendable func get(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        return try JSONResponse.make(AccountDocument(account: try await admin.get(try context.parameters.require("id"))))
    }

    @Sendable func patch(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(PatchBody.self, from: request, context: context)
        return try JSONResponse.make(AccountDocument(account: try await admin.patch(try context.parameters.require("id"), body.patch)))
    }

    @Sendable func delete(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        try await admin.delete(try context.parameters.require("id"))
        return Response(status: .noContent)
    }

    @Sendable func setPassword(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(PasswordBody.self, from: request, context: context)
        try await admin.setPassword(try context.parameters.require("id"), Secret(body.password))
        return Response(status: .noContent)
    }

    @Sendable func sendRecovery(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let body = try await JSONBody.decodeOptional(RecoveryBody.self, from: request, context: context)
        try await recovery.adminSend(accountId: id, channel: body?.channel)
        return try JSONResponse.make(["status": "accepted"], status: .accepted)
    }

    @Sendable func link(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(IdentityBody.self, from: request, context: context)
        let account = try await admin.link(try context.parameters.require("id"), body.input)
        return try JSONResponse.make(AccountDocument(account: account), status: .created)
    }

    @Sendable func unlink(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        try await admin.unlink(
            try context.parameters.require("id"), provider: try context.parameters.require("provider").removingPercentEncoding ?? "",
            subject: try context.parameters.require("subject").removingPercentEncoding ?? ""
        )
        return Response(status: .noContent)
    }
}
