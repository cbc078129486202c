import BrokerCore
import BrokerLocales
import Foundation
import Hummingbird

/// `/account`: who is signed in, the linked networks, and the conversion steps
/// (attach and confirm an email or phone, set a login name and a password,
/// unlink a network), each a small form that posts back here.
struct AccountPageController {
    let signIn: SignInFlow
    let conversion: ConversionFlow
    let providers: any ProviderDirectory
    let renderer: PageRenderer
    let returnTo: ReturnToPolicy
    let csrf: CSRF
    let cookies: SessionCookies

    func flow(_ request: Request, _ form: [String: String] = [:]) -> PageFlow { PageFlow(request, renderer: renderer, returnTo: returnTo, csrf: csrf, form: form) }

    func addRoutes(to routes: some RouterMethods<BrokerRequestContext>) {
        routes.get("/account", use: accountPage)
        let actions: [(String, String)] = [
            ("/account/email", "email_sent"), ("/account/email/verify", "saved"), ("/account/phone", "phone_sent"),
            ("/account/phone/verify", "saved"), ("/account/login", "saved"), ("/account/password", "saved"), ("/account/unlink", "unlinked"),
        ]
        for (path, done) in actions {
            routes.post(RouterPath(path)) { request, context in
                let fields = try await PageFlow.fields(request, context)
                let f = flow(request, fields)
                try csrf.verify(request, field: fields["csrf"])
                guard let (session, account) = context.signedIn?.pair else {
                    return Response(status: .seeOther, headers: [.location: f.link("/signin")])
                }
                do {
                    try await perform(path, fields: fields, session: session, account: account, address: context.clientAddress,
                                      locale: Localizer.chosenLocale(of: request))
                } catch let error as BrokerError {
                    let fresh = (try? await signIn.current(token: SessionCookies.token(in: request) ?? ""))?.1 ?? account
                    return page(f, fresh, flash: nil, errors: [path: f.message(error)], status: ErrorEnvelope.statusAndCode(error).0,
                                reauthenticate: error == .reauthenticationRequired ? path : nil)
                }
                return Response(status: .seeOther, headers: [.location: f.link("/account", ["done": done]), .cacheControl: "no-store"])
            }
        }
        routes.post("/signout", use: signOut)
        // The emailed verification link: GET shows a button, only the POST verifies.
        routes.get("/account/verify-email", use: verifyEmailForm)
        routes.post("/account/verify-email", use: verifyEmail)
    }

    @Sendable func accountPage(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let f = flow(request)
        let done = request.uri.queryParameters.get("done").flatMap { ["email_sent", "phone_sent", "saved", "unlinked", "signed_in"].contains($0) ? $0 : nil }
        return page(f, context.signedIn?.account, flash: done.map { f.text("done_" + $0) }, errors: [:])
    }

    @Sendable func signOut(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let fields = try await PageFlow.fields(request, context)
        let f = flow(request, fields)
        try csrf.verify(request, field: fields["csrf"])
        if let token = SessionCookies.token(in: request) { try await signIn.signOut(token: token) }
        var response = Response(status: .seeOther, headers: [.location: f.returnTo ?? f.link("/signin")])
        response.setCookie(cookies.expired())
        return response
    }

    @Sendable func verifyEmailForm(_ request: Request, context _: BrokerRequestContext) async throws -> Response {
        let f = flow(request)
        return f.render("notice", [
            "title": f.text("verify_email_title"),
            "form": ["action": "/account/verify-email", "csrf": f.csrfValue, "token": request.uri.queryParameters.get("token") ?? "",
                     "label": f.text("verify_email_action")],
        ])
    }

    @Sendable func verifyEmail(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let fields = try await PageFlow.fields(request, context)
        let f = flow(request, fields)
        try csrf.verify(request, field: fields["csrf"])
        do {
            _ = try await conversion.verifyEmail(token: fields["token"] ?? "", account: nil)
        } catch let error as BrokerError {
            return f.notice(title: f.text("verify_email_title"), [f.message(error)], status: ErrorEnvelope.statusAndCode(error).0, error: true)
        }
        return f.notice(title: f.text("verify_email_title"), [f.text("verify_email_done")])
    }

    func perform(_ path: String, fields: [String: String], session: Session, account: Account, address: String?, locale: String?) async throws {
        switch path {
        case "/account/email": try await conversion.attachEmail(fields["email"] ?? "", account: account, session: session, clientAddress: address, locale: locale)
        case "/account/email/verify": _ = try await conversion.verifyEmail(token: fields["code"] ?? "", account: account)
        case "/account/phone": try await conversion.attachPhone(fields["phone"] ?? "", account: account, session: session, clientAddress: address, locale: locale)
        case "/account/phone/verify": _ = try await conversion.verifyPhone(code: fields["code"] ?? "", account: account)
        case "/account/login": _ = try await conversion.setLogin(fields["login"] ?? "", account: account, session: session)
        case "/account/password":
            let current = fields["current_password"].flatMap { $0.isEmpty ? nil : Secret($0) }
            _ = try await conversion.setPassword(Secret(fields["password"] ?? ""), confirmation: Secret(fields["password_confirmation"] ?? ""),
                                                 current: current, account: account, session: session, clientAddress: address)
        default: try await conversion.unlink(provider: fields["provider"] ?? "", account: account, session: session)
        }
    }

    /// `reauthenticate`: the section whose action needs a recent sign-in; it offers the account's
    /// providers, which bring the person back here to try again.
    func page(
        _ f: PageFlow, _ account: Account?, flash: String?, errors: [String: String], status: HTTPResponse.Status = .ok,
        reauthenticate: String? = nil
    ) -> Response {
        var values: [String: Any] = ["title": f.text("account_title"), "signInHref": f.link("/signin")]
        if let flash { values["flash"] = flash }
        guard let account else { return f.render("account", status: status, values) }
        let none = f.text("none")
        values["signedIn"] = true
        values["login"] = account.login ?? none
        values["email"] = account.email ?? none
        values["emailState"] = account.email == nil ? "" : f.text(account.emailVerified ? "verified" : "not_verified")
        values["phone"] = account.phone ?? none
        values["phoneState"] = account.phone == nil ? "" : f.text(account.phoneVerified ? "verified" : "not_verified")
        values["passwordState"] = f.text(account.hasPassword ? "password_set" : "password_not_set")
        values["identities"] = account.identities.map { i -> [String: Any] in
            let name = providers.provider(id: i.provider)?.name ?? i.provider
            return ["name": name, "provider": i.provider, "csrf": f.csrfValue, "unlinkLabel": f.text("unlink", ["provider": name])]
        }
        func field(_ id: String, _ name: String, _ label: String, _ type: String, _ autocomplete: String, inputmode: String? = nil) -> [String: Any] {
            var c: [String: Any] = ["id": id, "name": name, "label": label, "type": type, "autocomplete": autocomplete]
            if let inputmode { c["inputmode"] = inputmode }
            return c
        }
        let sections: [(String, String, [[String: Any]], String)] = [
            ("/account/email", f.text("attach_email_title"), [field("email", "email", f.text("email_field"), "email", "email")], f.text("attach_email")),
            ("/account/email/verify", f.text("verify_email_title_form"),
             [field("email-code", "code", f.text("code_field"), "text", "one-time-code", inputmode: "numeric")], f.text("confirm")),
            ("/account/phone", f.text("attach_phone_title"), [field("phone", "phone", f.text("phone_field"), "tel", "tel", inputmode: "tel")], f.text("attach_phone")),
            ("/account/phone/verify", f.text("verify_phone_title"),
             [field("phone-code", "code", f.text("code_field"), "text", "one-time-code", inputmode: "numeric")], f.text("confirm")),
            ("/account/login", f.text("set_login_title"), [field("login", "login", f.text("new_login"), "text", "username")], f.text("save")),
            ("/account/password", f.text("set_password_title"), [
                field("current_password", "current_password", f.text("current_password"), "password", "current-password"),
                field("password", "password", f.text("new_password"), "password", "new-password"),
                field("password_confirmation", "password_confirmation", f.text("confirm_password"), "password", "new-password"),
            ], f.text("save")),
        ]
        values["sections"] = sections.map { action, heading, fields, button -> [String: Any] in
            var fs = fields
            if let error = errors[action], !fs.isEmpty { fs[fs.count - 1]["error"] = error }
            var section: [String: Any] = ["action": f.link(action), "heading": heading, "fields": fs, "button": button, "csrf": f.csrfValue]
            if action == reauthenticate { section["reauth"] = reauthLinks(f, account) }
            return section
        }
        if let error = errors["/account/unlink"] { values["pageError"] = error }
        return f.render("account", status: status, values)
    }

    /// "Sign in with X" for each provider of the account that can sign in, back to this page.
    func reauthLinks(_ f: PageFlow, _ account: Account) -> [[String: String]] {
        var seen = Set<String>()
        return account.identities.filter { seen.insert($0.provider).inserted }.compactMap { providers.provider(id: $0.provider) }.filter(\.signIn).map { p in
            var c = URLComponents()
            c.path = "/auth/\(p.id)/start"
            // Back to this page, with its own return_to (an app's authorization request, say) kept.
            let back = f.returnTo.map { "/account?return_to=" + AppAuthorizationRequest.encode($0) } ?? "/account"
            c.queryItems = [URLQueryItem(name: "return_to", value: back)]
                + (f.request.uri.queryParameters.get("lang").map { [URLQueryItem(name: "lang", value: $0)] } ?? [])
            c.percentEncodedQuery = c.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
            return ["href": c.string ?? c.path, "label": f.text("sign_in_with", ["provider": p.name])]
        }
    }
}
