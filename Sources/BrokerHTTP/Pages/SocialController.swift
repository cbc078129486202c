import BrokerCore
import BrokerLocales
import Foundation
import Hummingbird

/// `/auth/{provider}/start` and `/callback`, and the link-confirmation steps.
/// Errors answer with the JSON envelope, or an HTML page of the same status
/// when the request's Accept prefers text/html (a browser).
struct SocialController {
    let social: SocialFlow
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

    func addRoutes(to routes: RouteRecorder) {
        routes.get("/auth/:provider/start") { request, context in
            try await page(request) {
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
        }
        let callback: RouteRecorder.Handler = { request, context in
            try await page(request) {
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
        }
        routes.get("/auth/:provider/callback", callback)
        routes.post("/auth/:provider/callback", callback)
        routes.get("/auth/link/confirm") { request, _ in
            let locale = Localizer.locale(of: request)
            let (value, cookie) = csrf.value(for: request)
            var response = PageRenderer.shared?.render("notice", request: request, [
                "title": text("page.link_title", locale),
                "paragraphs": [["text": text("page.link_confirm_intro", locale)]],
                "form": ["action": "/auth/link/confirm", "csrf": value, "token": request.uri.queryParameters.get("token") ?? "",
                         "label": text("page.link_action", locale)],
            ]) ?? Response(status: .internalServerError)
            if let cookie { response.setCookie(cookie) }
            return response
        }
        routes.post("/auth/link/confirm") { request, context in
            try await page(request) {
                let form = try await RecoveryPagesController.form(PendingForm.self, request, context)
                try csrf.verify(request, field: form.csrf)
                let (issued, returnTo) = try await social.confirmLink(token: form.token ?? "")
                return signedIn(issued, returnTo: returnTo)
            }
        }
        routes.post("/auth/link/password") { request, context in
            try await page(request) {
                let form = try await RecoveryPagesController.form(PendingForm.self, request, context)
                try csrf.verify(request, field: form.csrf)
                let (issued, returnTo) = try await social.confirmLink(
                    pendingToken: form.pending ?? "", password: Secret(form.password ?? ""), clientAddress: context.clientAddress
                )
                return signedIn(issued, returnTo: returnTo)
            }
        }
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
            guard Self.prefersHTML(request) else {
                return JSONResponse.make(["status": "confirmation_required", "email_hint": hint], status: .accepted)
            }
            let (value, cookie) = csrf.value(for: request)
            var response = PageRenderer.shared?.render("link", request: request, status: .accepted, [
                "title": text("page.link_title", locale),
                "intro": Localizer.shared.text("page.link_intro", locale: locale, ["provider": provider, "hint": hint]),
                "csrf": value, "pending": pending,
            ]) ?? Response(status: .internalServerError)
            if let cookie { response.setCookie(cookie) }
            return response
        }
    }

    func signedIn(_ issued: IssuedSession, returnTo: String) -> Response {
        var response = Response(status: .found, headers: [.location: returnTo, .cacheControl: "no-store"])
        response.setCookie(cookies.session(token: issued.token, expiresAt: issued.session.expiresAt))
        return response
    }

    /// Runs `body`; a refusal becomes an HTML page for browsers and stays JSON for everyone else.
    func page(_ request: Request, _ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as BrokerError where Self.prefersHTML(request) {
            let locale = Localizer.locale(of: request)
            let (status, _) = ErrorEnvelope.statusAndCode(error)
            return PageRenderer.shared?.render("notice", request: request, status: status, [
                "title": text("page.sign_in_problem_title", locale),
                "paragraphs": [["text": ErrorEnvelope.message(for: error, locale: locale), "isError": true]],
            ]) ?? Response(status: status)
        }
    }

    func text(_ key: String, _ locale: String) -> String { Localizer.shared.text(key, locale: locale) }

    /// True when Accept ranks text/html above application/json.
    static func prefersHTML(_ request: Request) -> Bool {
        guard let accept = request.headers[.accept]?.lowercased() else { return false }
        let html = accept.range(of: "text/html")?.lowerBound
        let json = accept.range(of: "application/json")?.lowerBound
        guard let html else { return false }
        return json.map { html < $0 } ?? true
    }
}
