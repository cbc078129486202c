import BrokerCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The admin console at /admin through the real application: token sign-in, search, an account's
/// page and each action, with CSRF, the audit trail naming the operator, and refusals that change nothing.
@Suite("Admin console")
struct AdminConsoleTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// Signs in with the harness's admin token; returns the cookies a browser would then send.
    static func signIn(_ client: any TestClientProtocol, token: String = AppHarness.adminToken) async throws -> (Reply, String) {
        let page = try await client.call(.get, "/admin?lang=en")
        let csrf = try #require(RecoveryPagesTests.csrf(in: page.text))
        let csrfCookie = try #require(RecoveryPagesTests.cookie(page))
        let reply = try await client.call(.post, "/admin/signin", headers: form.merging([.cookie: csrfCookie]),
                                          raw: ByteBuffer(string: "csrf=\(csrf)&token=\(token)"))
        let admin = reply.setCookie.split(separator: "\n").first { $0.hasPrefix("broker_admin=") }.map { String($0.split(separator: ";")[0]) }
        return (reply, [csrfCookie, admin].compactMap { $0 }.joined(separator: "; "))
    }

    static func post(_ client: any TestClientProtocol, _ path: String, _ body: String, cookies: String) async throws -> Reply {
        let csrf = cookies.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("broker_csrf=") }?
            .dropFirst("broker_csrf=".count) ?? ""
        return try await client.call(.post, path, headers: form.merging([.cookie: cookies]), raw: ByteBuffer(string: "csrf=\(csrf)&" + body))
    }

    @Test func signInNeedsAnAdminTokenAndTheCookieHoldsNoToken() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let (wrong, _) = try await Self.signIn(client, token: "not-the-token")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains("This is not an admin token."))
            let (right, cookies) = try await Self.signIn(client)
            #expect(right.status == .seeOther)
            let cookie = right.setCookie.split(separator: "\n").first { $0.hasPrefix("broker_admin=") }.map(String.init) ?? ""
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/admin"))
            #expect(!cookie.contains(AppHarness.adminToken))
            let home = try await client.call(.get, "/admin?lang=en", headers: [.cookie: cookies])
            #expect(home.text.contains("Find an account"))
            // A forged cookie (another fingerprint, or the signature changed) is no session.
            let forged = cookies.replacingOccurrences(of: "broker_admin=", with: "broker_admin=9")
            #expect(!(try await client.call(.get, "/admin?lang=en", headers: [.cookie: forged])).text.contains("Find an account"))
        }
    }

    @Test func findAnAccountAndOffboardItInOneStep() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(RecoveryAPITests.maria)
            let userSession = try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"old-password"}"#).json["session"]
                as? [String: Any]
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria@example.com"}"#)
            let oldLink = try #require(RecoveryAPITests.link(in: try await app.text(to: "maria@example.com")))
            let (_, cookies) = try await Self.signIn(client)

            let found = try await client.call(.get, "/admin?q=mari&lang=en", headers: [.cookie: cookies])
            #expect(found.text.contains("href=\"/admin/accounts/\(id)\""))
            let page = try await client.call(.get, "/admin/accounts/\(id)?lang=en", headers: [.cookie: cookies])
            #expect(page.status == .ok)
            #expect(page.text.contains("maria@example.com") && page.text.contains("Recent events"))

            // Without the form's CSRF value nothing changes.
            let forged = try await client.call(.post, "/admin/accounts/\(id)/email", headers: Self.form.merging([.cookie: cookies]),
                                               raw: ByteBuffer(string: "email=attacker%40evil.example"))
            #expect(forged.status == .forbidden)
            #expect(try await client.admin(.get, "/api/v1/admin/accounts/\(id)").json["email"] as? String == "maria@example.com")

            let replaced = try await Self.post(client, "/admin/accounts/\(id)/email", "email=successor%40example.com", cookies: cookies)
            #expect(replaced.status == .seeOther)
            #expect(try await client.admin(.get, "/api/v1/admin/accounts/\(id)").json["email"] as? String == "successor@example.com")
            #expect(try await client.call(.get, "/api/v1/session", bearer: userSession?["token"] as? String).status == .unauthorized,
                    "every session ended")
            #expect(try await client.call(.get, "/api/v1/recovery/token?token=\(oldLink)").status != .ok, "the link sent before is dead")
            let after = try await client.call(.get, "/admin/accounts/\(id)?done=saved&lang=en", headers: [.cookie: cookies])
            #expect(after.text.contains("Saved."))
            #expect(after.text.contains("email_replaced"))
            #expect(after.text.contains("console:"), "the audit trail names the operator's token")

            let bad = try await Self.post(client, "/admin/accounts/\(id)/password", "password=x", cookies: cookies)
            #expect(bad.status == .badRequest)
            #expect(try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"x"}"#).status == .unauthorized)
        }
    }

    @Test func sendBlockUnlinkAndRetry() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(
                #"{"login":"ana","email":"ana@example.com","password":"ana-password-1","identities":[{"provider":"google","subject":"g-ana"}]}"#)
            let (_, cookies) = try await Self.signIn(client)
            #expect(try await Self.post(client, "/admin/accounts/\(id)/recovery", "channel=email", cookies: cookies).status == .seeOther)
            let messages = try await app.runtime.services.outbox.messages(accountId: id, limit: 10)
            #expect(messages.count == 1)
            let retried = try await Self.post(client, "/admin/accounts/\(id)/retry", "message=\(messages[0].id)", cookies: cookies)
            #expect(retried.status == .seeOther)
            #expect(try await Self.post(client, "/admin/accounts/\(id)/retry", "message=someone-elses", cookies: cookies).status == .notFound)
            #expect(try await Self.post(client, "/admin/accounts/\(id)/state", "state=blocked", cookies: cookies).status == .seeOther)
            #expect(try await client.admin(.get, "/api/v1/admin/accounts/\(id)").json["state"] as? String == "blocked")
            #expect(try await Self.post(client, "/admin/accounts/\(id)/unlink", "provider=google&subject=g-ana", cookies: cookies).status == .seeOther)
            #expect((try await client.admin(.get, "/api/v1/admin/accounts/\(id)").json["identities"] as? [Any])?.isEmpty == true)
            let events = try await app.runtime.services.ports.store.auditEvents(accountId: id, limit: 10).map(\.type)
            #expect(events.contains("message_retried") && events.contains("identity_unlinked") && events.contains("account_updated"))
            #expect(try await app.runtime.services.ports.store.auditEvents(accountId: id, limit: 10).filter { $0.actor.hasPrefix("console:") }.count >= 3)
        }
    }
}
