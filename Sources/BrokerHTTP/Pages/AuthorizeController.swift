import BrokerCore
import BrokerLocales
import Foundation
import Hummingbird

/// The browser half of the broker as an OpenID Connect provider: `GET /oauth2/authorize` and
/// RP-initiated logout. A person who is not signed in is sent to the sign-in page with this very
/// request as `return_to`; every page path (password, "Forgot your password?" by link or code, a
/// social provider, a conversion) ends in a broker session and goes back to `return_to`, which
/// then answers with a code.
struct AuthorizeController {
    let apps: AppFlow
    let renderer: PageRenderer
    let csrf: CSRF
    let cookies: SessionCookies

    func addRoutes(to routes: some RouterMethods<BrokerRequestContext>) {
        routes.get("/oauth2/authorize", use: authorize)
        routes.get("/oauth2/logout", use: logout)
        routes.post("/oauth2/logout", use: confirmLogout)
    }

    @Sendable func authorize(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let (parameters, repeated) = Self.query(request)
        let parsed: AppAuthorizationRequest
        do {
            parsed = try AppAuthorizationRequest.parse(parameters, repeated: repeated, apps: apps.apps)
        } catch let error as UnredirectableAuthorizationError {
            return problem(request, error.description)
        } catch let error as RedirectedAuthorizationError {
            return redirect(apps.errorRedirect(error.error, error.redirectURI, error.state))
        }
        switch try await apps.authorize(parsed, sessionToken: request.cookies[SessionCookies.name]?.value) {
        case .redirect(let url):
            return redirect(url)
        case .signIn(let marker):
            // Back to this same request after signing in, with the broker's own marker for a fresh sign-in.
            var query = (request.uri.query ?? "").split(separator: "&")
                .filter { !$0.hasPrefix(AppAuthorizationRequest.authAfterParameter + "=") }.map(String.init)
            if let marker { query.append(AppAuthorizationRequest.authAfterParameter + "=" + marker) }
            let back = apps.settings.issuer + AppAuthorizationRequest.path + "?" + query.joined(separator: "&")
            guard back.utf8.count <= 2048 else {
                return redirect(apps.errorRedirect(.invalidRequest("the request is too long"), parsed.redirectURI, parsed.state))
            }
            var items = [URLQueryItem(name: "return_to", value: back)]
            if let lang = parsed.uiLocales?.split(separator: " ").lazy.compactMap({ LocalePolicy.match(String($0)) }).first {
                items.append(URLQueryItem(name: "lang", value: lang))
            }
            if let hint = parsed.loginHint { items.append(URLQueryItem(name: "login_hint", value: hint)) }
            var target = URLComponents()
            target.path = "/signin"
            target.queryItems = items
            // URLComponents leaves a `+` as it is; a form decoder would read it as a space.
            target.percentEncodedQuery = target.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
            return redirect(target.string ?? "/signin")
        }
    }

    @Sendable func logout(_ request: Request, context _: BrokerRequestContext) async throws -> Response {
        let q = request.uri.queryParameters
        return try await endSession(request, hint: q.get("id_token_hint"), clientId: q.get("client_id"),
                                    redirect: q.get("post_logout_redirect_uri"), state: q.get("state"), confirmed: false)
    }

    @Sendable func confirmLogout(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let form = try await PageFlow.fields(request, context)
        try csrf.verify(request, field: form["csrf"])
        return try await endSession(request, hint: nil, clientId: form["client_id"], redirect: form["post_logout_redirect_uri"],
                                    state: form["state"], confirmed: true)
    }

    func endSession(_ request: Request, hint: String?, clientId: String?, redirect target: String?, state: String?, confirmed: Bool) async throws -> Response {
        let locale = Localizer.locale(of: request)
        let decision: AppFlow.LogoutDecision
        do {
            decision = try await apps.logout(idTokenHint: hint, clientId: clientId, postLogoutRedirectURI: target, state: state,
                                             sessionToken: request.cookies[SessionCookies.name]?.value, confirmed: confirmed)
        } catch let error as OAuthError {
            return problem(request, error.description)
        }
        switch decision {
        case .confirm:
            let (value, cookie) = csrf.value(for: request)
            var hidden: [[String: String]] = []
            for (name, value) in [("client_id", clientId), ("post_logout_redirect_uri", target), ("state", state)] {
                if let value { hidden.append(["name": name, "value": value]) }
            }
            var response = renderer.render("notice", request: request, [
                "title": renderer.text("logout_title", locale: locale),
                "paragraphs": [["text": renderer.text("logout_confirm", locale: locale)]],
                "form": ["action": "/oauth2/logout", "csrf": value, "hidden": hidden, "label": renderer.text("sign_out", locale: locale)],
            ])
            if let cookie { response.setCookie(cookie) }
            return response
        case .signedOut(let url):
            var response = url.map(redirect) ?? renderer.render("notice", request: request, [
                "title": renderer.text("signed_out_title", locale: locale),
                "paragraphs": [["text": renderer.text("signed_out", locale: locale)]],
            ])
            response.setCookie(cookies.expired())
            return response
        }
    }

    func redirect(_ url: String) -> Response {
        Response(status: .found, headers: [.location: url, .cacheControl: "no-store"])
    }

    /// A request that names no app, or a redirect URI the app did not register: a page, never a redirect.
    func problem(_ request: Request, _ reason: String) -> Response {
        let locale = Localizer.locale(of: request)
        return renderer.render("notice", request: request, status: .badRequest, [
            "title": renderer.text("app_problem_title", locale: locale),
            "paragraphs": [["text": renderer.text("app_problem", locale: locale, ["reason": reason]), "isError": true]],
        ])
    }

    /// The query's parameters (first value of each) and the names that came more than once.
    static func query(_ request: Request) -> ([String: String], Set<String>) {
        var values: [String: String] = [:]
        var repeated = Set<String>()
        for pair in (request.uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            // Form encoding: `+` is a space (`scope=openid+email`).
            guard let name = OIDCController.formDecode(parts[0]), let value = OIDCController.formDecode(parts.count > 1 ? parts[1] : ""),
                  !value.isEmpty else { continue }
            if values[name] != nil { repeated.insert(name) } else { values[name] = value }
        }
        return (values, repeated)
    }
}
