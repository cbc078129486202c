import BrokerStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Sign-in API")
struct SessionAPITests {
    static let maria = #"{"login":"maria","email":"Maria@Example.com","phone":"+55 11 99999-0000","password":"s3cret-pass","locale":"pt-BR"}"#

    @Test(arguments: ["maria", "MARIA", "maria@example.com", "+5511999990000"])
    func signInWithEachIdentifier(login: String) async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(Self.maria)
            let reply = try await client.call(.post, "/api/v1/login", json: #"{"login":"\#(login)","password":"s3cret-pass"}"#)
            #expect(reply.status == .ok)
            #expect(reply.account["id"] as? String == id)
            let token = try #require((reply.json["session"] as? [String: Any])?["token"] as? String)
            #expect(reply.setCookie.contains("broker_session=\(token)"))
            #expect(reply.setCookie.contains("HttpOnly"))
            #expect(reply.setCookie.contains("SameSite=Lax"))
            #expect(!reply.setCookie.contains("Secure"), "dev_mode cookies are not Secure")
            #expect(reply.headers[.cacheControl] == "no-store")

            let byBearer = try await client.call(.get, "/api/v1/session", bearer: token)
            #expect(byBearer.status == .ok)
            #expect(byBearer.account["email"] as? String == "maria@example.com")
            #expect((byBearer.json["session"] as? [String: Any])?["methods"] as? [String] == ["password"])
            let byCookie = try await client.call(.get, "/api/v1/session", headers: [.cookie: "broker_session=\(token)"])
            #expect(byCookie.status == .ok)
        }
    }

    @Test func cookiesAreSecureOutsideDevMode() async throws {
        let app = try await AppHarness(devMode: false)
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            let reply = try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"s3cret-pass"}"#)
            #expect(reply.setCookie.contains("Secure"))
        }
    }

    @Test func wrongPasswordAndUnknownLoginLookTheSame() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            let wrong = try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"nope-nope"}"#)
            let unknown = try await client.call(.post, "/api/v1/login", json: #"{"login":"ghost","password":"nope-nope"}"#)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "invalid_credentials")
            #expect(wrong.text == unknown.text)
            #expect(wrong.status == unknown.status)
            #expect(wrong.setCookie.isEmpty)
        }
    }

    @Test func errorsFollowTheRequestLanguage() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let pt = try await client.call(.post, "/api/v1/login", json: #"{"login":"ghost","password":"nope-nope"}"#, headers: [.acceptLanguage: "pt-BR,pt;q=0.9"])
            #expect((pt.json["error"] as? [String: Any])?["message"] as? String == "Login ou senha incorretos.")
            let es = try await client.call(.post, "/api/v1/login?lang=es", json: #"{"login":"ghost","password":"nope-nope"}"#)
            #expect((es.json["error"] as? [String: Any])?["message"] as? String == "El usuario o la contraseña son incorrectos.")
        }
    }

    @Test func repeatedFailuresAnswer429WithRetryAfter() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            for _ in 0..<3 {
                #expect(try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"bad-bad-bad"}"#).status == .unauthorized)
            }
            let throttled = try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"s3cret-pass"}"#)
            #expect(throttled.status == .tooManyRequests)
            #expect(throttled.errorCode == "too_many_attempts")
            #expect(throttled.headers[.retryAfter] == "900")
            app.clock.advance(seconds: 900)
            #expect(try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"s3cret-pass"}"#).status == .ok)
        }
    }

    @Test func logoutEndsTheSession() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            let login = try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"s3cret-pass"}"#)
            let token = try #require((login.json["session"] as? [String: Any])?["token"] as? String)
            let out = try await client.call(.post, "/api/v1/logout", bearer: token)
            #expect(out.status == .noContent)
            #expect(out.setCookie.contains("broker_session=;") || out.setCookie.contains("Max-Age=0"))
            let after = try await client.call(.get, "/api/v1/session", bearer: token)
            #expect(after.status == .unauthorized)
            #expect(after.errorCode == "unauthenticated")
            #expect(try await client.call(.get, "/api/v1/session").status == .unauthorized)
            #expect(try await client.call(.post, "/api/v1/logout").status == .noContent)
        }
    }

    @Test func cookieDomainLetsSiblingSubdomainsForwardTheCookie() async throws {
        let app = try await AppHarness(devMode: false, environment: [
            "BROKER_SERVER_PUBLIC_URL": "https://id.example.com", "BROKER_SERVER_COOKIE_DOMAIN": "example.com",
        ])
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            let reply = try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"s3cret-pass"}"#)
            let cookie = reply.setCookie.split(separator: "\n").first { $0.hasPrefix("broker_session=") }.map(String.init) ?? ""
            #expect(cookie.contains("Domain=example.com"))
            // What an app on shop.example.com does with the cookie its browser sent it.
            let token = String(cookie.dropFirst("broker_session=".count).prefix { $0 != ";" })
            let forwarded = try await client.call(.get, "/api/v1/session", headers: [.cookie: "broker_session=" + token])
            #expect(forwarded.account["email"] as? String == "maria@example.com")
            let out = try await client.call(.post, "/api/v1/logout", headers: [.cookie: "broker_session=" + token, .contentType: "application/json"])
            #expect(out.setCookie.contains("Domain=example.com"), "signing out clears the same cookie")
        }
    }

    @Test func theSessionAnswerFollowsEveryChangeOfTheAccount() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(Self.maria)
            let token = try #require((try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"s3cret-pass"}"#)
                .json["session"] as? [String: Any])?["token"] as? String)
            #expect(try await client.call(.get, "/api/v1/session", bearer: token).account["email"] as? String == "maria@example.com")
            #expect(try await client.call(.get, "/api/v1/session", bearer: token).account["email"] as? String == "maria@example.com")
            try await client.admin(.patch, "/api/v1/admin/accounts/\(id)", json: #"{"email":"new@example.com"}"#)
            #expect(try await client.call(.get, "/api/v1/session", bearer: token).account["email"] as? String == "new@example.com",
                    "the encoded answer is not served once the account changed")
        }
    }

    @Test func blockedAccountIsRefused() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(Self.maria)
            #expect(try await client.admin(.patch, "/api/v1/admin/accounts/\(id)", json: #"{"state":"blocked"}"#).status == .ok)
            let reply = try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"s3cret-pass"}"#)
            #expect(reply.status == .forbidden)
            #expect(reply.errorCode == "account_blocked")
        }
    }
}

@Suite("Operations endpoints")
struct OperationsTests {
    @Test func healthAndReadiness() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            #expect(try await client.call(.get, "/health/live").status == .ok)
            #expect(try await client.call(.get, "/health/ready").status == .ok)
            try await app.runtime.store.close()
            let ready = try await client.call(.get, "/health/ready")
            #expect(ready.status == .serviceUnavailable)
            let login = try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"whatever1"}"#)
            #expect(login.status == .serviceUnavailable)
            #expect(login.errorCode == "unavailable")
        }
    }

    /// With the database gone, a request that carries a session is 503 `unavailable`, not a false 401.
    @Test func aSessionThatCannotBeReadIsUnavailableNotUnauthenticated() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(#"{"login":"maria","password":"old-password"}"#)
            let token = try await app.session(for: id)
            try await app.runtime.store.close()
            let account = try await client.call(.get, "/api/v1/account", bearer: token)
            #expect(account.status == .serviceUnavailable)
            #expect(account.errorCode == "unavailable")
            let page = try await client.call(.get, "/account", headers: [.cookie: "broker_session=" + token])
            #expect(page.status == .serviceUnavailable)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
        }
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.call(.post, "/api/v1/login", json: #"{"login":"metrics-user","password":"whatever1"}"#)
            let text = try await client.call(.get, "/metrics").text
            let line = text.split(separator: "\n").first { $0.hasPrefix("hb_requests{") && $0.contains("http_route=\"/api/v1/login\"") && $0.contains("http_response_status_code=\"401\"") }
            #expect(line != nil, "\(text.prefix(400))")
            #expect(text.contains("# TYPE http_requests_total counter"))
            #expect(text.contains(#"http_requests_total{route="/api/v1/login",method="POST",status="401"} "#), "\(text.prefix(1200))")
        }
    }

    @Test func requestIdIsEchoed() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let reply = try await client.call(.get, "/health/live")
            #expect(reply.headers[HTTPField.Name("X-Request-Id")!]?.isEmpty == false)
        }
    }

    @Test func providersListOffersRecoveryPagesWithoutCredentials() async throws {
        let app = try await AppHarness(environment: [
            "BROKER_PROVIDERS_CREDENTIALS_GOOGLE_CLIENT_ID": "a", "BROKER_PROVIDERS_CREDENTIALS_GOOGLE_CLIENT_SECRET": "b",
        ])
        try await app.test { client in
            let list = try #require(try await client.call(.get, "/api/v1/providers").json["providers"] as? [[String: Any]])
            let google = try #require(list.first { $0["id"] as? String == "google" })
            #expect(google["sign_in"] as? Bool == true)
            #expect(google["recovery_url"] as? String == "https://accounts.google.com/signin/recovery")
            let github = try #require(list.first { $0["id"] as? String == "github" })
            #expect(github["sign_in"] as? Bool == false)
            #expect(github["username_recovery_url"] is NSNull)
            #expect(list.count >= 17)
        }
    }
}
