import BrokerCore
import BrokerLocales
import Hummingbird

/// `GET /account`: where a sign-in lands by default; says who is signed in and
/// through which providers. (The conversion steps come with the conversion issue.)
struct AccountPageController {
    let signIn: SignInFlow
    let conversion: ConversionFlow
    let csrf: CSRF

    struct TokenForm: Decodable {
        var csrf: String?
        var token: String?
    }

    func addRoutes(to routes: RouteRecorder) {
        routes.get("/account") { request, _ in
            let locale = Localizer.locale(of: request)
            var values: [String: Any] = ["title": Localizer.shared.text("page.account_title", locale: locale)]
            if let token = SessionCookies.token(in: request), let (_, account) = try? await signIn.current(token: token) {
                let who = account.login ?? account.email ?? account.phone ?? account.identities.first.map { "\($0.provider) \($0.subject)" } ?? account.id
                values["who"] = Localizer.shared.text("page.signed_in_as", locale: locale, ["who": who])
                if !account.identities.isEmpty {
                    values["providers"] = Localizer.shared.text("page.providers", locale: locale,
                                                                ["providers": account.identities.map(\.provider).joined(separator: ", ")])
                }
            }
            return PageRenderer.shared?.render("account", locale: locale, values) ?? Response(status: .internalServerError)
        }
        // The emailed verification link: GET shows a button, only the POST verifies.
        routes.get("/account/verify-email") { request, _ in
            let locale = Localizer.locale(of: request)
            let (value, cookie) = csrf.value(for: request)
            var response = PageRenderer.shared?.render("notice", locale: locale, [
                "title": Localizer.shared.text("page.verify_email_title", locale: locale),
                "form": ["action": "/account/verify-email", "csrf": value, "token": request.uri.queryParameters.get("token") ?? "",
                         "label": Localizer.shared.text("page.verify_email_action", locale: locale)],
            ]) ?? Response(status: .internalServerError)
            if let cookie { response.setCookie(cookie) }
            return response
        }
        routes.post("/account/verify-email") { request, context in
            let locale = Localizer.locale(of: request)
            let form = try await RecoveryPagesController.form(TokenForm.self, request, context)
            try csrf.verify(request, field: form.csrf)
            let title = Localizer.shared.text("page.verify_email_title", locale: locale)
            do {
                _ = try await conversion.verifyEmail(token: form.token ?? "", account: nil)
            } catch let error as BrokerError {
                let (status, _) = ErrorEnvelope.statusAndCode(error)
                return PageRenderer.shared?.render("notice", locale: locale, status: status, [
                    "title": title, "paragraphs": [["text": ErrorEnvelope.message(for: error, locale: locale), "isError": true]],
                ]) ?? Response(status: status)
            }
            return PageRenderer.shared?.render("notice", locale: locale, [
                "title": title, "paragraphs": [["text": Localizer.shared.text("page.verify_email_done", locale: locale)]],
            ]) ?? Response(status: .internalServerError)
        }
    }
}
