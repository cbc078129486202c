import BrokerCore
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The broker as an OpenID Connect provider, through the real application: discovery, the code
/// flow with PKCE, the token endpoint's refusals, refresh rotation, userinfo and logout.
@Suite("Apps: OpenID Connect provider")
struct AppsOIDCTests {
    static let apps = """
        apps:
          - client_id: shop
            client_secret: shop-secret-0123456789
            name: Shop
            redirect_uris: [https://shop.example.com/oidc/callback]
            post_logout_redirect_uris: [https://shop.example.com/]
          - client_id: spa.app
            name: Single page
            redirect_uris: [https://spa.example.com/cb]
        """
    static let verifier = "verifier-" + String(repeating: "x", count: 40)
    static var challenge: String { Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncoded() }
    static let basic = "Basic " + Data("shop:shop-secret-0123456789".utf8).base64EncodedString()
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    static func authorizeURI(client: String = "shop", redirect: String = "https://shop.example.com/oidc/callback",
                             scope: String = "openid+email+offline_access", extra: String = "") -> String {
        "/oauth2/authorize?response_type=code&client_id=\(client)&redirect_uri=\(redirect.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
            + "&scope=\(scope)&state=st%2Bate&nonce=n-123&code_challenge=\(challenge)&code_challenge_method=S256" + extra
    }

    /// The query of a redirect's Location.
    static func query(_ reply: Reply) -> [String: String] {
        let location = reply.headers[.location] ?? ""
        return Dictionary((URLComponents(string: location)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
    }

    static func claims(ofJWT token: String) -> [String: Any] {
        let part = token.split(separator: ".").dropFirst().first.map(String.init) ?? ""
        var b64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        return (Data(base64Encoded: b64).flatMap { try? JSONSerialization.jsonObject(with: $0) } as? [String: Any]) ?? [:]
    }

    /// A signed-in account and a code for it.
    static func code(_ app: AppHarness, _ client: any TestClientProtocol) async throws -> (code: String, session: String, account: String) {
        let account = try await client.createAccount(RecoveryAPITests.maria)
        let session = try await app.session(for: account, provider: "google")
        let reply = try await client.call(.get, authorizeURI(), headers: [.cookie: "broker_session=" + session])
        #expect(reply.status == .found)
        let q = query(reply)
        #expect(reply.headers[.location]?.hasPrefix("https://shop.example.com/oidc/callback?") == true)
        #expect(q["state"] == "st+ate")
        #expect(q["iss"] == app.runtime.config.server.publicURL)
        return (try #require(q["code"]), session, account)
    }

    static func exchange(_ client: any TestClientProtocol, code: String, verifier: String = verifier, auth: String? = basic) async throws -> Reply {
        var headers = form
        if let auth { headers[.authorization] = auth }
        let body = "grant_type=authorization_code&code=\(code)&redirect_uri=https%3A%2F%2Fshop.example.com%2Foidc%2Fcallback&code_verifier=\(verifier)"
        return try await client.call(.post, "/oauth2/token", headers: headers, raw: ByteBuffer(string: body))
    }

    @Test func discoveryNamesTheEndpoints() async throws {
        let app = try await AppHarness(extraYAML: Self.apps)
        try await app.test { client in
            let doc = try await client.call(.get, "/.well-known/openid-configuration").json
            let issuer = app.runtime.config.server.publicURL
            #expect(doc["issuer"] as? String == issuer)
            #expect(doc["authorization_endpoint"] as? String == issuer + "/oauth2/authorize")
            #expect(doc["token_endpoint"] as? String == issuer + "/oauth2/token")
            #expect(doc["jwks_uri"] as? String == issuer + "/oauth2/jwks")
            #expect(doc["response_types_supported"] as? [String] == ["code"])
            #expect(doc["code_challenge_methods_supported"] as? [String] == ["S256"])
            #expect((doc["id_token_signing_alg_values_supported"] as? [String])?.contains("RS256") == true)
            #expect(doc["token_endpoint_auth_methods_supported"] as? [String] == ["client_secret_basic", "client_secret_post", "none"])
            let keys = try await client.call(.get, "/oauth2/jwks").json["keys"] as? [[String: Any]]
            #expect(keys?.count == 1)
            #expect(keys?.first?["kty"] as? String == "RSA")
        }
    }

    @Test func aSignedInBrowserGetsACodeAndTheCodeGetsTokens() async throws {
        let app = try await AppHarness(extraYAML: Self.apps)
        try await app.test { client in
            let (code, _, account) = try await Self.code(app, client)
            let reply = try await Self.exchange(client, code: code)
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.headers[.cacheControl] == "no-store")
            let tokens = reply.json
            #expect(tokens["token_type"] as? String == "Bearer")
            #expect(tokens["expires_in"] as? Int == 600)
            #expect(tokens["refresh_token"] is String)
            let claims = Self.claims(ofJWT: try #require(tokens["id_token"] as? String))
            #expect(claims["sub"] as? String == account)
            #expect(claims["aud"] as? String == "shop")
            #expect(claims["nonce"] as? String == "n-123")
            #expect(claims["amr"] as? [String] == ["fed"])
            #expect(claims["email"] as? String == "maria@example.com")
            let info = try await client.call(.get, "/oauth2/userinfo", bearer: tokens["access_token"] as? String)
            #expect(info.status == .ok)
            #expect(info.json["sub"] as? String == account)
            #expect(info.json["email"] as? String == "maria@example.com")
            #expect(info.json["phone_number"] == nil, "no phone scope was asked")

            // A second use of the code fails and ends what the first use got.
            let replay = try await Self.exchange(client, code: code)
            #expect(replay.status == .badRequest)
            #expect(replay.json["error"] as? String == "invalid_grant")
            let dead = try await client.call(.get, "/oauth2/userinfo", bearer: tokens["access_token"] as? String)
            #expect(dead.status == .unauthorized)
            #expect(dead.headers[.wwwAuthenticate]?.contains("error=\"invalid_token\"") == true)
        }
    }

    @Test func theTokenEndpointRefusesWhatDoesNotMatch() async throws {
        let app = try await AppHarness(extraYAML: Self.apps)
        try await app.test { client in
            let (code, _, _) = try await Self.code(app, client)
            let wrongSecret = try await Self.exchange(client, code: code, auth: "Basic " + Data("shop:nope".utf8).base64EncodedString())
            #expect(wrongSecret.status == .unauthorized)
            #expect(wrongSecret.json["error"] as? String == "invalid_client")
            let noSecret = try await Self.exchange(client, code: code, auth: nil)
            #expect(noSecret.status == .unauthorized)
            let wrongVerifier = try await Self.exchange(client, code: code, verifier: String(repeating: "y", count: 50))
            #expect(wrongVerifier.json["error"] as? String == "invalid_grant")
            let unsupported = try await client.call(.post, "/oauth2/token", headers: Self.form.merging([.authorization: Self.basic]),
                                                    raw: ByteBuffer(string: "grant_type=password&username=a&password=b"))
            #expect(unsupported.json["error"] as? String == "unsupported_grant_type")
            let json = try await client.call(.post, "/oauth2/token", json: #"{"grant_type":"authorization_code"}"#)
            #expect(json.json["error"] as? String == "invalid_request")
        }
    }

    @Test func browserAppsOnARegisteredOriginMayCallTheJSONEndpoints() async throws {
        let app = try await AppHarness(extraYAML: Self.apps)
        try await app.test { client in
            let preflight = try await client.call(.options, "/oauth2/token", headers: [.origin: "https://spa.example.com"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://spa.example.com")
            #expect(preflight.headers[.accessControlAllowCredentials] == nil)
            let jwks = try await client.call(.get, "/oauth2/jwks", headers: [.origin: "https://spa.example.com"])
            #expect(jwks.headers[.accessControlAllowOrigin] == "https://spa.example.com")
            let stranger = try await client.call(.get, "/oauth2/jwks", headers: [.origin: "https://evil.example.com"])
            #expect(stranger.headers[.accessControlAllowOrigin] == nil)
            let elsewhere = try await client.call(.get, "/api/v1/session", headers: [.origin: "https://spa.example.com"])
            #expect(elsewhere.headers[.accessControlAllowOrigin] == nil, "only the OpenID Connect endpoints")
        }
    }

    @Test func codesExpireAfterAMinute() async throws {
        let app = try await AppHarness(extraYAML: Self.apps)
        try await app.test { client in
            let (code, _, _) = try await Self.code(app, client)
            app.clock.advance(seconds: 61)
            let late = try await Self.exchange(client, code: code)
            #expect(late.json["error"] as? String == "invalid_grant")
        }
    }

    @Test func requestsThatCannotBeRedirectedGetAPage() async throws {
        let app = try await AppHarness(extraYAML: Self.apps)
        try await app.test { client in
            for uri in [Self.authorizeURI(redirect: "https://evil.example.com/cb"), Self.authorizeURI(client: "nobody"),
                        Self.authorizeURI(redirect: "https://shop.example.com/oidc/callback/other")] {
                let reply = try await client.call(.get, uri)
                #expect(reply.status == .badRequest, "\(uri)")
                #expect(reply.headers[.location] == nil)
                #expect(reply.headers[.contentType]?.hasPrefix("text/html") == true)
            }
            // Other mistakes go back to the app, with state and iss.
            let noOpenID = try await client.call(.get, Self.authorizeURI(scope: "email"))
            #expect(Self.query(noOpenID)["error"] == "invalid_scope")
            #expect(Self.query(noOpenID)["state"] == "st+ate")
            let publicWithoutPKCE = try await client.call(
                .get, "/oauth2/authorize?response_type=code&client_id=spa.app&redirect_uri=https%3A%2F%2Fspa.example.com%2Fcb&scope=openid&state=s")
            #expect(publicWithoutPKCE.status == .found)
            #expect(Self.query(publicWithoutPKCE)["error"] == "invalid_request")
            let token = try await client.call(.get, Self.authorizeURI().replacingOccurrences(of: "response_type=code", with: "response_type=token"))
            #expect(Self.query(token)["error"] == "unsupported_response_type")
            let none = try await client.call(.get, Self.authorizeURI(extra: "&prompt=none"))
            #expect(Self.query(none)["error"] == "login_required")
            #expect(Self.query(none)["iss"] == app.runtime.config.server.publicURL)
        }
    }

    @Test func withoutASessionTheSignInPageNamesTheAppAndComesBack() async throws {
        let app = try await AppHarness(extraYAML: Self.apps)
        try await app.test { client in
            _ = try await client.createAccount(RecoveryAPITests.maria)
            let first = try await client.call(.get, Self.authorizeURI(extra: "&ui_locales=pt-BR"))
            #expect(first.status == .found)
            let location = try #require(first.headers[.location])
            #expect(location.hasPrefix("/signin?"))
            let back = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "return_to" }?.value)
            #expect(back.hasPrefix(app.runtime.config.server.publicURL + "/oauth2/authorize?"))
            let page = try await client.call(.get, location)
            #expect(page.text.contains("Entrar em Shop"))
            // Giving up goes back to the app (access_denied there), never round to this page again.
            #expect(page.text.contains("href=\"" + back.replacingOccurrences(of: "&", with: "&amp;") + "&amp;broker_cancel=1\""))
            let gaveUp = try await client.call(.get, String(back.dropFirst(app.runtime.config.server.publicURL.count)) + "&broker_cancel=1")
            #expect(Self.query(gaveUp)["error"] == "access_denied")
            #expect(Self.query(gaveUp)["state"] == "st+ate")
            let csrf = try #require(RecoveryPagesTests.csrf(in: page.text))
            let csrfCookie = try #require(RecoveryPagesTests.cookie(page))
            let body = "csrf=\(csrf)&login=maria%40example.com&password=old-password&return_to=" + AppAuthorizationRequest.encode(back)
            let signedIn = try await client.call(.post, "/signin", headers: Self.form.merging([.cookie: csrfCookie]), raw: ByteBuffer(string: body))
            #expect(signedIn.status == .seeOther, "\(signedIn.text)")
            #expect(signedIn.headers[.location] == back)
            let session = try #require(signedIn.setCookie.split(separator: "\n").first { $0.hasPrefix("broker_session=") }?
                .split(separator: ";").first.map(String.init))
            let code = try await client.call(.get, String(back.dropFirst(app.runtime.config.server.publicURL.count)), headers: [.cookie: session])
            #expect(Self.query(code)["code"] != nil)
            let tokens = try await Self.exchange(client, code: try #require(Self.query(code)["code"]))
            #expect(Self.claims(ofJWT: tokens.json["id_token"] as? String ?? "")["amr"] as? [String] == ["pwd"])
        }
    }

    @Test func conversionPagesCarryTheRequestBackToTheApp() async throws {
        let app = try await AppHarness(extraYAML: Self.apps)
        try await app.test { client in
            let account = try await client.createAccount(#"{"identities":[{"provider":"google","subject":"g-1"}]}"#)
            let session = "broker_session=" + (try await app.session(for: account))
            let request = app.runtime.config.server.publicURL + Self.authorizeURI()
            let page = try await client.call(.get, "/account?return_to=" + AppAuthorizationRequest.encode(request), headers: [.cookie: session])
            let csrf = try #require(RecoveryPagesTests.csrf(in: page.text))
            let csrfCookie = try #require(RecoveryPagesTests.cookie(page))
            let saved = try await client.call(.post, "/account/login?return_to=" + AppAuthorizationRequest.encode(request),
                                              headers: Self.form.merging([.cookie: session + "; " + csrfCookie]),
                                              raw: ByteBuffer(string: "csrf=\(csrf)&login=ana.converted"))
            #expect(saved.status == .seeOther)
            let next = try #require(saved.headers[.location])
            let after = try await client.call(.get, next, headers: [.cookie: session])
            let back = try #require(after.text.range(of: #"<p class="back"><a class="button secondary" href="[^"]+""#, options: .regularExpression)
                .map { String(after.text[$0]).components(separatedBy: "href=\"")[1].dropLast().replacingOccurrences(of: "&amp;", with: "&") })
            #expect(back.hasPrefix(request) && back.hasSuffix("&broker_cancel=1"))
            let code = try await client.call(.get, String(back.dropFirst(app.runtime.config.server.publicURL.count)), headers: [.cookie: session])
            #expect(Self.query(code)["code"] != nil, "\(code.headers[.location] ?? "")")
        }
    }

    @Test func promptLoginAsksForAFreshSignIn() async throws {
        let app = try await AppHarness(extraYAML: Self.apps)
        try await app.test { client in
            let account = try await client.createAccount(RecoveryAPITests.maria)
            let session = try await app.session(for: account, ago: 5)
            let reply = try await client.call(.get, Self.authorizeURI(extra: "&prompt=login"), headers: [.cookie: "broker_session=" + session])
            #expect(reply.headers[.location]?.hasPrefix("/signin?") == true)
            #expect(reply.headers[.location]?.contains("auth_after") == true)
            let old = try await client.call(.get, Self.authorizeURI(extra: "&max_age=1"), headers: [.cookie: "broker_session=" + session])
            #expect(old.headers[.location]?.hasPrefix("/signin?") == true)
            let recent = try await client.call(.get, Self.authorizeURI(extra: "&max_age=60"), headers: [.cookie: "broker_session=" + session])
            #expect(Self.query(recent)["code"] != nil)

            // The way back carries the broker's signed marker: a sign-in made after it is fresh enough.
            let back = try #require(URLComponents(string: reply.headers[.location] ?? "")?.queryItems?.first { $0.name == "return_to" }?.value)
            let path = String(back.dropFirst(app.runtime.config.server.publicURL.count))
            let fresh = try await app.session(for: account, ago: 0)
            #expect(Self.query(try await client.call(.get, path, headers: [.cookie: "broker_session=" + fresh]))["code"] != nil)
            #expect(try await client.call(.get, path, headers: [.cookie: "broker_session=" + session]).headers[.location]?.hasPrefix("/signin?") == true,
                    "the older sign-in still is not")
            // Nobody else can add the marker to waive a fresh sign-in the app asked for.
            let marker = try #require(URLComponents(string: back)?.queryItems?.first { $0.name == "auth_after" }?.value)
            let seconds = marker.prefix { $0 != "." }
            for forged in ["0", "\(seconds)", "\(Int(seconds)! - 60).\(marker.split(separator: ".")[1])"] {
                let reply = try await client.call(.get, Self.authorizeURI(extra: "&prompt=login&auth_after=\(forged)"),
                                                  headers: [.cookie: "broker_session=" + session])
                #expect(reply.headers[.location]?.hasPrefix("/signin?") == true, "\(forged)")
            }
            // Nor move it to another request (another state).
            let moved = path.replacingOccurrences(of: "state=st%2Bate", with: "state=other")
            #expect(moved != path)
            #expect(try await client.call(.get, moved, headers: [.cookie: "broker_session=" + fresh]).headers[.location]?.hasPrefix("/signin?") == true)
        }
    }

    @Test func refreshTokensRotateAndAReuseEndsTheChain() async throws {
        let app = try await AppHarness(extraYAML: Self.apps)
        try await app.test { client in
            let (code, _, _) = try await Self.code(app, client)
            let first = try await Self.exchange(client, code: code).json
            func refresh(_ token: Any?) async throws -> Reply {
                try await client.call(.post, "/oauth2/token", headers: Self.form.merging([.authorization: Self.basic]),
                                      raw: ByteBuffer(string: "grant_type=refresh_token&refresh_token=\(token as? String ?? "")"))
            }
            let second = try await refresh(first["refresh_token"])
            #expect(second.status == .ok)
            #expect(second.json["refresh_token"] as? String != first["refresh_token"] as? String)
            let reuse = try await refresh(first["refresh_token"])
            #expect(reuse.json["error"] as? String == "invalid_grant")
            // The reuse ended the chain: the newer refresh token and its access token are dead too.
            #expect(try await refresh(second.json["refresh_token"]).json["error"] as? String == "invalid_grant")
            #expect(try await client.call(.get, "/oauth2/userinfo", bearer: second.json["access_token"] as? String).status == .unauthorized)
        }
    }

    @Test func tokensDieWithTheSessionsOnAReset() async throws {
        let app = try await AppHarness(extraYAML: Self.apps)
        try await app.test { client in
            let (code, _, _) = try await Self.code(app, client)
            let tokens = try await Self.exchange(client, code: code).json
            try await client.call(.post, "/api/v1/recovery", json: #"{"identifier":"maria@example.com"}"#)
            let token = try #require(RecoveryAPITests.link(in: try await app.text(to: "maria@example.com")))
            let reset = try await client.call(.post, "/api/v1/recovery/reset",
                                              json: #"{"token":"\#(token)","password":"new-password-1","password_confirmation":"new-password-1"}"#)
            #expect(reset.status.code < 300)
            #expect(try await client.call(.get, "/oauth2/userinfo", bearer: tokens["access_token"] as? String).status == .unauthorized)
            let refreshed = try await client.call(.post, "/oauth2/token", headers: Self.form.merging([.authorization: Self.basic]),
                                                  raw: ByteBuffer(string: "grant_type=refresh_token&refresh_token=\(tokens["refresh_token"] as? String ?? "")"))
            #expect(refreshed.json["error"] as? String == "invalid_grant")
        }
    }

    @Test func logoutEndsTheSessionAndGoesBackToTheApp() async throws {
        let app = try await AppHarness(extraYAML: Self.apps)
        try await app.test { client in
            let (code, session, _) = try await Self.code(app, client)
            let idToken = try #require(try await Self.exchange(client, code: code).json["id_token"] as? String)
            let unregistered = try await client.call(.get, "/oauth2/logout?id_token_hint=\(idToken)&post_logout_redirect_uri=https%3A%2F%2Fevil.example.com%2F",
                                                     headers: [.cookie: "broker_session=" + session])
            #expect(unregistered.status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/session", bearer: session).status == .ok)
            // Without a hint the person is asked first: a link elsewhere cannot sign them out.
            let noHint = try await client.call(.get, "/oauth2/logout", headers: [.cookie: "broker_session=" + session])
            #expect(noHint.status == .ok)
            #expect(try await client.call(.get, "/api/v1/session", bearer: session).status == .ok)
            let out = try await client.call(.get, "/oauth2/logout?id_token_hint=\(idToken)&post_logout_redirect_uri=https%3A%2F%2Fshop.example.com%2F&state=bye",
                                            headers: [.cookie: "broker_session=" + session])
            #expect(out.status == .found)
            #expect(out.headers[.location] == "https://shop.example.com/?state=bye")
            #expect(try await client.call(.get, "/api/v1/session", bearer: session).status == .unauthorized)
        }
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var copy = self
        for field in other { copy[field.name] = field.value }
        return copy
    }
}
