import BrokerConfiguration
import BrokerCore
import BrokerLocales
import Foundation
import Hummingbird

/// The admin console at `/admin`: the operators' screen for what the seed's intranet admins do
/// (find a user's login, send a recovery message, set a password, change a dismissed employee's
/// email, block, unlink, retry a message). Server-rendered on the pages' layout, no JavaScript,
/// CSRF on every form, the pages' CSP. Each action goes through the same flows as the admin API,
/// recorded in the audit trail as done by `console:<token fingerprint>`.
struct AdminConsoleController {
    let admin: AdminFlow
    let recovery: RecoveryFlow
    let outbox: any Outbox
    let store: any AccountStore
    let providers: any ProviderDirectory
    let renderer: PageRenderer
    let csrf: CSRF
    let session: AdminConsoleSession
    let limits: RateLimitSettings
    let clock: any WallClock

    func addRoutes(to routes: some RouterMethods<BrokerRequestContext>) {
        routes.get("/admin", use: home)
        routes.post("/admin/signin", use: signIn)
        routes.post("/admin/signout", use: signOut)
        routes.get("/admin/accounts/:id", use: accountPage)
        for action in Action.allCases {
            routes.post(RouterPath("/admin/accounts/:id/" + action.rawValue)) { request, context in
                try await perform(action, request, context)
            }
        }
    }

    enum Action: String, CaseIterable {
        case recovery, password, email, state, unlink, retry
    }

    // MARK: sign-in and search

    @Sendable func home(_ request: Request, context _: BrokerRequestContext) async throws -> Response {
        guard let actor = session.actor(of: request, now: clock.now()) else { return signInPage(request, error: nil, status: .ok) }
        let query = String((request.uri.queryParameters.get("q") ?? "").trimmingWhitespace().prefix(320))
        var values: [String: Any] = ["signedIn": true, "query": query, "who": actor]
        if !query.isEmpty {
            values["searched"] = true
            let found = try await admin.search(query)
            values["hasAccounts"] = !found.isEmpty
            values["accounts"] = found.map { account -> [String: Any] in
                ["id": account.id, "name": account.login ?? account.email ?? account.phone ?? account.id, "email": account.email ?? "",
                 "phone": account.phone ?? "", "state": text(account.state == .active ? "admin_state_active" : "admin_state_blocked", request)]
            }
        }
        return render("admin", request, values)
    }

    @Sendable func signIn(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let form = try await PageFlow.fields(request, context)
        try csrf.verify(request, field: form["csrf"])
        do {
            guard let token = try await admin.consoleToken(form["token"] ?? "", tokens: session.tokens, limits: limits, clientAddress: context.clientAddress)
            else { return signInPage(request, error: text("admin_bad_token", request), status: .unauthorized) }
            var response = Response(status: .seeOther, headers: [.location: "/admin", .cacheControl: "no-store"])
            response.setCookie(session.cookie(for: token, now: clock.now()))
            return response
        } catch let error as BrokerError {
            return signInPage(request, error: renderer.errors.message(for: error, locale: Localizer.locale(of: request)),
                              status: ErrorEnvelope.statusAndCode(error).0)
        }
    }

    @Sendable func signOut(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let form = try await PageFlow.fields(request, context)
        try csrf.verify(request, field: form["csrf"])
        var response = Response(status: .seeOther, headers: [.location: "/admin", .cacheControl: "no-store"])
        response.setCookie(session.expired())
        return response
    }

    func signInPage(_ request: Request, error: String?, status: HTTPResponse.Status) -> Response {
        var values: [String: Any] = [:]
        if let error { values["error"] = error }
        return render("admin", request, values, status: status)
    }

    // MARK: an account

    @Sendable func accountPage(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        guard session.actor(of: request, now: clock.now()) != nil else { return Self.toSignIn }
        let id = try context.parameters.require("id")
        let done = request.uri.queryParameters.get("done").flatMap { ["sent", "saved", "retried"].contains($0) ? $0 : nil }
        return try await page(request, id: id, flash: done.map { text("admin_done_" + $0, request) }, error: nil)
    }

    func perform(_ action: Action, _ request: Request, _ context: BrokerRequestContext) async throws -> Response {
        let form = try await PageFlow.fields(request, context)
        try csrf.verify(request, field: form["csrf"])
        guard let actor = session.actor(of: request, now: clock.now()) else { return Self.toSignIn }
        let id = try context.parameters.require("id")
        let flow = admin.acting(as: actor)
        let done: String
        do {
            switch action {
            case .recovery:
                try await recovery.adminSend(accountId: id, channel: form["channel"], actor: actor)
                done = "sent"
            case .password:
                try await flow.setPassword(id, Secret(form["password"] ?? ""))
                done = "saved"
            case .email:
                _ = try await flow.replaceEmail(id, with: form["email"] ?? "")
                done = "saved"
            case .state:
                _ = try await flow.setState(id, form["state"] == "blocked" ? .blocked : .active)
                done = "saved"
            case .unlink:
                try await flow.unlink(id, provider: form["provider"] ?? "", subject: form["subject"] ?? "")
                done = "saved"
            case .retry:
                let message = form["message"] ?? ""
                guard try await outbox.messages(accountId: id, limit: 100).contains(where: { $0.id == message }),
                      try await outbox.retry(id: message, now: clock.now())
                else { throw BrokerError.notFound(what: "Message") }
                try await flow.recordRetry(messageId: message, accountId: id)
                done = "retried"
            }
        } catch let error as BrokerError {
            let message = renderer.errors.message(for: error, locale: Localizer.locale(of: request))
            var response = try await page(request, id: id, flash: nil, error: (action, message))
            response.status = ErrorEnvelope.statusAndCode(error).0
            return response
        }
        return Response(status: .seeOther, headers: [.location: "/admin/accounts/\(id)?done=\(done)", .cacheControl: "no-store"])
    }

    static let toSignIn = Response(status: .seeOther, headers: [.location: "/admin", .cacheControl: "no-store"])

    func page(_ request: Request, id: String, flash: String?, error: (Action, String)?) async throws -> Response {
        let account = try await admin.get(id)
        // One value for the whole page: its forms and the cookie render() sets (a second call
        // would make a second value where the request had none).
        let token = csrf.value(for: request)
        let csrfValue = token.0
        func t(_ key: String) -> String { text(key, request) }
        let when = Self.when
        var values: [String: Any] = [
            "signedIn": true, "title": account.login ?? account.email ?? account.phone ?? account.id, "id": account.id,
            "login": account.login ?? t("none"), "email": account.email ?? t("none"), "phone": account.phone ?? t("none"),
            "emailState": account.email == nil ? "" : t(account.emailVerified ? "verified" : "not_verified"),
            "phoneState": account.phone == nil ? "" : t(account.phoneVerified ? "verified" : "not_verified"),
            "passwordState": t(account.hasPassword ? "password_set" : "password_not_set"),
            "state": t(account.state == .active ? "admin_state_active" : "admin_state_blocked"),
            "created": when(account.createdAt),
        ]
        if let flash { values["flash"] = flash }
        values["identities"] = account.identities.map { identity -> [String: Any] in
            let name = providers.provider(id: identity.provider)?.name ?? identity.provider
            return ["name": name, "provider": identity.provider, "subject": identity.subject, "accountId": account.id, "csrf": csrfValue,
                    "unlinkLabel": t("unlink").replacingOccurrences(of: "{provider}", with: name)]
        }
        func section(_ action: Action, _ heading: String, button: String, hidden: [String: String] = [:],
                     field: (name: String, label: String, type: String)? = nil, choices: [(String, String)] = []) -> [String: Any] {
            var s: [String: Any] = [
                "heading": heading, "action": "/admin/accounts/\(account.id)/\(action.rawValue)", "csrf": csrfValue, "button": button,
                "hidden": hidden.sorted { $0.key < $1.key }.map { ["name": $0.key, "value": $0.value] },
            ]
            if let field {
                var f: [String: Any] = ["id": "admin-" + field.name, "name": field.name, "label": field.label, "type": field.type]
                if !choices.isEmpty {
                    f["hasChoices"] = true
                    f["choices"] = choices.map { ["value": $0.0, "label": $0.1] }
                }
                s["field"] = f
            }
            if let error, error.0 == action { s["error"] = error.1 }
            return s
        }
        var actions: [[String: Any]] = []
        // Only the channels with a verified address: a recovery message goes nowhere else.
        let channels = [(account.emailVerified, "email", t("admin_send_email")), (account.phoneVerified, "sms", t("admin_send_sms"))]
            .filter(\.0).map { ($0.1, $0.2) }
        if !channels.isEmpty {
            actions.append(section(.recovery, t("admin_send_recovery"), button: t("admin_send"),
                                   field: ("channel", t("admin_channel"), "select"), choices: channels))
        }
        actions.append(section(.password, t("admin_set_password"), button: t("save"), field: ("password", t("admin_new_password"), "password")))
        actions.append(section(.email, t("admin_replace_email"), button: t("save"), field: ("email", t("admin_new_email"), "email")))
        actions.append(account.state == .active
            ? section(.state, t("admin_access"), button: t("admin_block"), hidden: ["state": "blocked"])
            : section(.state, t("admin_access"), button: t("admin_unblock"), hidden: ["state": "active"]))
        values["actions"] = actions
        if let error, error.0 == .unlink || error.0 == .retry { values["pageError"] = error.1 }
        values["messages"] = try await outbox.messages(accountId: account.id, limit: 20).map { m -> [String: Any] in
            var row: [String: Any] = ["at": when(m.createdAt), "channel": m.channel.rawValue, "recipient": m.recipient, "state": m.state.rawValue,
                                      "attempts": m.attempts, "lastError": m.lastError ?? ""]
            if m.state != .sent { row["retry"] = ["action": "/admin/accounts/\(account.id)/retry", "csrf": csrfValue, "message": m.id] }
            return row
        }
        values["events"] = try await store.auditEvents(accountId: account.id, limit: 20).map { e -> [String: Any] in
            ["at": when(e.at), "type": e.type, "actor": e.actor,
             "detail": e.detail.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")]
        }
        return render("admin_account", request, values, csrf: token)
    }

    // MARK: rendering

    func render(
        _ template: String, _ request: Request, _ values: [String: Any], status: HTTPResponse.Status = .ok, csrf token: (String, Cookie?)? = nil
    ) -> Response {
        let (value, cookie) = token ?? csrf.value(for: request)
        var context = values
        context["csrf"] = value
        context["wide"] = true
        if context["title"] == nil { context["title"] = text("admin_title", request) }
        var response = renderer.render(template, request: request, status: status, context)
        if let cookie { response.setCookie(cookie) }
        return response
    }

    func text(_ key: String, _ request: Request) -> String { renderer.text(key, locale: Localizer.locale(of: request)) }

    static func when(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return f.string(from: date)
    }
}
