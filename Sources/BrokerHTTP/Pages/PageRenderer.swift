import BrokerCore
import BrokerLocales
import Foundation
import Hummingbird
import Logging
import Mustache

/// Server-rendered pages: Mustache templates with one header and footer, texts
/// from `locales/*.yaml`, and the headers every page sends (strict CSP, no framing,
/// no caching of pages that carry check words, no Referer).
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let localizer: Localizer
    /// The translated messages of errors, shared with the JSON envelope.
    let errors: ErrorEnvelope
    let stylesheet: Data
    /// `public_url` + `/oauth2/authorize?`: a `return_to` that starts so is an app's authorization request.
    public var authorizePrefix: String?

    /// Loads every template and the stylesheet; a missing or broken one stops start-up with its name.
    public init(localizer: Localizer) throws {
        var library = MustacheLibrary()
        let names = ["header", "footer", "reset", "notice", "link", "account", "form", "recover", "signin", "admin", "admin_account"]
        for name in names {
            guard let url = Bundle.module.url(forResource: name, withExtension: "mustache", subdirectory: "templates/pages") else {
                throw ResourceError(name: "templates/pages/\(name).mustache", problem: "is missing from the bundle")
            }
            do {
                try library.register(String(contentsOf: url, encoding: .utf8), named: name)
            } catch {
                throw ResourceError(name: "templates/pages/\(name).mustache", problem: "does not parse: \(error)")
            }
        }
        guard let css = Bundle.module.url(forResource: "broker", withExtension: "css", subdirectory: "assets") else {
            throw ResourceError(name: "assets/broker.css", problem: "is missing from the bundle")
        }
        self.library = library
        self.localizer = localizer
        self.errors = ErrorEnvelope(localizer: localizer)
        self.stylesheet = try Data(contentsOf: css)
    }

    /// A page text (`page.` + key) in `locale`.
    func text(_ key: String, locale: String, _ values: [String: String] = [:]) -> String {
        localizer.text("page." + key, locale: locale, values)
    }

    /// The one place an error becomes HTML: a notice titled `title` (a `page.` key) with the
    /// translated message and the error's status, then `followUp` (a `page.` key) when given.
    func problem(_ error: any Error, request: Request, logger: Logger, title: String = "problem_title", followUp: String? = nil,
                 returnTo: String? = nil) -> Response {
        let locale = Localizer.locale(of: request)
        let status: HTTPResponse.Status
        let message: String
        if let error = error as? BrokerError {
            status = ErrorEnvelope.statusAndCode(error).0
            message = errors.message(for: error, locale: locale)
        } else {
            // Not a flow's refusal: the JSON envelope's status and message, as HTML.
            let json = errors.response(for: error, request: request, logger: logger)
            status = json.status
            message = localizer.text("error." + ErrorEnvelope.code(of: json.status), locale: locale)
        }
        var paragraphs: [[String: Any]] = [["text": message, "isError": true]]
        if let followUp { paragraphs.append(["text": text(followUp, locale: locale), "isError": false]) }
        var values: [String: Any] = ["title": text(title, locale: locale), "paragraphs": paragraphs]
        if let returnTo { values["returnTo"] = returnTo }
        return render("notice", request: request, status: status, values)
    }

    /// Renders `template` for `request`: its language, the language switch, and the page texts `t`.
    /// A `lang` in the query is remembered in the `broker_lang` cookie.
    func render(_ template: String, request: Request, status: HTTPResponse.Status = .ok, _ values: [String: Any]) -> Response {
        let locale = Localizer.locale(of: request)
        var context = values
        context["languages"] = Self.languages(request, current: locale, returnTo: values["returnTo"] as? String)
        if let back = values["returnTo"] as? String { context["backHref"] = backHref(back) }
        var response = render(template, locale: locale, status: status, context)
        if let lang = request.uri.queryParameters.get("lang"), let match = LocalePolicy.match(lang) {
            response.setCookie(Cookie(name: "broker_lang", value: match, maxAge: 31_536_000, path: "/", httpOnly: true, sameSite: .lax))
        }
        return response
    }

    /// Where "Back to the site" goes. Back to an app's authorization request it adds the broker's
    /// `broker_cancel` marker: a person who signed in gets the code, one who gave up goes back to the
    /// app with `access_denied`, and never round again to the sign-in page.
    func backHref(_ returnTo: String) -> String {
        guard let prefix = authorizePrefix, returnTo.hasPrefix(prefix) else { return returnTo }
        let marker = AppAuthorizationRequest.cancelParameter
        let query = returnTo.dropFirst(prefix.count).split(separator: "&").filter { !$0.hasPrefix(marker + "=") }
        return prefix + (query + [marker + "=1"]).joined(separator: "&")
    }

    /// Links to the same page in each language, keeping the rest of the query.
    /// Only the page's own, already validated `return_to` is carried, never the raw query's.
    static func languages(_ request: Request, current: String, returnTo: String?) -> [[String: Any]] {
        let names = ["pt-BR": "Português", "en": "English", "es": "Español", "ru": "Русский", "de": "Deutsch", "fr": "Français"]
        return LocalePolicy.supported.map { code in
            var items = (URLComponents(string: request.uri.description)?.queryItems ?? [])
                .filter { $0.name != "lang" && $0.name != "token" && $0.name != "return_to" }
            if let returnTo { items.append(URLQueryItem(name: "return_to", value: returnTo)) }
            items.append(URLQueryItem(name: "lang", value: code))
            var c = URLComponents()
            c.path = request.uri.path
            c.queryItems = items
            c.percentEncodedQuery = c.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
            return ["code": code, "name": names[code] ?? code, "href": c.string ?? "?lang=" + code, "current": code == current]
        }
    }

    /// Renders `template` with `values` plus `lang` and the page texts `t`.
    func render(_ template: String, locale: String, status: HTTPResponse.Status = .ok, _ values: [String: Any]) -> Response {
        var context = values
        context["lang"] = locale
        context["t"] = localizer.section("page", locale: locale)
        let html = library.render(context, withTemplate: template) ?? ""
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        Self.secure(&headers)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The pages' policy. Browsers apply `form-action` to the redirect after a POST too, so the
    /// origins a form may send the person back to (`server.allowed_return_to`) are listed.
    static func contentSecurityPolicy(formActionOrigins: [String] = []) -> String {
        let formAction = (["'self'"] + formActionOrigins).joined(separator: " ")
        return "default-src 'none'; style-src 'self'; img-src 'self'; form-action \(formAction); frame-ancestors 'none'; base-uri 'none'"
    }

    static func secure(_ headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy()
        headers[.init("X-Frame-Options")!] = "DENY"
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        headers[.init("Referrer-Policy")!] = "no-referrer"
        headers[.cacheControl] = "no-store"
    }
}
