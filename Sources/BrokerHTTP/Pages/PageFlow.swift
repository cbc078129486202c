import BrokerCore
import BrokerLocales
import Foundation
import Hummingbird

/// What every page step carries along: the language, where to go back to, and
/// the login hint the login page passed; plus the CSRF value of its forms.
struct PageFlow {
    let request: Request
    let renderer: PageRenderer
    let locale: String
    let returnTo: String?
    let loginHint: String?
    let csrfValue: String
    let csrfCookie: Cookie?
    /// The submitted form's fields (empty for a GET).
    let form: [String: String]

    init(_ request: Request, renderer: PageRenderer, returnTo policy: ReturnToPolicy, csrf: CSRF, form: [String: String] = [:]) {
        self.request = request
        self.renderer = renderer
        self.form = form
        locale = Localizer.locale(of: request)
        let q = request.uri.queryParameters
        returnTo = (form["return_to"] ?? q.get("return_to")).flatMap(policy.check)
        loginHint = (form["login_hint"] ?? q.get("login_hint")).map { String($0.prefix(320)) }
        (csrfValue, csrfCookie) = csrf.value(for: request)
    }

    func text(_ key: String, _ values: [String: String] = [:]) -> String { renderer.text(key, locale: locale, values) }

    /// `path` with return_to, lang and login_hint carried along.
    func link(_ path: String, _ extra: [String: String] = [:]) -> String {
        var c = URLComponents()
        c.path = path
        var items: [URLQueryItem] = []
        if let returnTo { items.append(URLQueryItem(name: "return_to", value: returnTo)) }
        if let lang = request.uri.queryParameters.get("lang") { items.append(URLQueryItem(name: "lang", value: lang)) }
        if let loginHint { items.append(URLQueryItem(name: "login_hint", value: loginHint)) }
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) { items.append(URLQueryItem(name: k, value: v)) }
        c.queryItems = items.isEmpty ? nil : items
        // URLComponents leaves a `+` as it is (an app's authorization request has `scope=openid+email`);
        // a form decoder would read it as a space.
        c.percentEncodedQuery = c.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return c.string ?? path
    }

    /// The hidden fields that carry the flow through a form.
    var carried: [[String: String]] {
        var hidden: [[String: String]] = []
        if let returnTo { hidden.append(["name": "return_to", "value": returnTo]) }
        if let loginHint { hidden.append(["name": "login_hint", "value": loginHint]) }
        return hidden
    }

    func render(_ template: String, status: HTTPResponse.Status = .ok, _ values: [String: Any]) -> Response {
        var context = values
        context["csrf"] = csrfValue
        if let returnTo, context["returnTo"] == nil { context["returnTo"] = returnTo }
        var response = renderer.render(template, request: request, status: status, context)
        if let csrfCookie { response.setCookie(csrfCookie) }
        return response
    }

    struct Field {
        var name: String
        var label: String
        var type = "text"
        var value = ""
        var autocomplete = "off"
        var inputmode: String?
        var error: String?

        var context: [String: Any] {
            var c: [String: Any] = ["name": name, "label": label, "type": type, "value": value, "autocomplete": autocomplete, "required": true]
            if let inputmode { c["inputmode"] = inputmode }
            if let error { c["error"] = error }
            return c
        }
    }

    /// A one-form page (the email, phone, code and login-reminder steps).
    func form(title: String, intro: String?, action: String, hidden: [[String: String]] = [], fields: [Field], button: String,
              links: [(String, String)] = [], flash: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        var values: [String: Any] = [
            "title": title, "action": action, "hidden": carried + hidden, "fields": fields.map(\.context), "button": button,
            "links": links.map { ["text": $0.0, "href": $0.1] },
        ]
        if let intro { values["intro"] = intro }
        if let flash { values["flash"] = flash }
        return render("form", status: status, values)
    }

    func notice(title: String, _ paragraphs: [String], status: HTTPResponse.Status = .ok, error: Bool = false) -> Response {
        render("notice", status: status, ["title": title, "paragraphs": paragraphs.map { ["text": $0, "isError": error] }])
    }

    func message(_ error: BrokerError) -> String { renderer.errors.message(for: error, locale: locale) }

    /// A form body as a dictionary (CSRF checked by the caller).
    static func fields(_ request: Request, _ context: BrokerRequestContext) async throws -> [String: String] {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        return (try? URLEncodedFormDecoder().decode([String: String].self, from: String(buffer: buffer))) ?? [:]
    }
}
