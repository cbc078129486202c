@testable import BrokerHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Recovery pages")
struct RecoveryPagesTests {
    static func csrf(in html: String) -> String? {
        guard let r = html.range(of: #"name="csrf" value="[A-Za-z0-9_-]+""#, options: .regularExpression) else { return nil }
        return String(html[r].dropFirst(#"name="csrf" value=""#.count).dropLast())
    }

    static func cookie(_ reply: Reply) -> String? {
        reply.setCookie.split(separator: "\n").first { $0.hasPrefix("broker_csrf=") }.map { String($0.split(separator: ";")[0]) }
    }

    @Test func linkOpensTheFormAndTheFormResets() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(RecoveryAPITests.maria)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria@example.com"}"#)
            let token = try #require(RecoveryAPITests.link(in: try await app.text(to: "maria@example.com")))
            let page = try await client.call(.get, "/recover/reset?token=\(token)&return_to=http://127.0.0.1:8080/login&lang=pt-BR")
            #expect(page.status == .ok)
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(page.headers[.init("X-Frame-Options")!] == "DENY")
            #expect(page.headers[.cacheControl] == "no-store")
            #expect(page.text.contains("Escolha uma nova senha"))
            #expect(page.text.contains(#"<label for="password">"#))
            let csrf = try #require(Self.csrf(in: page.text))
            let cookie = try #require(Self.cookie(page))
            #expect(page.setCookie.contains("HttpOnly"))

            // Opening the link twice never uses it.
            #expect(try await client.call(.get, "/recover/reset?token=\(token)").status == .ok)

            let form = "csrf=\(csrf)&token=\(token)&password=new-password-1&password_confirmation=new-password-1&return_to=http%3A%2F%2F127.0.0.1%3A8080%2Flogin"
            let forged = try await client.call(.post, "/recover/reset", headers: [.contentType: "application/x-www-form-urlencoded"], raw: ByteBuffer(string: form))
            #expect(forged.status == .forbidden, "no CSRF cookie")
            #expect(try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"new-password-1"}"#).status == .unauthorized, "nothing changed")

            let mismatch = "csrf=\(csrf)&token=\(token)&password=new-password-1&password_confirmation=other-password"
            let again = try await client.call(.post, "/recover/reset?lang=pt-BR", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie], raw: ByteBuffer(string: mismatch))
            #expect(again.status == .badRequest)
            #expect(again.text.contains("A senha e a confirmação são diferentes."))
            #expect(again.text.contains(#"aria-invalid="true""#))

            let done = try await client.call(.post, "/recover/reset?lang=pt-BR", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie], raw: ByteBuffer(string: form))
            #expect(done.status == .ok)
            #expect(done.text.contains("Senha alterada"))
            #expect(!done.text.contains("<form"))
            #expect(done.text.contains(#"href="http://127.0.0.1:8080/login""#))
            #expect(try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"new-password-1"}"#).status == .ok)

            let used = try await client.call(.get, "/recover/reset?token=\(token)")
            #expect(used.status == .gone)
            #expect(used.text.contains("already used"))
        }
    }

    /// Every page answers its errors as a page: a form that cannot be read, a body too large,
    /// a refusal. Schema fuzzing once got the JSON envelope from these.
    @Test(arguments: ["/recover/reset", "/recover/not-me", "/recover/email", "/signin", "/account/email"])
    func pageErrorsAreHTML(path: String) async throws {
        let app = try await AppHarness()
        try await app.test { client in
            for body in [ByteBuffer(bytes: [0xFF, 0xFE, 0x00, 0x25, 0x26, 0x3D]), ByteBuffer(string: "csrf=" + String(repeating: "a", count: 70_000))] {
                let reply = try await client.call(.post, path, headers: [.contentType: "application/x-www-form-urlencoded"], raw: body)
                #expect((400..<500).contains(reply.status.code), "\(path): \(reply.status)")
                #expect(reply.headers[.contentType]?.hasPrefix("text/html") == true, "\(path) answered \(reply.headers[.contentType] ?? "")")
                #expect(reply.text.contains("<html"), "\(path)")
            }
        }
    }

    @Test func outdatedLinkPageExplains() async throws {
        let app = try await AppHarness(extraYAML: "recovery:\n  resend_cooldown_seconds: 0\n")
        try await app.test { client in
            _ = try await client.createAccount(RecoveryAPITests.maria)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria"}"#)
            let first = try #require(RecoveryAPITests.link(in: try await app.text(to: "maria@example.com")))
            app.clock.advance(seconds: 1)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria"}"#)
            let page = try await client.call(.get, "/recover/reset?token=\(first)", headers: [.acceptLanguage: "pt-BR"])
            #expect(page.status == .badRequest)
            #expect(page.text.contains("Palavra de verificação incorreta"))
        }
    }

    @Test func hostileReturnToIsDropped() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(RecoveryAPITests.maria)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria@example.com"}"#)
            let token = try #require(RecoveryAPITests.link(in: try await app.text(to: "maria@example.com")))
            let page = try await client.call(.get, "/recover/reset?token=\(token)&return_to=https://evil.example/")
            #expect(!page.text.contains("evil.example"))
        }
    }

    @Test func notMePageNeedsAPost() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(RecoveryAPITests.maria)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria@example.com"}"#)
            let text = try await app.text(to: "maria@example.com")
            let notMe = try #require(RecoveryAPITests.notMe(in: text))
            let reset = try #require(RecoveryAPITests.link(in: text))
            let page = try await client.call(.get, "/recover/not-me?token=\(notMe)")
            #expect(page.status == .ok)
            #expect(try await client.call(.get, "/api/v1/recovery/token?token=\(reset)").status == .ok, "opening the page changed nothing")
            let csrf = try #require(Self.csrf(in: page.text))
            let cookie = try #require(Self.cookie(page))
            let done = try await client.call(.post, "/recover/not-me", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie],
                                             raw: ByteBuffer(string: "csrf=\(csrf)&token=\(notMe)"))
            #expect(done.status == .ok)
            #expect(try await client.call(.get, "/api/v1/recovery/token?token=\(reset)").errorCode == "incorrect_check_word")
        }
    }
}

/// Which errors of the social routes are pages: by Accept's q-values, as RFC 9110 reads them.
@Suite("Accept")
struct AcceptTests {
    @Test(arguments: [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true),  // a browser
        ("text/html", true),
        ("application/json;q=0.1, text/html", true),
        ("text/*", true),
        ("application/json", false),
        ("*/*", false),
        ("text/html;q=0.1, application/json", false),
        ("text/html;q=0, application/json", false),
        ("text/html;q=0", false),
        ("", false),
    ])
    func pagesGoToWhoPrefersHTML(accept: String, html: Bool) {
        #expect(PageErrorMiddleware.prefersHTML(accept: accept) == html, "\(accept)")
    }
}
