import BrokerCore
import BrokerLocales
import Foundation
import Hummingbird

/// The pages a login page sends people to: the recovery chooser and its steps,
/// and sign-in. No JavaScript; every form is CSRF-protected; `return_to`,
/// `lang` and `login_hint` travel through every step.
struct PagesController {
    let recovery: RecoveryFlow
    let signIn: SignInFlow
    let providers: any ProviderDirectory
    let renderer: PageRenderer
    let returnTo: ReturnToPolicy
    let csrf: CSRF
    let cookies: SessionCookies
    let apps: AppFlow

    func flow(_ request: Request, _ form: [String: String] = [:]) -> PageFlow { PageFlow(request, renderer: renderer, returnTo: returnTo, csrf: csrf, form: form) }

    func addRoutes(to routes: some RouterMethods<BrokerRequestContext>) {
        routes.get("/recover", use: chooser)
        routes.get("/recover/email", use: emailStep)
        step(routes, "/recover/email", field: "identifier", form: emailForm) { f, value, context in
            try await recovery.request(identifier: value, channel: nil, locale: f.locale, clientAddress: context.clientAddress, returnTo: f.returnTo)
            return f.notice(title: f.text("email_sent_title"), [f.text("email_sent")])
        }
        routes.get("/recover/phone", use: phoneStep)
        step(routes, "/recover/phone", field: "phone", form: phoneForm) { f, value, context in
            let phone = try IdentifierPolicy.phone(value)
            try await recovery.request(identifier: phone, channel: "sms", locale: f.locale, clientAddress: context.clientAddress, returnTo: f.returnTo)
            return codeForm(f, identifier: phone, error: nil)
        }
        step(routes, "/recover/code", field: "identifier", form: { f, identifier, error, status in codeForm(f, identifier: identifier, error: error, status: status) }) { f, identifier, _ in
            let token = try await recovery.redeemCode(identifier: identifier, code: f.form["code"] ?? "")
            // The reset form posts the token from a hidden field: it never appears in a URL.
            var values: [String: Any] = ["title": f.text("reset_title"), "token": token, "minLength": recovery.minPasswordLength]
            if let back = f.returnTo { values["returnTo"] = back }
            return f.render("reset", values)
        }
        routes.get("/recover/login", use: loginStep)
        step(routes, "/recover/login", field: "address", form: loginForm) { f, value, context in
            try await recovery.loginReminder(identifier: value, clientAddress: context.clientAddress)
            return f.notice(title: f.text("reminder_sent_title"), [f.text("reminder_sent")])
        }
        routes.get("/signin", use: signInStep)
        step(routes, "/signin", field: "login", form: signInPage) { f, login, context in
            let issued = try await signIn.signIn(identifier: login, password: Secret(f.form["password"] ?? ""), clientAddress: context.clientAddress)
            var response = Response(status: .seeOther, headers: [.location: f.returnTo ?? "/account", .cacheControl: "no-store"])
            response.setCookie(cookies.session(token: issued.token, expiresAt: issued.session.expiresAt))
            return response
        }
    }

    @Sendable func emailStep(_ request: Request, context _: BrokerRequestContext) async throws -> Response {
        let f = flow(request)
        return emailForm(f, value: f.loginHint ?? "", error: nil)
    }

    @Sendable func phoneStep(_ request: Request, context _: BrokerRequestContext) async throws -> Response {
        phoneForm(flow(request), value: "", error: nil)
    }

    @Sendable func loginStep(_ request: Request, context _: BrokerRequestContext) async throws -> Response {
        loginForm(flow(request), value: "", error: nil)
    }

    @Sendable func signInStep(_ request: Request, context _: BrokerRequestContext) async throws -> Response {
        let f = flow(request)
        return signInPage(f, login: f.loginHint ?? "", error: nil)
    }

    @Sendable func chooser(_ request: Request, context _: BrokerRequestContext) async throws -> Response {
        let f = flow(request)
        let list = providers.providers().map { p -> [String: Any] in
            var item: [String: Any] = ["name": p.name, "recoveryURL": p.recoveryURL]
            if p.signIn {
                item["signInURL"] = f.link("/auth/\(p.id)/start")
                item["signInLabel"] = f.text("sign_in_with", ["provider": p.name])
            }
            return item
        }
        return f.render("recover", [
            "title": f.text("recover_title"), "providers": list, "emailHref": f.link("/recover/email"),
            "phoneHref": f.link("/recover/phone"), "loginHref": f.link("/recover/login"),
        ])
    }

    /// A form step: read the form, check CSRF, act; a refusal shows the same form again with the
    /// message tied to its field and the refusal's status.
    func step(
        _ routes: some RouterMethods<BrokerRequestContext>, _ path: String, field: String,
        form: @escaping @Sendable (PageFlow, String, String?, HTTPResponse.Status) -> Response,
        action: @escaping @Sendable (PageFlow, String, BrokerRequestContext) async throws -> Response
    ) {
        routes.post(RouterPath(path)) { request, context in
            let fields = try await PageFlow.fields(request, context)
            let f = flow(request, fields)
            try csrf.verify(request, field: fields["csrf"])
            let value = fields[field] ?? ""
            do {
                return try await action(f, value, context)
            } catch let error as BrokerError {
                return form(f, value, f.message(error), ErrorEnvelope.statusAndCode(error).0)
            }
        }
    }

    func emailForm(_ f: PageFlow, value: String, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        f.form(title: f.text("email_title"), intro: f.text("email_intro"), action: f.link("/recover/email"),
               fields: [.init(name: "identifier", label: f.text("identifier_field"), type: "text", value: value, autocomplete: "username", error: error)],
               button: f.text("send_link"), links: [(f.text("recover_by_phone"), f.link("/recover/phone"))], status: status)
    }

    func phoneForm(_ f: PageFlow, value: String, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        f.form(title: f.text("phone_title"), intro: f.text("phone_intro"), action: f.link("/recover/phone"),
               fields: [.init(name: "phone", label: f.text("phone_field"), type: "tel", value: value, autocomplete: "tel", inputmode: "tel", error: error)],
               button: f.text("send_code"), links: [(f.text("recover_by_email"), f.link("/recover/email"))], status: status)
    }

    func codeForm(_ f: PageFlow, identifier: String, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        f.form(title: f.text("code_title"), intro: f.text("code_intro"), action: f.link("/recover/code"),
               hidden: [["name": "identifier", "value": identifier]],
               fields: [.init(name: "code", label: f.text("code_field"), type: "text", autocomplete: "one-time-code", inputmode: "numeric", error: error)],
               button: f.text("check_code"), status: status)
    }

    func loginForm(_ f: PageFlow, value: String, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        f.form(title: f.text("login_title"), intro: f.text("login_intro"), action: f.link("/recover/login"),
               fields: [.init(name: "address", label: f.text("address_field"), type: "text", value: value, autocomplete: "email", error: error)],
               button: f.text("send_reminder"), status: status)
    }

    func signInPage(_ f: PageFlow, login: String, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let buttons = providers.providers().filter(\.signIn).map { ["name": $0.name, "signInURL": f.link("/auth/\($0.id)/start")] }
        // Reached from an app's authorization request: the page names the app.
        let app = apps.apps.client(authorizing: f.returnTo, issuer: apps.settings.issuer)
        var values: [String: Any] = [
            "title": app.map { f.text("signin_app_title", ["app": $0.name]) } ?? f.text("signin_title"), "loginHint": login, "recoverHref": f.link("/recover"), "providers": buttons,
            "hasProviders": !buttons.isEmpty,
        ]
        if let back = f.returnTo { values["returnToField"] = back }
        if let error { values["error"] = error }
        return f.render("signin", status: status, values)
    }
}
