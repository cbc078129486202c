import BrokerCore
import BrokerLocales
import Hummingbird

/// `GET /account`: where a sign-in lands by default; says who is signed in and
/// through which providers. (The conversion steps come with the conversion issue.)
struct AccountPageController {
    let signIn: SignInFlow

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
    }
}
