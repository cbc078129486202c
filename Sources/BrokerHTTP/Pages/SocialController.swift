import BrokerCore
import BrokerLocales
import Foundation
import Hummingbird

/// `/auth/{provider}/start` and `/callback`, and the link-confirmation steps.
/// Errors answer with the JSON envelope, or an HTML page of the same status
/// when the request's Accept prefers text/html (a browser): `PageErrorMiddleware` on its group.
struct SocialController {
    let social: SocialFlow
    let renderer: PageRenderer
    let cookies: SessionCookies
    let csrf: CSRF
    /// Providers whose callback is a cross-site form POST (Apple) need a SameSite=None binding cookie.
    let formPostProviders: Set<String>

    static let bindingCookie = "broker_oauth"

    struct CallbackForm: Decodable {
        var code: String?
        var state: String?
        var error: String?
    }

    struct PendingForm: Decodable {
        var csrf: String?
        var pending: String?
        var password: String?
        var token: String?
    }

    func addRoutes(to routes: some RouterMethods<BrokerRequestContext>) {
        routes.get("/auth/:provider/start", use: start)
        // A form_post provider (Apple) calls back with a cross-site POST, the others with a GET.
        routes.get("/auth/:provider/callback", use: callback)
        routes.post("/auth/:provider/callback", use: callback)
        routes.get("/auth/link/confirm", use: confirmForm)
        routes.post("/auth/link/confirm", use: confirm)
        routes.post("/auth/link/password", use: confirmWithPassword)
    }

    @Sendable func callback(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let provider = try context.parameters.require("provider")
        var params = CallbackForm()
        if request.method == .post {
            params = try await RecoveryPagesController.form(CallbackForm.self, request, context)
        } else {
            let q = request.uri.queryParameters
            params = CallbackForm(code: q.get("code"), state: q.get("state"), error: q.get("error"))
        }
        let outcome = try await social.callback(
            provider: provider, state: params.state, code: params.code, error: params.error,
            binding: request.cookies[Self.bindingCookie]?.value
        )
        var response = try respond(outcome, request: request)
        response.setCookie(Cookie(name: Self.bindingCookie, value: "", maxAge: 0, path: "/auth", secure: cookies.secure, httpOnly: true))
        return response
    }

    @Sendable func start(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let provider = try context.parameters.require("provider")
        let q = request.uri.queryParameters
        let started = try await social.start(
            provider: provider, returnTo: q.get("return_to"), intent: q.get("intent"),
            sessionToken: SessionCookies.token(in: request), locale: Localizer.locale(of: request),
            clientAddress: context.clientAddress
        )
        var response = Response(status: .found, headers: [.location: started.redirectURL, .cacheControl: "no-store"])
        response.setCookie(bindingCookie(started.binding, provider: provider))
        return response
    }

    @Sendable func confirmForm(_ request: Request, context _: BrokerRequestContext) async throws -> Response {
        let locale = Localizer.locale(of: request)
        let (value, cookie) = csrf.value(for: request)
        var response = renderer.render("notice", request: request, [
            "title": text("page.link_title", locale),
            "paragraphs": [["text": text("page.link_confirm_intro", locale)]],
            "form": ["action": "/auth/link/confirm", "csrf": value, "token": request.uri.queryParameters.get("token") ?? "",
                     "label": text("page.link_action", locale)],
        ])
        if let cookie { response.setCookie(cookie) }
        return response
    }

    @Sendable func confirm(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let form = try await RecoveryPagesController.form(PendingForm.self, request, context)
        try csrf.verify(request, field: form.csrf)
        let (issued, returnTo) = try await social.confirmLink(token: form.token ?? "")
        return signedIn(issued, returnTo: returnTo)
    }

    @Sendable func confirmWithPassword(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let form = try await RecoveryPagesController.form(PendingForm.self, request, context)
        try csrf.verify(request, field: form.csrf)
        let (issued, returnTo) = try await social.confirmLink(
            pendingToken: form.pending ?? "", password: Secret(form.password ?? ""), clientAddress: context.clientAddress
        )
        return signedIn(issued, returnTo: returnTo)
    }

    func bindingCookie(_ value: String, provider: String) -> Cookie {
        if formPostProviders.contains(provider) {
            return Cookie(name: Self.bindingCookie, value: value, maxAge: 600, path: "/auth", secure: true, httpOnly: true, sameSite: Cookie.SameSite.none)
        }
        return Cookie(name: Self.bindingCookie, value: value, maxAge: 600, path: "/auth", secure: cookies.secure, httpOnly: true, sameSite: .lax)
    }

    func respond(_ outcome: SocialFlow.Outcome, request: Request) throws -> Response {
        switch outcome {
        case .signedIn(let issued, let returnTo):
            return signedIn(issued, returnTo: returnTo)
        case .confirmationRequired(_, let provider, let pending, let hint, _):
            let locale = Localizer.locale(of: request)
            guard PageErrorMiddleware.prefersHTML(request) else {
                return try JSONResponse.make(["status": "confirmation_required", "email_hint": hint], status: .accepted)
            }
            let (value, cookie) = csrf.value(for: request)
            var response = renderer.render("link", request: request, status: .accepted, [
                "title": text("page.link_title", locale),
                "intro": renderer.text("link_intro", locale: locale, ["provider": provider, "hint": hint]),
                "csrf": value, "pending": pending,
            ])
            if let cookie { response.setCookie(cookie) }
            return response
        }
    }

    func signedIn(_ issued: IssuedSession, returnTo: String) -> Response {
        var response = Response(status: .found, headers: [.location: returnTo, .cacheControl: "no-store"])
        response.setCookie(cookies.session(token: issued.token, expiresAt: issued.session.expiresAt))
        return response
    }

    func text(_ key: String, _ locale: String) -> String { renderer.localizer.text(key, locale: locale) }
}
