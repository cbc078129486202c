import BrokerCore
import Foundation
import Hummingbird

/// The admin JSON API under `/api/v1/admin/accounts`. Every route needs one of `admin.tokens`.
struct AdminAccountsController {
    let admin: AdminFlow
    let recovery: RecoveryFlow
    let adminTokens: [Secret]

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
                throw BrokerError.invalidRequest(field: unknown.stringValue, reason: "cannot be changed here")
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

    func addRoutes(to routes: RouteRecorder) {
        let base = "/api/v1/admin/accounts"
        routes.post(base) { request, context in
            try authorize(request)
            let b = try await JSONBody.decode(CreateBody.self, from: request, context: context)
            let account = try await admin.create(NewAccountInput(
                login: b.login, email: b.email, emailVerified: b.emailVerified, phone: b.phone, phoneVerified: b.phoneVerified,
                password: b.password.map(Secret.init), locale: b.locale, identities: (b.identities ?? []).map(\.input)
            ))
            return JSONResponse.make(AccountDocument(account: account), status: .created)
        }
        routes.get(base) { request, _ in
            try authorize(request)
            let accounts = try await admin.search(request.uri.queryParameters.get("q") ?? "")
            return JSONResponse.make(AccountList(accounts: accounts.map(AccountDocument.init)))
        }
        routes.get(base + "/:id") { request, context in
            try authorize(request)
            return JSONResponse.make(AccountDocument(account: try await admin.get(try context.parameters.require("id"))))
        }
        routes.patch(base + "/:id") { request, context in
            try authorize(request)
            let body = try await JSONBody.decode(PatchBody.self, from: request, context: context)
            return JSONResponse.make(AccountDocument(account: try await admin.patch(try context.parameters.require("id"), body.patch)))
        }
        routes.delete(base + "/:id") { request, context in
            try authorize(request)
            try await admin.delete(try context.parameters.require("id"))
            return Response(status: .noContent)
        }
        routes.post(base + "/:id/password") { request, context in
            try authorize(request)
            let body = try await JSONBody.decode(PasswordBody.self, from: request, context: context)
            try await admin.setPassword(try context.parameters.require("id"), Secret(body.password))
            return Response(status: .noContent)
        }
        routes.post(base + "/:id/recovery") { request, context in
            try authorize(request)
            let id = try context.parameters.require("id")
            let body = try await JSONBody.decodeOptional(RecoveryBody.self, from: request, context: context)
            try await recovery.adminSend(accountId: id, channel: body?.channel)
            return JSONResponse.make(["status": "accepted"], status: .accepted)
        }
        routes.post(base + "/:id/identities") { request, context in
            try authorize(request)
            let body = try await JSONBody.decode(IdentityBody.self, from: request, context: context)
            let account = try await admin.link(try context.parameters.require("id"), body.input)
            return JSONResponse.make(AccountDocument(account: account), status: .created)
        }
        routes.delete(base + "/:id/identities/:provider/:subject") { request, context in
            try authorize(request)
            try await admin.unlink(
                try context.parameters.require("id"), provider: try context.parameters.require("provider").removingPercentEncoding ?? "",
                subject: try context.parameters.require("subject").removingPercentEncoding ?? ""
            )
            return Response(status: .noContent)
        }
    }

    /// Accepts a request whose bearer token is one of the admin tokens, compared in constant time against all of them.
    func authorize(_ request: Request) throws {
        guard let presented = SessionCookies.bearerToken(request) else { throw BrokerError.unauthenticated }
        var matched = false
        for token in adminTokens where TokenHash.constantTimeEquals(token.value, presented) { matched = true }
        guard matched else { throw BrokerError.unauthenticated }
    }
}
