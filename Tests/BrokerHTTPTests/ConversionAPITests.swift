import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A social account gets an email, a login name and a password; each rule has its refusal.
@Suite("Conversion API")
struct ConversionAPITests {
    static let social = #"{"identities":[{"provider":"google","subject":"g-42"}],"locale":"en"}"#

    static func code(_ text: String) -> String? { RecoveryAPITests.code(in: text) }

    static func verifyToken(_ text: String) -> String? {
        guard let r = text.range(of: #"verify-email\?token=[A-Za-z0-9_-]+"#, options: .regularExpression) else { return nil }
        return String(text[r].dropFirst("verify-email?token=".count))
    }

    @Test func wholeConversion() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(Self.social)
            let token = try await app.session(for: id)
            let me = try await client.call(.get, "/api/v1/account", bearer: token)
            #expect(me.json["has_password"] as? Bool == false)

            // Setting a password before an address is verified: refused.
            let early = try await client.call(.post, "/api/v1/account/password", json: #"{"password":"own-password-1","password_confirmation":"own-password-1"}"#, bearer: token)
            #expect(early.status == .conflict)
            #expect(early.errorCode == "email_required")

            #expect(try await client.call(.post, "/api/v1/account/email", json: #"{"email":"Me@Example.com"}"#, bearer: token).status == .accepted)
            let text = try await app.text(to: "me@example.com")
            let link = try #require(Self.verifyToken(text))
            #expect(Self.code(text) != nil)
            let verified = try await client.call(.post, "/api/v1/account/email/verify", json: #"{"token":"\#(link)"}"#)
            #expect(verified.status == .ok)
            #expect(verified.json["email"] as? String == "me@example.com")
            #expect(verified.json["email_verified"] as? Bool == true)
            #expect(try await client.call(.post, "/api/v1/account/email/verify", json: #"{"token":"\#(link)"}"#).errorCode == "token_used")

            let login = try await client.call(.put, "/api/v1/account/login", json: #"{"login":"NewMaria"}"#, bearer: token)
            #expect(login.json["login"] as? String == "NewMaria")
            let password = try await client.call(.post, "/api/v1/account/password", json: #"{"password":"own-password-1","password_confirmation":"own-password-1"}"#, bearer: token)
            #expect(password.status == .ok)
            #expect(password.json["has_password"] as? Bool == true)
            #expect((password.json["identities"] as? [Any])?.count == 1, "the identity stays linked")

            for who in ["newmaria", "me@example.com"] {
                #expect(try await client.call(.post, "/api/v1/login", json: #"{"login":"\#(who)","password":"own-password-1"}"#).status == .ok)
            }
            #expect(try await client.call(.get, "/api/v1/session", bearer: token).status == .ok, "the converting session stays")
        }
    }

    @Test func firstPasswordNeedsARecentSignIn() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(#"{"email":"s@example.com","identities":[{"provider":"google","subject":"1"}]}"#)
            let stale = try await app.session(for: id, ago: 601)
            let reply = try await client.call(.post, "/api/v1/account/password", json: #"{"password":"own-password-1","password_confirmation":"own-password-1"}"#, bearer: stale)
            #expect(reply.status == .forbidden)
            #expect(reply.errorCode == "reauthentication_required")
            let fresh = try await app.session(for: id)
            #expect(try await client.call(.post, "/api/v1/account/password", json: #"{"password":"own-password-1","password_confirmation":"own-password-1"}"#, bearer: fresh).status == .ok)
        }
    }

    /// On the page, a sign-in too old to set a first password offers the way to renew it.
    /// The message to a new address is in the language the request asked for (the person is
    /// at the screen now); without one, in the account's.
    @Test func theMessageToANewAddressIsInTheRequestsLanguage() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let token = try await app.session(for: try await client.createAccount(Self.social))  // locale en
            #expect(try await client.call(.post, "/api/v1/account/email?lang=ru", json: #"{"email":"ru@example.com"}"#, bearer: token).status == .accepted)
            #expect(try await app.lastMessage(to: "ru@example.com")?.subject == "Подтвердите адрес электронной почты")
            app.clock.advance(seconds: 61)
            #expect(try await client.call(.post, "/api/v1/account/email", json: #"{"email":"pt@example.com"}"#, bearer: token,
                                          headers: [.acceptLanguage: "pt-BR,pt;q=0.9"]).status == .accepted)
            #expect(try await app.lastMessage(to: "pt@example.com")?.subject == "Confirme seu endereço de e-mail")
            app.clock.advance(seconds: 61)
            #expect(try await client.call(.post, "/api/v1/account/email", json: #"{"email":"en@example.com"}"#, bearer: token).status == .accepted)
            #expect(try await app.lastMessage(to: "en@example.com")?.subject == "Confirm your email address")
        }
    }

    @Test func accountPageSendsAStaleSessionBackThroughItsProvider() async throws {
        let app = try await AppHarness(environment: [
            "BROKER_PROVIDERS_CREDENTIALS_GOOGLE_CLIENT_ID": "cid", "BROKER_PROVIDERS_CREDENTIALS_GOOGLE_CLIENT_SECRET": "csecret",
        ])
        try await app.test { client in
            let id = try await client.createAccount(#"{"email":"s@example.com","identities":[{"provider":"google","subject":"1"}]}"#)
            let session = "broker_session=" + (try await app.session(for: id, ago: 601))
            let page = try await client.call(.get, "/account?lang=en", headers: [.cookie: session])
            #expect(!page.text.contains("/auth/google/start"), "nothing to renew before it is needed")
            let csrf = try #require(RecoveryPagesTests.csrf(in: page.text))
            let csrfCookie = try #require(RecoveryPagesTests.cookie(page))
            let form = "csrf=\(csrf)&password=own-password-1&password_confirmation=own-password-1"
            let refused = try await client.call(.post, "/account/password?lang=en", headers: [
                .contentType: "application/x-www-form-urlencoded", .cookie: session + "; " + csrfCookie,
            ], raw: ByteBuffer(string: form))
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("Sign in again"))
            #expect(refused.text.contains(#"href="/auth/google/start?return_to=/account&amp;lang=en""#))
            #expect(try await client.call(.get, "/api/v1/account", bearer: String(session.dropFirst("broker_session=".count))).json["has_password"] as? Bool == false)
        }
    }

    @Test func changingAPasswordNeedsTheCurrentOneAndEndsOtherSessions() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(#"{"login":"maria","password":"first-password"}"#)
            let a = try #require((try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"first-password"}"#).json["session"] as? [String: Any])?["token"] as? String)
            let b = try #require((try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"first-password"}"#).json["session"] as? [String: Any])?["token"] as? String)
            let missing = try await client.call(.post, "/api/v1/account/password", json: #"{"password":"second-password","password_confirmation":"second-password"}"#, bearer: a)
            #expect(missing.status == .forbidden)
            #expect(missing.errorCode == "current_password_required")
            let wrong = try await client.call(.post, "/api/v1/account/password", json: #"{"password":"second-password","password_confirmation":"second-password","current_password":"nope-nope"}"#, bearer: a)
            #expect(wrong.status == .forbidden)
            #expect(wrong.errorCode == "current_password_required")
            #expect(try await client.call(.post, "/api/v1/account/password", json: #"{"password":"second-password","password_confirmation":"other","current_password":"first-password"}"#, bearer: a).errorCode == "password_mismatch")
            #expect(try await client.call(.post, "/api/v1/account/password", json: #"{"password":"short","password_confirmation":"short","current_password":"first-password"}"#, bearer: a).errorCode == "weak_password")
            #expect(try await client.call(.post, "/api/v1/account/password", json: #"{"password":"second-password","password_confirmation":"second-password","current_password":"first-password"}"#, bearer: a).status == .ok)
            #expect(try await client.call(.get, "/api/v1/session", bearer: a).status == .ok)
            #expect(try await client.call(.get, "/api/v1/session", bearer: b).status == .unauthorized)
        }
    }

    @Test func takenAddressesAndLogins() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(#"{"login":"holder","email":"owner@example.com","phone":"+5511988887777"}"#)
            let id = try await client.createAccount(Self.social)
            let token = try await app.session(for: id)
            // Same answer as for a free address; the owner is told, nothing is sent to verify.
            #expect(try await client.call(.post, "/api/v1/account/email", json: #"{"email":"owner@example.com"}"#, bearer: token).status == .accepted)
            let notice = try await app.text(to: "owner@example.com")
            #expect(Self.verifyToken(notice) == nil)
            #expect(notice.contains("already belongs to your account"))
            let taken = try await client.call(.put, "/api/v1/account/login", json: #"{"login":"HOLDER"}"#, bearer: token)
            #expect(taken.status == .conflict)
            #expect(taken.errorCode == "login_taken")
            #expect(try await client.call(.put, "/api/v1/account/login", json: #"{"login":"root"}"#, bearer: token).errorField == "login")
            #expect(try await client.call(.post, "/api/v1/account/email", json: #"{"email":"nope"}"#, bearer: token).errorField == "email")
            #expect(try await client.call(.get, "/api/v1/account").status == .unauthorized)
        }
    }

    @Test func emailTakenBetweenSendAndVerify() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(Self.social)
            let token = try await app.session(for: id)
            try await client.call(.post, "/api/v1/account/email", json: #"{"email":"race@example.com"}"#, bearer: token)
            let link = try #require(Self.verifyToken(try await app.text(to: "race@example.com")))
            _ = try await client.createAccount(#"{"email":"race@example.com"}"#)
            let reply = try await client.call(.post, "/api/v1/account/email/verify", json: #"{"token":"\#(link)"}"#)
            #expect(reply.status == .conflict)
            #expect(reply.errorCode == "email_taken")
        }
    }

    @Test func phoneAttachAndVerify() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(Self.social)
            let token = try await app.session(for: id)
            #expect(try await client.call(.post, "/api/v1/account/phone", json: #"{"phone":"+55 21 97777-6666"}"#, bearer: token).status == .accepted)
            let code = try #require(Self.code(try await app.text(to: "+5521977776666")))
            let wrong = code == "000000" ? "111111" : "000000"
            #expect(try await client.call(.post, "/api/v1/account/phone/verify", json: #"{"code":"\#(wrong)"}"#, bearer: token).errorCode == "invalid_code")
            let ok = try await client.call(.post, "/api/v1/account/phone/verify", json: #"{"code":"\#(code)"}"#, bearer: token)
            #expect(ok.json["phone"] as? String == "+5521977776666")
            #expect(ok.json["phone_verified"] as? Bool == true)
            app.clock.advance(seconds: 1)
            try await client.call(.post, "/api/v1/account/phone", json: #"{"phone":"+55 21 96666-5555"}"#, bearer: token)
            let late = try #require(Self.code(try await app.text(to: "+5521966665555")))
            app.clock.advance(seconds: 601)
            let expired = try await client.call(.post, "/api/v1/account/phone/verify", json: #"{"code":"\#(late)"}"#, bearer: token)
            #expect(expired.status == .gone)
            #expect(expired.errorCode == "code_expired")
        }
    }

    @Test func changingTheEmailNotifiesTheOldAddress() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(#"{"login":"maria","email":"old@example.com","identities":[{"provider":"google","subject":"1"}]}"#)
            let token = try await app.session(for: id)
            try await client.call(.post, "/api/v1/account/email", json: #"{"email":"new@example.com"}"#, bearer: token)
            let code = try #require(Self.code(try await app.text(to: "new@example.com")))
            #expect(try await client.call(.post, "/api/v1/account/email/verify", json: #"{"token":"\#(code)"}"#, bearer: token).json["email"] as? String == "new@example.com")
            let notice = try await app.text(to: "old@example.com")
            #expect(notice.contains("n•••@example.com"))
        }
    }

    @Test func theLastWayToSignInCannotBeRemoved() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(Self.social)
            let token = try await app.session(for: id)
            let last = try await client.call(.delete, "/api/v1/account/identities/google", bearer: token)
            #expect(last.status == .conflict)
            #expect(last.errorCode == "last_credential")
            #expect(try await client.call(.delete, "/api/v1/account/identities/github", bearer: token).status == .notFound)
            let two = try await client.createAccount(#"{"login":"two","password":"two-password","identities":[{"provider":"google","subject":"2"}]}"#)
            let twoToken = try await app.session(for: two)
            #expect(try await client.call(.delete, "/api/v1/account/identities/google", bearer: twoToken).status == .noContent)
        }
    }

    @Test func socialOnlyPasswordDenied() async throws {
        let app = try await AppHarness(extraYAML: "recovery:\n  social_only_password: deny\n")
        try await app.test { client in
            let id = try await client.createAccount(#"{"email":"s@example.com","identities":[{"provider":"google","subject":"1"}]}"#)
            let token = try await app.session(for: id)
            let reply = try await client.call(.post, "/api/v1/account/password", json: #"{"password":"own-password-1","password_confirmation":"own-password-1"}"#, bearer: token)
            #expect(reply.status == .forbidden)
            #expect(reply.errorCode == "password_not_allowed")
        }
    }
}
