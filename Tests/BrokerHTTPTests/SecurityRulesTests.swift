import BrokerCore
@testable import BrokerHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The contract's Security rules through the real application on a real SQLite file: each
/// test is an attack an outside review made, and asserts it no longer works.
@Suite("Security rules")
struct SecurityRulesTests {
    static let maria = RecoveryAPITests.maria
    static let json = #"{"password":"new-password-1","password_confirmation":"new-password-1"}"#

    // MARK: a stolen session and a password reset

    /// The review's attack: with a stolen session, attach the attacker's email; the owner resets
    /// the password; the verification link must now be dead, with or without a session.
    @Test func resetEndsAPendingEmailChangeStartedWithAStolenSession() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(Self.maria)
            let stolen = try await app.session(for: id)
            #expect(try await client.call(.post, "/api/v1/account/email", json: #"{"email":"attacker@evil.example"}"#, bearer: stolen).status == .accepted)
            let attackerMail = try await app.text(to: "attacker@evil.example")
            let verify = try #require(ConversionAPITests.verifyToken(attackerMail))
            let code = try #require(ConversionAPITests.code(attackerMail))

            // The owner resets the password by the emailed link.
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria@example.com"}"#)
            let reset = try #require(RecoveryAPITests.link(in: try await app.text(to: "maria@example.com")))
            #expect(try await client.call(.post, "/api/v1/recovery/reset", json: #"{"token":"\#(reset)","password":"new-password-1","password_confirmation":"new-password-1"}"#).status == .ok)

            let byLink = try await client.call(.post, "/api/v1/account/email/verify", json: #"{"token":"\#(verify)"}"#)
            #expect(byLink.errorCode == "incorrect_check_word", "the link died with the reset: \(byLink.text)")
            let fresh = try await app.session(for: id)
            let byCode = try await client.call(.post, "/api/v1/account/email/verify", json: #"{"token":"\#(code)"}"#, bearer: fresh)
            #expect(byCode.status == .badRequest, "the code died too: \(byCode.text)")
            #expect(try await client.admin(.get, "/api/v1/admin/accounts/\(id)").json["email"] as? String == "maria@example.com")
        }
    }

    @Test func adminPasswordSetAndPasswordChangeEndOpenProofsToo() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(Self.maria)
            let session = try await app.session(for: id)
            try await client.call(.post, "/api/v1/account/email", json: #"{"email":"other@example.com"}"#, bearer: session)
            let first = try #require(ConversionAPITests.verifyToken(try await app.text(to: "other@example.com")))
            #expect(try await client.admin(.post, "/api/v1/admin/accounts/\(id)/password", json: #"{"password":"admin-set-password"}"#).status == .noContent)
            #expect(try await client.call(.post, "/api/v1/account/email/verify", json: #"{"token":"\#(first)"}"#).errorCode == "incorrect_check_word")

            let signedIn = try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"admin-set-password"}"#)
            let token = try #require((signedIn.json["session"] as? [String: Any])?["token"] as? String)
            app.clock.advance(seconds: 61)
            try await client.call(.post, "/api/v1/account/email", json: #"{"email":"other@example.com"}"#, bearer: token)
            let second = try #require(ConversionAPITests.verifyToken(try await app.text(to: "other@example.com")))
            let change = try await client.call(.post, "/api/v1/account/password", json: #"{"password":"new-password-1","password_confirmation":"new-password-1","current_password":"admin-set-password"}"#, bearer: token)
            #expect(change.status == .ok, "\(change.text)")
            #expect(try await client.call(.post, "/api/v1/account/email/verify", json: #"{"token":"\#(second)"}"#).errorCode == "incorrect_check_word")
        }
    }

    // MARK: sensitive changes need a recent sign-in

    @Test(arguments: [
        ("POST", "/api/v1/account/email", #"{"email":"new@example.com"}"#),
        ("POST", "/api/v1/account/phone", #"{"phone":"+5511988887777"}"#),
        ("PUT", "/api/v1/account/login", #"{"login":"maria.new"}"#),
        ("POST", "/api/v1/account/password", #"{"password":"new-password-1","password_confirmation":"new-password-1","current_password":"old-password"}"#),
        ("DELETE", "/api/v1/account/identities/google", ""),
    ])
    func sensitiveChangesNeedARecentSignIn(method: String, path: String, body: String) async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(#"{"login":"maria","email":"maria@example.com","password":"old-password","identities":[{"provider":"google","subject":"g-1"},{"provider":"github","subject":"h-1"}]}"#)
            let stale = try await app.session(for: id, ago: 601)
            let m = HTTPRequest.Method(method)!
            let reply = try await client.call(m, path, json: body.isEmpty ? nil : body, bearer: stale)
            #expect(reply.status == .forbidden, "\(reply.text)")
            #expect(reply.errorCode == "reauthentication_required")
            let fresh = try await app.session(for: id)
            let again = try await client.call(m, path, json: body.isEmpty ? nil : body, bearer: fresh)
            #expect(again.status.code < 300, "a recent sign-in may: \(again.text)")
        }
    }

    // MARK: notices with "this wasn't me"

    @Test func unlinkingAndChangingAnAddressNotifyEveryVerifiedAddress() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(#"{"login":"maria","email":"maria@example.com","phone":"+5511999990000","password":"old-password","locale":"en","identities":[{"provider":"google","subject":"g-1"}]}"#)
            let session = try await app.session(for: id)
            #expect(try await client.call(.delete, "/api/v1/account/identities/google", bearer: session).status == .noContent)
            let mail = try await app.text(to: "maria@example.com")
            #expect(mail.contains("google") || mail.contains("Google"))
            let sms = try await app.text(to: "+5511999990000")
            #expect(RecoveryAPITests.notMe(in: sms) != nil, "the SMS carries its own not-me link")
            let notMe = try #require(RecoveryAPITests.notMe(in: mail))

            // The email changes; the old email hears of it, with its own not-me link.
            try await client.call(.post, "/api/v1/account/email", json: #"{"email":"new@example.com"}"#, bearer: session)
            let verify = try #require(ConversionAPITests.verifyToken(try await app.text(to: "new@example.com")))
            #expect(try await client.call(.post, "/api/v1/account/email/verify", json: #"{"token":"\#(verify)"}"#).status == .ok)
            let toOld = try await app.deliveries().filter { $0.to == "maria@example.com" }.map(\.text)
            let notice = try #require(toOld.first { $0.contains("n•••@example.com") }, "the old email hears where mail goes now: \(toOld)")
            #expect(RecoveryAPITests.notMe(in: notice) != nil)
            #expect(!notice.contains("ignore this message"), "a notice of a change made is not to be ignored")

            // "This wasn't me" from the first notice signs every device out.
            #expect(try await client.call(.post, "/api/v1/recovery/not-me", json: #"{"token":"\#(notMe)"}"#).status == .ok)
            #expect(try await client.call(.get, "/api/v1/session", bearer: session).status == .unauthorized)
        }
    }

    // MARK: cross-origin writes with the cookie

    @Test func cookieWritesNeedJSONAndAnAllowedOrigin() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(Self.maria)
            let token = try await app.session(for: id)
            let cookie: HTTPFields = [.cookie: "broker_session=" + token]
            let body = ByteBuffer(string: #"{"email":"attacker@evil.example"}"#)

            // fetch() with a Blob body: no Content-Type.
            let blob = try await client.call(.post, "/api/v1/account/email", headers: cookie, raw: body)
            #expect(blob.status == .unsupportedMediaType)
            #expect(blob.errorCode == "unsupported_media_type")
            var evil = cookie
            evil[.origin] = "https://evil.example"
            evil[.contentType] = "application/json"
            let cross = try await client.call(.post, "/api/v1/account/email", headers: evil, raw: body)
            #expect(cross.status == .forbidden)
            #expect(cross.errorCode == "forbidden")
            var textPlain = cookie
            textPlain[.contentType] = "text/plain"
            #expect(try await client.call(.post, "/api/v1/account/email", headers: textPlain, raw: body).status == .unsupportedMediaType)
            #expect(try await app.deliveries().isEmpty, "nothing was sent to the attacker")
            // Bodyless writes too: an unlink or a sign-out without the JSON media type changes nothing.
            #expect(try await client.call(.delete, "/api/v1/account/identities/github", headers: cookie).status == .unsupportedMediaType)
            #expect(try await client.call(.post, "/api/v1/logout", headers: cookie).status == .unsupportedMediaType)
            #expect(try await client.call(.get, "/api/v1/session", headers: cookie).status == .ok, "still signed in")

            // The broker's own origin, or none, with JSON: allowed.
            var own = cookie
            own[.origin] = "http://127.0.0.1:8080"
            own[.contentType] = "application/json"
            #expect(try await client.call(.post, "/api/v1/account/email", headers: own, raw: body).status == .accepted)
            // A bearer token is no ambient credential: the origin rule does not apply.
            var bearer: HTTPFields = [.origin: "https://evil.example"]
            bearer[.contentType] = "application/json"
            app.clock.advance(seconds: 61)
            #expect(try await client.call(.put, "/api/v1/account/login", json: #"{"login":"maria2"}"#, bearer: token, headers: bearer).status == .ok)
        }
    }

    /// A form's CSRF value must be one the broker signed: a made-up value planted as a cookie
    /// never passes, nor does a form posted from another origin. `Origin: null` is what a
    /// browser sends from the broker's own pages (Referrer-Policy: no-referrer), so the token
    /// decides then. Outside dev_mode the cookie is `__Host-` prefixed, which no sibling
    /// subdomain or plain-http page can set.
    @Test func formsRefuseCSRFValuesTheBrokerDidNotSign() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(Self.maria)
            let session = "broker_session=" + (try await app.session(for: id))
            func post(csrf: String, cookies: String, origin: String? = nil) async throws -> HTTPResponse.Status {
                var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: cookies]
                if let origin { headers[.origin] = origin }
                return try await client.call(.post, "/account/login", headers: headers, raw: ByteBuffer(string: "csrf=\(csrf)&login=pwned")).status
            }
            // Planted: any value, equal in cookie and field.
            #expect(try await post(csrf: "x", cookies: session + "; broker_csrf=x") == .forbidden)
            let planted = String(repeating: "A", count: 75)
            #expect(try await post(csrf: planted, cookies: session + "; broker_csrf=" + planted) == .forbidden)
            // The page's own value, posted from another origin.
            let page = try await client.call(.get, "/account", headers: [.cookie: session])
            let value = try #require(RecoveryPagesTests.csrf(in: page.text))
            let cookies = session + "; broker_csrf=" + value
            #expect(try await post(csrf: value, cookies: cookies, origin: "https://evil.example") == .forbidden)
            #expect(try await client.call(.get, "/api/v1/account", bearer: String(session.dropFirst("broker_session=".count))).account["login"] as? String == "maria")
            // And the real thing passes: from the broker's own origin, or as its own pages post (Origin: null).
            #expect(try await post(csrf: value, cookies: cookies, origin: "null") == .seeOther)
            #expect(try await post(csrf: value, cookies: cookies, origin: "http://127.0.0.1:8080") == .seeOther)
        }
        let secure = try await AppHarness(devMode: false)
        try await secure.test { client in
            let page = try await client.call(.get, "/signin")
            let cookie = try #require(page.setCookie.split(separator: "\n").first { $0.hasPrefix("__Host-broker_csrf=") })
            #expect(cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain="))
            // The same value under the plain name, as a sibling could plant it: refused.
            let value = try #require(RecoveryPagesTests.csrf(in: page.text))
            let planted = try await client.call(.post, "/signin", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "broker_csrf=" + value],
                                                raw: ByteBuffer(string: "csrf=\(value)&login=maria&password=x"))
            #expect(planted.status == .forbidden)
        }
    }

    // MARK: answers that could tell accounts apart

    /// `/recovery/code` answers a known and an unknown phone with the same sequence.
    @Test func codeAnswersForKnownAndUnknownPhonesAreTheSame() async throws {
        let app = try await AppHarness(extraYAML: "recovery:\n  code_max_attempts: 4\n")
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            func sequence(_ phone: String) async throws -> [String] {
                try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"\#(phone)"}"#)
                var answers: [String] = []
                for _ in 0..<6 {
                    let r = try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"\#(phone)","code":"000000"}"#)
                    answers.append("\(r.status.code) \(r.errorCode ?? "")")
                }
                return answers
            }
            let known = try await sequence("+5511999990000")
            let unknown = try await sequence("+5511900000000")
            #expect(known == unknown)
            #expect(known.prefix(3).allSatisfy { $0 == "400 invalid_code" }, "\(known)")
            #expect(known[3] == "429 too_many_attempts", "\(known)")
        }
    }

    /// `n` wrong codes for `identifier` on `/recovery/code`, one at a time: each answer's status and error code.
    static func wrongCodes(_ client: any TestClientProtocol, _ identifier: String, _ n: Int) async throws -> [String] {
        var answers: [String] = []
        for _ in 0..<n {
            let r = try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"\#(identifier)","code":"000000"}"#)
            answers.append("\(r.status.code) \(r.errorCode ?? "")")
        }
        return answers
    }

    /// Past a code's lifetime, and after a code is used up, a known phone and an unknown one
    /// still answer alike: `code_expired`, then 429 for as long as a used-up code is kept.
    @Test func codeAnswersAfterExpiryAndUseAreTheSameForKnownAndUnknownPhones() async throws {
        let app = try await AppHarness(extraYAML: "recovery: { code_ttl_seconds: 60, code_max_attempts: 2, resend_cooldown_seconds: 0 }",
                                       environment: ["BROKER_RATE_LIMITS_WINDOW_SECONDS": "30", "BROKER_RATE_LIMITS_LOGIN_PER_ACCOUNT": "100"])
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            func ask(_ phone: String) async throws {
                #expect(try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"\#(phone)"}"#).status == .accepted)
            }
            func tries(_ identifier: String, _ n: Int) async throws -> [String] { try await Self.wrongCodes(client, identifier, n) }
            let known = "+5511999990000", unknown = "+5511900000000"
            // A code left alone past its lifetime.
            try await ask(known)
            try await ask(unknown)
            app.clock.advance(seconds: 61)
            let expired = try await (tries(known, 1), tries(unknown, 1))
            #expect(expired.0 == ["410 code_expired"] && expired.1 == expired.0, "\(expired)")
            // A new code used up, then past its lifetime: dead, alike, until it is no longer kept.
            try await ask(known)
            try await ask(unknown)
            let usedUp = try await (tries(known, 3), tries(unknown, 3))
            #expect(usedUp.0 == ["400 invalid_code", "429 too_many_attempts", "429 too_many_attempts"] && usedUp.1 == usedUp.0, "\(usedUp)")
            app.clock.advance(seconds: 61)
            let later = try await (tries(known, 1), tries(unknown, 1))
            #expect(later.0 == ["429 too_many_attempts"] && later.1 == later.0, "\(later)")
            app.clock.advance(seconds: 86_400)
            let gone = try await (tries(known, 1), tries(unknown, 1))
            #expect(gone.0 == ["400 invalid_code"] && gone.1 == gone.0, "\(gone)")
        }
    }

    /// Whatever was asked for, by whichever identifier and channel, a known identifier's tries on
    /// `/recovery/code` answer as an unknown one's; and trying a code asked through one identifier
    /// of an account with another of its identifiers tells nothing of the account either.
    @Test func codeAnswersTellNothingWhateverWasAskedBefore() async throws {
        let app = try await AppHarness(extraYAML: "recovery: { code_ttl_seconds: 60, code_max_attempts: 3, resend_cooldown_seconds: 0 }",
                                       environment: ["BROKER_RATE_LIMITS_LOGIN_PER_ACCOUNT": "1000", "BROKER_RATE_LIMITS_SEND_PER_IDENTIFIER": "1000"])
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)  // login maria, maria@example.com, +5511999990000
            func ask(_ identifier: String, _ channel: String? = nil) async throws {
                let body = channel.map { #"{"identifier":"\#(identifier)","channel":"\#($0)"}"# } ?? #"{"identifier":"\#(identifier)"}"#
                #expect(try await client.call(.post, "/api/v1/recovery", json: body).status == .accepted)
            }
            func tries(_ identifier: String, _ n: Int) async throws -> [String] { try await Self.wrongCodes(client, identifier, n) }
            // Tries with nothing asked, then a request by email: each starts over alike.
            let idle = try await (tries("maria@example.com", 3), tries("nobody@example.com", 3))
            #expect(idle.0 == idle.1 && idle.0.last == "429 too_many_attempts", "\(idle)")
            try await ask("maria@example.com")
            try await ask("nobody@example.com")
            let after = try await (tries("maria@example.com", 1), tries("nobody@example.com", 1))
            #expect(after.0 == ["400 invalid_code"] && after.1 == after.0, "\(after)")
            // A code sent to maria's phone through her login name is not the phone's to try.
            try await ask("maria", "sms")
            let other = try await (tries("+5511999990000", 2), tries("+5511900000000", 2))
            #expect(other.0 == other.1, "\(other)")
            // A login name whose account has only a phone, and one no account has: alike, expired too.
            try await ask("maria", "sms")
            try await ask("nobody", "sms")
            app.clock.advance(seconds: 61)
            let expired = try await (tries("maria", 1), tries("nobody", 1))
            #expect(expired.0 == ["410 code_expired"] && expired.1 == expired.0, "\(expired)")
            // An SMS code tried once, then replaced by a link: the tries left are the same.
            try await ask("+5511999990000", "sms")
            try await ask("+5511900000000", "sms")
            _ = try await (tries("+5511999990000", 1), tries("+5511900000000", 1))
            try await ask("+5511999990000", "email")
            try await ask("+5511900000000", "email")
            let replaced = try await (tries("+5511999990000", 3), tries("+5511900000000", 3))
            #expect(replaced.0 == replaced.1, "\(replaced)")
        }
    }

    /// Of any number of tries at once, at most `code_max_attempts` are compared with the code:
    /// the right code among twenty racing wrong ones is refused unless it is among the first,
    /// and a known phone and an unknown one get the same count of each answer.
    @Test func racingTriesCheckNoMoreThanTheCodeAllows() async throws {
        let app = try await AppHarness(extraYAML: "recovery: { code_max_attempts: 3 }",
                                       environment: ["BROKER_RATE_LIMITS_LOGIN_PER_ACCOUNT": "1000", "BROKER_RATE_LIMITS_LOGIN_PER_ADDRESS": "1000"])
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            func race(_ phone: String) async throws -> [String: Int] {
                #expect(try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"\#(phone)"}"#).status == .accepted)
                return try await withThrowingTaskGroup(of: String.self) { group in
                    for i in 0..<20 {
                        group.addTask {
                            let code = String(format: "%06d", 100_000 + i)
                            let r = try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"\#(phone)","code":"\#(code)"}"#)
                            return "\(r.status.code) \(r.errorCode ?? "")"
                        }
                    }
                    return try await group.reduce(into: [:]) { $0[$1, default: 0] += 1 }
                }
            }
            let known = try await race("+5511999990000")
            let unknown = try await race("+5511900000000")
            #expect(known == ["400 invalid_code": 2, "429 too_many_attempts": 18], "\(known)")
            #expect(unknown == known)
            // The right code now finds the code dead.
            let code = try #require(RecoveryAPITests.code(in: try await app.text(to: "+5511999990000")))
            #expect(try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"+5511999990000","code":"\#(code)"}"#).status == .tooManyRequests)
        }
    }

    /// What is no login name, email or phone is a bad request on every route, never a lookup.
    @Test func malformedIdentifiersAreBadRequestsOnEveryRoute() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            for bad in ["++5511999990000", "+05511999990000", "+1234567890123456", "+55 11 99999x0000"] {
                let login = try await client.call(.post, "/api/v1/login", json: #"{"login":"\#(bad)","password":"whatever-1"}"#)
                #expect(login.status == .badRequest && login.errorCode == "invalid_request", "login \(bad)")
                let code = try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"\#(bad)","code":"123456"}"#)
                #expect(code.status == .badRequest && code.errorCode == "invalid_request", "code \(bad)")
            }
        }
    }

    /// New codes buy no guesses beyond login_per_account (3 in the harness).
    @Test func newCodesBuyNoGuessesBeyondTheSignInLimit() async throws {
        let app = try await AppHarness(extraYAML: "recovery:\n  resend_cooldown_seconds: 0\n  code_max_attempts: 2\n")
        try await app.test { client in
            _ = try await client.createAccount(Self.maria)
            var statuses: [Int] = []
            for _ in 0..<3 {
                try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"+5511999990000"}"#)
                for _ in 0..<2 {
                    statuses.append(try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"+5511999990000","code":"000000"}"#).status.code)
                }
            }
            #expect(statuses.filter { $0 == 400 }.count <= 3, "no more wrong codes checked than login_per_account: \(statuses)")
            // Even the right code is refused now: the account is locked for the window.
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"+5511999990000"}"#)
            let code = try #require(RecoveryAPITests.code(in: try await app.text(to: "+5511999990000")))
            #expect(try await client.call(.post, "/api/v1/recovery/code", json: #"{"identifier":"+5511999990000","code":"\#(code)"}"#).status == .tooManyRequests)
            // And so is the password: wrong codes are sign-in failures of the account.
            #expect(try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"old-password"}"#).status == .tooManyRequests)
        }
    }

    /// Attaching another account's email answers, on attach and on every verify, as a free one does.
    @Test func attachingATakenEmailAnswersLikeAFreeOne() async throws {
        let app = try await AppHarness(extraYAML: "recovery:\n  code_max_attempts: 3\n", environment: ["BROKER_RATE_LIMITS_LOGIN_PER_ACCOUNT": "50"])
        try await app.test { client in
            _ = try await client.createAccount(#"{"email":"taken@example.com","password":"old-password"}"#)
            func sequence(_ email: String) async throws -> [String] {
                let id = try await client.createAccount(#"{"identities":[{"provider":"google","subject":"\#(email)"}]}"#)
                let session = try await app.session(for: id)
                let attach = try await client.call(.post, "/api/v1/account/email", json: #"{"email":"\#(email)"}"#, bearer: session)
                var answers = ["\(attach.status.code) \(attach.text)"]
                for _ in 0..<4 {
                    let r = try await client.call(.post, "/api/v1/account/email/verify", json: #"{"token":"000000"}"#, bearer: session)
                    answers.append("\(r.status.code) \(r.errorCode ?? "")")
                }
                let link = try await client.call(.post, "/api/v1/account/email/verify", json: #"{"token":"made-up-link-token"}"#, bearer: session)
                answers.append("\(link.status.code) \(link.errorCode ?? "")")
                return answers
            }
            let taken = try await sequence("taken@example.com")
            let free = try await sequence("free@example.com")
            #expect(taken == free)
            #expect(taken[3] == "429 too_many_attempts", "\(taken)")
            let notice = try await app.text(to: "taken@example.com")
            #expect(ConversionAPITests.code(notice) == nil, "the owner is told, and gets no code")
        }
    }

    // MARK: what cannot name an account is never stored

    @Test func identifiersThatCannotNameAnAccountAreRefusedBeforeAnyLookup() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let huge = String(repeating: "a", count: 400_000)
            for _ in 0..<5 {
                let r = try await client.call(.post, "/api/v1/login", json: #"{"login":"\#(huge)","password":"whatever-1"}"#)
                #expect(r.status == .badRequest)
                #expect(r.errorCode == "invalid_request")
            }
            let limiter = app.runtime.services.ports.rateLimiter
            #expect(try await limiter.peek(key: "login:ident:login:" + huge, window: 900, now: app.clock.now()).count == 0)
            let size = try FileManager.default.attributesOfItem(atPath: app.directory.path + "/broker.sqlite")[.size] as? Int ?? 0
            #expect(size < 1_000_000, "five 400 kB logins left no 400 kB rows (\(size) bytes)")
            let recovery = try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"\#(huge)"}"#)
            #expect(recovery.status == .badRequest)
        }
    }

    @Test func requestLogsNeverCarryQueryValues() {
        #expect(RequestLogMiddleware.redacted(path: "/recover/reset", query: "SECRETTOKEN") == "/recover/reset?<redacted>")
        #expect(RequestLogMiddleware.redacted(path: "/x", query: "lang=en&SECRET&=v") == "/x?lang=<redacted>&<redacted>&=<redacted>")
        #expect(RequestLogMiddleware.redacted(path: "/recover/reset", query: "token=abc123&return_to=https%3A%2F%2Fx") ==
                "/recover/reset?token=<redacted>&return_to=<redacted>")
        #expect(RequestLogMiddleware.redacted(path: "/auth/google/callback", query: "code=c0de&state=st4te") ==
                "/auth/google/callback?code=<redacted>&state=<redacted>")
        #expect(RequestLogMiddleware.redacted(path: "/health/live", query: nil) == "/health/live")
        #expect(!RequestLogMiddleware.redacted(path: "/x", query: "se%63ret=1&a b=2").contains("secret"), "odd names are not echoed either")
    }
}
