import BrokerCore
import BrokerLocales
import Foundation
import Hummingbird

/// The pages a recovery message links to: the new-password form and "this wasn't me".
/// Opening a link (GET) never uses it; only the form's POST does, so mail scanners
/// that prefetch links cannot burn them.
struct RecoveryPagesController {
    let recovery: RecoveryFlow
    let renderer: PageRenderer
    let returnTo: ReturnToPolicy
    let csrf: CSRF
    let cookies: SessionCookies
    let minPasswordLength: Int

    struct ResetForm: Decodable {
        var csrf: String?
        var token: String?
        var password: String?
        var passwordConfirmation: String?
        var returnTo: String?
        enum CodingKeys: String, CodingKey { case csrf, token, password, passwordConfirmation = "password_confirmation", returnTo = "return_to" }
    }

    struct TokenForm: Decodable {
        var csrf: String?
        var token: String?
    }

    func addRoutes(to routes: some RouterMethods<BrokerRequestContext>) {
        routes.get("/assets/broker.css", use: stylesheet)
        routes.get("/recover/reset", use: resetForm)
        routes.post("/recover/reset", use: reset)
        routes.get("/recover/not-me", use: notMeForm)
        routes.post("/recover/not-me", use: notMe)
    }

    @Sendable func stylesheet(_ _: Request, context _: BrokerRequestContext) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/css; charset=utf-8"
        headers[.cacheControl] = "public, max-age=3600"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: renderer.stylesheet)))
    }

    @Sendable func resetForm(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let locale = Localizer.locale(of: request)
        let token = request.uri.queryParameters.get("token") ?? ""
        let back = request.uri.queryParameters.get("return_to").flatMap(returnTo.check)
        do {
            try await recovery.check(token: token)
        } catch let error as BrokerError {
            return renderer.problem(error, request: request, logger: context.logger, title: "link_problem_title", followUp: "ask_again", returnTo: back)
        }
        return form(request, locale: locale, token: token, returnTo: back, error: nil, status: .ok)
    }

    @Sendable func reset(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let locale = Localizer.locale(of: request)
        let f = try await Self.form(ResetForm.self, request, context)
        try csrf.verify(request, field: f.csrf)
        let back = f.returnTo.flatMap(returnTo.check)
        let issued: IssuedSession?
        do {
            // The link or code proved control of the address: the person is signed in here, and the
            // button back to return_to (an app's authorization request, say) finds them signed in.
            issued = try await recovery.reset(token: f.token ?? "", password: Secret(f.password ?? ""),
                                              confirmation: Secret(f.passwordConfirmation ?? ""), signIn: true)
        } catch let error as BrokerError {
            switch error {
            case .weakPassword, .passwordMismatch, .invalidRequest:
                let message = renderer.errors.message(for: error, locale: locale)
                return form(request, locale: locale, token: f.token ?? "", returnTo: back, error: message, status: .badRequest)
            default:
                return renderer.problem(error, request: request, logger: context.logger, title: "link_problem_title", followUp: "ask_again", returnTo: back)
            }
        }
        var response = notice(request: request, title: "page.reset_done_title", paragraphs: [(text("page.reset_done", locale), false)], returnTo: back)
        if let issued { response.setCookie(cookies.session(token: issued.token, expiresAt: issued.session.expiresAt)) }
        return response
    }

    @Sendable func notMeForm(_ request: Request, context _: BrokerRequestContext) async throws -> Response {
        let locale = Localizer.locale(of: request)
        let token = request.uri.queryParameters.get("token") ?? ""
        let (value, cookie) = csrf.value(for: request)
        var response = renderer.render("notice", request: request, [
            "title": text("page.not_me_title", locale),
            "paragraphs": [["text": text("page.not_me_intro", locale)]],
            "form": ["action": "/recover/not-me", "csrf": value, "token": token, "label": text("page.not_me_action", locale)],
        ])
        if let cookie { response.setCookie(cookie) }
        return response
    }

    @Sendable func notMe(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let locale = Localizer.locale(of: request)
        let f = try await Self.form(TokenForm.self, request, context)
        try csrf.verify(request, field: f.csrf)
        do {
            try await recovery.notMe(token: f.token ?? "")
        } catch let error as BrokerError {
            return renderer.problem(error, request: request, logger: context.logger, title: "link_problem_title", followUp: "ask_again")
        }
        return notice(request: request, title: "page.not_me_title", paragraphs: [(text("page.not_me_done", locale), false)], returnTo: nil)
    }

    func text(_ key: String, _ locale: String) -> String { renderer.localizer.text(key, locale: locale) }

    func form(_ request: Request, locale: String, token: String, returnTo: String?, error: String?, status: HTTPResponse.Status) -> Response {
        let (value, cookie) = csrf.value(for: request)
        var values: [String: Any] = [
            "title": text("page.reset_title", locale), "token": token, "csrf": value, "minLength": minPasswordLength,
        ]
        if let returnTo { values["returnTo"] = returnTo }
        if let error { values["error"] = error }
        var response = renderer.render("reset", request: request, status: status, values)
        if let cookie { response.setCookie(cookie) }
        return response
    }

    func notice(request: Request, title: String, paragraphs: [(String, Bool)], returnTo: String?, status: HTTPResponse.Status = .ok) -> Response {
        let locale = Localizer.locale(of: request)
        var values: [String: Any] = ["title": text(title, locale), "paragraphs": paragraphs.map { ["text": $0.0, "isError": $0.1] }]
        if let returnTo { values["returnTo"] = returnTo }
        return renderer.render("notice", request: request, status: status, values)
    }

    static func form<T: Decodable>(_ type: T.Type, _ request: Request, _ context: BrokerRequestContext) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        do {
            return try URLEncodedFormDecoder().decode(T.self, from: String(buffer: buffer))
        } catch {
            // On a page route PageErrorMiddleware turns this into an HTML page, like every refusal.
            throw BrokerError.invalidRequest(field: nil, reason: .unreadableForm)
        }
    }
}
