import BrokerDelivery
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The seed's methods 1 and 2 through the real application, a real SQLite file and the file transports.
@Suite("Recovery API")
struct RecoveryAPITests {
    static let maria = #"{"login":"maria","email":"maria@example.com","phone":"+5511999990000","password":"old-password","locale":"pt-BR"}"#

    static func link(in text: String) -> String? {
        guard let r = text.range(of: #"reset\?token=[A-Za-z0-9_-]+"#, options: .regularExpression) else { return nil }
        return String(text[r].dropFirst("reset?token=".count))
    }

    static func code(in text: String) -> String? {
        text.range(of: #"\b[0-9]{6}\b"#, options: .regularExpression).map { String(text[$0]) }
    }

    static func notMe(in text: String) -> String? {
        guard let r = text.range(of: #"not-me\?token=[A-Za-z0-9_-]+"#, options: .regularExpression) else { return nil }
        return String(text[r].dropFirst("not-me?token=".count))
    }

    @Test func emailLinkResetsThePasswordAndEndsSessions() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            let login = try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"old-password"}"#)
            let session = try #require((login.json["session"] as? [String: Any])?["token"] as? String)

            let accepted = try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"Maria@Example.com"}"#)
            #expect(accepted.status == .accepted)
            #expect(accepted.json["status"] as? String == "accepted")
            let mail = try #require(try await app.lastMessage(to: "maria@example.com"))
            #expect(mail.subject == "Redefinir sua senha", "the account's locale")
            #expect(mail.html?.contains("/recover/reset?token=") == true)
            let token = try #require(Self.link(in: mail.text))

            #expect(try await client.call(.get, "/api/v1/recovery/token?token=\(token)").json["status"] as? String == "valid")
            #expect(try await client.call(.get, "/api/v1/recovery/token?token=\(token)").status == .ok, "checking never uses the link")

            let mismatch = try await client.call(.post, "/api/v1/recovery/reset", json: #"{"token":"\#(token)","password":"new-password-1","password_confirmation":"new-password-2"}"#)
            #expect(mismatch.errorCode == "password_mismatch")
            let weak = try await client.call(.post, "/api/v1/recovery/reset", json: #"{"token":"\#(token)","password":"short","password_confirmation":"short"}"#)
            #expect(weak.errorCode == "weak_password")
            let done = try await client.call(.post, "/api/v1/recovery/reset", json: #"{"token":"\#(token)","password":"new-password-1","password_confirmation":"new-password-1"}"#)
            #expect(done.status == .ok)
            #expect(done.json["status"] as? String == "password_changed")

            #expect(try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"new-password-1"}"#).status == .ok)
            #expect(try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"old-password"}"#).status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/session", bearer: session).status == .unauthorized, "old sessions are dead")

            let again = try await client.call(.post, "/api/v1/recovery/reset", json: #"{"token":"\#(token)","password":"third-password","password_confirmation":"third-password"}"#)
            #expect(again.status == .gone)
            #expect(again.errorCode == "token_used")
            #expect(try await client.call(.get, "/api/v1/recovery/token?token=\(token)").errorCode == "token_used")

            let notices = try await app.deliveries().filter { $0.subject == "Sua senha foi alterada" || $0.text.contains("foi alterada") }
            #expect(Set(notices.map(\.to)) == ["maria@example.com", "+5511999990000"], "the change is announced on every verified channel")
        }
    }

    @Test func onlyTheNewestLinkWorks() async throws {
        let app = try await AppHarness(extraYAML: "recovery:\n  resend_cooldown_seconds: 0\n")
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria"}"#)
            let first = try #require(Self.link(in: try await app.text(to: "maria@example.com")))
            app.clock.advance(seconds: 1)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria"}"#)
            let second = try #require(Self.link(in: try await app.text(to: "maria@example.com")))
            #expect(first != second)
            let old = try await client.call(.post, "/api/v1/recovery/reset", json: #"{"token":"\#(first)","password":"new-password-1","password_confirmation":"new-password-1"}"#, headers: [.acceptLanguage: "pt-BR"])
            #expect(old.status == .badRequest)
            #expect(old.errorCode == "incorrect_check_word")
            #expect((old.json["error"] as? [String: Any])?["message"] as? String == "Palavra de verificação incorreta: este não é o link mais recente. Use o link do último e-mail que enviamos.")
            #expect(try await client.call(.post, "/api/v1/recovery/reset", json: #"{"token":"\#(second)","password":"new-password-1","password_confirmation":"new-password-1"}"#).status == .ok)
            #expect(try await client.call(.get, "/api/v1/recovery/token?token=made-up").errorCode == "incorrect_check_word")
        }
    }

    @Test func linksExpire() async throws {
        let app = try await AppHarness(extraYAML: "recovery:\n  link_ttl_seconds: 120\n")
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria@example.com"}"#)
            let token = try #require(Self.link(in: try await app.text(to: "maria@example.com")))
            app.clock.advance(seconds: 121)
            let expired = try await client.call(.post, "/api/v1/recovery/reset", json: #"{"token":"\#(token)","password":"new-password-1","password_confirmation":"new-password-1"}"#)
            #expect(expired.status == .gone)
            #expect(expired.errorCode == "token_expired")
            // Housekeeping keeps an expired link a day, then deletes it.
            #expect(try await app.runtime.janitor.sweep() == 0, "nothing is old enough yet")
            app.clock.advance(seconds: 86_400)
            #expect(try await app.runtime.janitor.sweep() >= 1)
            let gone = try await client.call(.get, "/api/v1/recovery/token?token=\(token)")
            #expect(gone.errorCode == "incorrect_check_word")
        }
    }

    @Test func smsCodeTradesForAToken() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"+55 (11) 99999-0000"}"#)
            let sms = try #require(try await app.lastMessage(to: "+5511999990000"))
            let code = try #require(Self.code(in: sms.text))
            let wrongCode = code == "000000" ? "111111" : "000000"
            let wrong = try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"+5511999990000","code":"\#(wrongCode)"}"#)
            #expect(wrong.status == .badRequest)
            #expect(wrong.errorCode == "invalid_code")
            #expect(try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"+5599999999999","code":"\#(code)"}"#).errorCode == "invalid_code")
            let right = try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"+5511999990000","code":"\#(code)"}"#)
            let token = try #require(right.json["token"] as? String)
            #expect(try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"+5511999990000","code":"\#(code)"}"#).errorCode == "invalid_code", "a code works once")
            #expect(try await client.call(.post, "/api/v1/recovery/reset", json: #"{"token":"\#(token)","password":"sms-password-1","password_confirmation":"sms-password-1"}"#).status == .ok)
            #expect(try await client.call(.post, "/api/v1/login", json: #"{"login":"+5511999990000","password":"sms-password-1"}"#).status == .ok)
        }
    }

    /// Sign-in takes a phone typed without '+'; recovery must find the same account, and send it an SMS.
    @Test func phoneDigitsWithoutPlusWorkAsOnSignIn() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            #expect(try await client.call(.post, "/api/v1/login", json: #"{"login":"5511999990000","password":"old-password"}"#).status == .ok)
            #expect(try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"55 11 99999-0000"}"#).status == .accepted)
            let sms = try #require(try await app.lastMessage(to: "+5511999990000"), "the code goes by SMS, as for a phone")
            #expect(try await app.lastMessage(to: "maria@example.com") == nil)
            let code = try #require(Self.code(in: sms.text))
            let right = try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"5511999990000","code":"\#(code)"}"#)
            #expect(right.json["token"] is String)
            app.clock.advance(seconds: 1)
            #expect(try await client.call(.post, "/api/v1/recovery/login-reminder", json: #"{"identifier":"5511999990000"}"#).status == .accepted)
            #expect(try await app.text(to: "+5511999990000").contains("maria"))
        }
    }

    @Test func codesDieAfterTheirAttempts() async throws {
        let app = try await AppHarness(extraYAML: "recovery:\n  code_max_attempts: 3\n")
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"+5511999990000"}"#)
            let code = try #require(Self.code(in: try await app.text(to: "+5511999990000")))
            let wrongCode = code == "000000" ? "111111" : "000000"
            #expect(try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"+5511999990000","code":"\#(wrongCode)"}"#).errorCode == "invalid_code")
            #expect(try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"+5511999990000","code":"abc"}"#).errorCode == "invalid_code")
            let third = try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"+5511999990000","code":"\#(wrongCode)"}"#)
            #expect(third.status == .tooManyRequests)
            #expect(third.errorCode == "too_many_attempts")
            let dead = try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"+5511999990000","code":"\#(code)"}"#)
            #expect(dead.errorCode == "too_many_attempts", "the right code no longer works")
        }
    }

    @Test func codesExpire() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria","channel":"sms"}"#)
            let code = try #require(Self.code(in: try await app.text(to: "+5511999990000")))
            app.clock.advance(seconds: 601)
            let late = try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"maria","code":"\#(code)"}"#)
            #expect(late.status == .gone)
            #expect(late.errorCode == "code_expired")
        }
    }

    @Test func unknownIdentifiersAnswerAlikeAndSendNothing() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            let known = try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria@example.com"}"#)
            let unknown = try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"nobody@example.com"}"#)
            #expect(known.status == unknown.status)
            #expect(known.text == unknown.text)
            let sent = try await app.deliveries()
            #expect(sent.map(\.to) == ["maria@example.com"])
            #expect(try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"not an@email"}"#).errorCode == "invalid_request")
            #expect(try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria","channel":"fax"}"#).errorField == "channel")
        }
    }

    @Test func onlyVerifiedAddressesGetMessages() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(#"{"login":"ana","email":"ana@example.com","email_verified":false,"password":"old-password"}"#)
            #expect(try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"ana@example.com"}"#).status == .accepted)
            #expect(try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"ana"}"#).status == .accepted)
            #expect(try await app.deliveries().isEmpty)
        }
    }

    @Test func cooldownSuppressesQuietly() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria@example.com"}"#)
            let first = try #require(Self.link(in: try await app.text(to: "maria@example.com")))
            let second = try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria@example.com"}"#)
            #expect(second.status == .accepted)
            #expect(try await app.deliveries().count == 1, "nothing new within the cooldown")
            #expect(try await client.call(.get, "/api/v1/recovery/token?token=\(first)").status == .ok, "and nothing superseded")
            app.clock.advance(seconds: 61)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria@example.com"}"#)
            #expect(try await app.deliveries().count == 2)
        }
    }

    /// A double-click: several requests at once send one message, whose link works.
    @Test func simultaneousRequestsSendOnce() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria@example.com"}"#).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: .accepted, count: 4))
            let sent = try await app.deliveries()
            #expect(sent.count == 1)
            let only = try #require(sent.first)
            let link = try #require(Self.link(in: only.text))
            #expect(try await client.call(.get, "/api/v1/recovery/token?token=\(link)").status == .ok)
        }
    }

    @Test func sendsAreRateLimitedPerIdentifier() async throws {
        let app = try await AppHarness(extraYAML: "recovery:\n  resend_cooldown_seconds: 0\n")
        try await app.test { client in
            for _ in 0..<5 {
                #expect(try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"ghost@example.com"}"#).status == .accepted)
            }
            let limited = try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"ghost@example.com"}"#)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errorCode == "too_many_requests")
            #expect(limited.headers[.retryAfter] == "900")
            #expect(try await client.call(.post, "/api/v1/recovery/login-reminder", json: #"{"identifier":"ghost@example.com"}"#).status == .tooManyRequests)
            #expect(try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"other@example.com"}"#).status == .accepted)
        }
    }

    @Test func changedAddressKillsWordsSentToTheOldOne() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(Self.maria)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria@example.com"}"#)
            let token = try #require(Self.link(in: try await app.text(to: "maria@example.com")))
            #expect(try await client.admin(.patch, "/api/v1/admin/accounts/\(id)", json: #"{"email":"maria.new@example.com"}"#).status == .ok)
            #expect(try await client.call(.get, "/api/v1/recovery/token?token=\(token)").errorCode == "incorrect_check_word")
        }
    }

    @Test func socialOnlyAccountIsSentToItsProviders() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(#"{"email":"social@example.com","identities":[{"provider":"google","subject":"g-1"},{"provider":"github","subject":"7"}]}"#)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"social@example.com"}"#)
            let mail = try #require(try await app.lastMessage(to: "social@example.com"))
            #expect(mail.text.contains("https://accounts.google.com/signin/recovery"))
            #expect(mail.text.contains("https://github.com/password_reset"))
            #expect(mail.text.contains("http://127.0.0.1:8080/auth/google/start"))
            let token = try #require(Self.link(in: mail.text), "a link to set a native password")
            #expect(try await client.call(.post, "/api/v1/recovery/reset", json: #"{"token":"\#(token)","password":"first-own-password","password_confirmation":"first-own-password"}"#).status == .ok)
            #expect(try await client.call(.post, "/api/v1/login", json: #"{"login":"social@example.com","password":"first-own-password"}"#).status == .ok)
        }
    }

    @Test func socialOnlyPasswordsCanBeDenied() async throws {
        let app = try await AppHarness(extraYAML: "recovery:\n  social_only_password: deny\n")
        try await app.test { client in
            _ = try await client.createAccount(#"{"email":"social@example.com","identities":[{"provider":"google","subject":"g-1"}]}"#)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"social@example.com"}"#)
            let mail = try #require(try await app.lastMessage(to: "social@example.com"))
            #expect(mail.text.contains("https://accounts.google.com/signin/recovery"))
            #expect(Self.link(in: mail.text) == nil, "no set-password link")
        }
    }

    @Test func notMeKillsLinksAndPausesRecovery() async throws {
        let app = try await AppHarness(extraYAML: "recovery:\n  resend_cooldown_seconds: 0\n  not_me_pause_seconds: 3600\n")
        try await app.test { client in
            let id = try await client.createAccount(Self.maria)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria@example.com"}"#)
            let mail = try #require(try await app.lastMessage(to: "maria@example.com"))
            let token = try #require(Self.link(in: mail.text))
            let notMe = try #require(Self.notMe(in: mail.text))
            #expect(try await client.call(.post, "/api/v1/recovery/not-me", json: #"{"token":"\#(notMe)"}"#).json["status"] as? String == "recovery_paused")
            #expect(try await client.call(.get, "/api/v1/recovery/token?token=\(token)").errorCode == "incorrect_check_word")
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria@example.com"}"#)
            #expect(try await app.deliveries().count == 1, "recovery is paused")
            #expect(try await client.call(.post, "/api/v1/recovery/not-me", json: #"{"token":"\#(notMe)"}"#).errorCode == "token_used")
            app.clock.advance(seconds: 3601)
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria@example.com"}"#)
            #expect(try await app.deliveries().count == 2, "and resumes after the pause")
            #expect(try await client.admin(.get, "/api/v1/admin/accounts/\(id)").json["has_password"] as? Bool == true)
        }
    }

    @Test func loginReminderTellsTheLogin() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(#"{"login":"maria.s","email":"maria@example.com","password":"old-password","identities":[{"provider":"google","subject":"1"}]}"#)
            #expect(try await client.call(.post, "/api/v1/recovery/login-reminder", json: #"{"identifier":"maria@example.com"}"#).status == .accepted)
            #expect(try await client.call(.post, "/api/v1/recovery/login-reminder", json: #"{"identifier":"ghost@example.com"}"#).status == .accepted)
            let mail = try #require(try await app.lastMessage(to: "maria@example.com"))
            #expect(mail.text.contains("maria.s"))
            #expect(mail.text.contains("Google"))
            #expect(try await app.deliveries().count == 1)
            // A login name works too: the reminder goes to the account's verified email.
            app.clock.advance(seconds: 1)
            #expect(try await client.call(.post, "/api/v1/recovery/login-reminder", json: #"{"identifier":"maria.s"}"#).status == .accepted)
            #expect(try await app.deliveries().count == 2)
        }
    }

    @Test func lookupOnlyWhenEnabled() async throws {
        let closed = try await AppHarness()
        try await closed.test { client in
            let reply = try await client.call(.post, "/api/v1/recovery/lookup", json: #"{"identifier":"maria"}"#)
            #expect(reply.status == .notFound)
            #expect(reply.errorCode == "not_enabled")
        }
        let open = try await AppHarness(extraYAML: "recovery:\n  reveal_methods: true\n")
        try await open.test { client in
            _ = try await client.createAccount(#"{"login":"maria","email":"maria@example.test","phone":"+5511999990000","identities":[{"provider":"google","subject":"1"}]}"#)
            let reply = try await client.call(.post, "/api/v1/recovery/lookup", json: #"{"identifier":"maria"}"#)
            let methods = try #require(reply.json["methods"] as? [[String: Any]])
            #expect(methods.first { $0["type"] as? String == "email" }?["hint"] as? String == "m•••@example.test")
            #expect(methods.first { $0["type"] as? String == "sms" }?["hint"] as? String == "+55•••0000")
            #expect(methods.first { $0["type"] as? String == "provider" }?["recovery_url"] as? String == "https://accounts.google.com/signin/recovery")
            #expect(!reply.text.contains("maria@example.test"))
        }
    }

    /// A code an operator sent by SMS is redeemed with the phone it went to.
    @Test func anOperatorsSMSCodeWorksWithThePhone() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(Self.maria)
            #expect(try await client.admin(.post, "/api/v1/admin/accounts/\(id)/recovery", json: #"{"channel":"sms"}"#).status == .accepted)
            let code = try #require(Self.code(in: try await app.text(to: "+5511999990000")))
            let redeemed = try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"+55 11 99999-0000","code":"\#(code)"}"#)
            #expect(redeemed.status == .ok, "\(redeemed.text)")
        }
    }

    @Test func adminSendsRecovery() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(Self.maria)
            #expect(try await client.admin(.post, "/api/v1/admin/accounts/\(id)/recovery", json: #"{"channel":"sms"}"#).status == .accepted)
            #expect(try await client.admin(.post, "/api/v1/admin/accounts/\(id)/recovery", json: nil).status == .accepted)
            let sent = try await app.deliveries()
            #expect(Set(sent.map(\.to)) == ["maria@example.com", "+5511999990000"])
            let none = try await client.createAccount(#"{"login":"nobody"}"#)
            #expect(try await client.admin(.post, "/api/v1/admin/accounts/\(none)/recovery", json: "{}").errorField == "channel")
            #expect(try await client.admin(.post, "/api/v1/admin/accounts/missing/recovery", json: "{}").status == .notFound)
        }
    }
}
