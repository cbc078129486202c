import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Admin API")
struct AdminAPITests {
    @Test func everyAdminRouteNeedsAnAdminToken() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let routes: [(HTTPRequest.Method, String)] = [
                (.post, "/api/v1/admin/accounts"), (.get, "/api/v1/admin/accounts"), (.get, "/api/v1/admin/accounts/x"),
                (.patch, "/api/v1/admin/accounts/x"), (.delete, "/api/v1/admin/accounts/x"), (.post, "/api/v1/admin/accounts/x/password"),
                (.post, "/api/v1/admin/accounts/x/recovery"), (.post, "/api/v1/admin/accounts/x/identities"),
                (.delete, "/api/v1/admin/accounts/x/identities/google/1"),
            ]
            for (method, uri) in routes {
                for bearer in [nil, "wrong-token", AppHarness.adminToken + "x"] {
                    let reply = try await client.call(method, uri, json: "{}", bearer: bearer)
                    #expect(reply.status == .unauthorized, "\(method) \(uri)")
                    #expect(reply.errorCode == "unauthenticated")
                }
            }
        }
    }

    @Test func createShowsTheContractObject() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let reply = try await client.admin(.post, "/api/v1/admin/accounts", json: #"{"email":" Ana@Example.com ","identities":[{"provider":"google","subject":"g-1","email":"ana@gmail.com"}]}"#)
            #expect(reply.status == .created)
            let a = reply.json
            #expect(a["email"] as? String == "ana@example.com")
            #expect(a["email_verified"] as? Bool == true)
            #expect(a["login"] is NSNull)
            #expect(a["phone"] is NSNull)
            #expect(a["phone_verified"] as? Bool == false)
            #expect(a["has_password"] as? Bool == false)
            #expect(a["state"] as? String == "active")
            #expect(a["locale"] as? String == "en")
            #expect((a["identities"] as? [[String: Any]])?.first?["subject"] as? String == "g-1")
            #expect((a["created_at"] as? String)?.hasSuffix("Z") == true)
            #expect(Set(a.keys) == ["id", "login", "email", "email_verified", "phone", "phone_verified", "has_password", "state", "locale", "identities", "created_at"])
        }
    }

    @Test func createRefusalsAndConflicts() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            _ = try await client.createAccount(#"{"login":"maria","email":"m@example.com","phone":"+5511999990000"}"#)
            for (json, field) in [
                (#"{"login":"MARIA"}"#, "login"), (#"{"email":"M@example.com"}"#, "email"), (#"{"phone":"+55 11 99999-0000"}"#, "phone"),
            ] {
                let reply = try await client.admin(.post, "/api/v1/admin/accounts", json: json)
                #expect(reply.status == .conflict)
                #expect(reply.errorCode == "conflict")
                #expect(reply.errorField == field)
            }
            for (json, field) in [
                (#"{"email":"not-an-email"}"#, "email"), (#"{"phone":"0800 123"}"#, "phone"), (#"{"login":"a b"}"#, "login"),
                (#"{"login":"okname","locale":"ja"}"#, "locale"), (#"{"login":"admin"}"#, "login"),
                (#"{"identities":[{"provider":"nope","subject":"1"}]}"#, "identities[0].provider"),
            ] {
                let reply = try await client.admin(.post, "/api/v1/admin/accounts", json: json)
                #expect(reply.status == .badRequest, "\(json)")
                #expect(reply.errorCode == "invalid_request")
                #expect(reply.errorField == field, "\(json)")
            }
            let weak = try await client.admin(.post, "/api/v1/admin/accounts", json: #"{"login":"weakling","password":"short"}"#)
            #expect(weak.errorCode == "weak_password")
            #expect((try await client.admin(.get, "/api/v1/admin/accounts?q=weakling").json["accounts"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func searchGetPatchDelete() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(#"{"login":"joao.silva","email":"joao@corp.example","password":"first-password"}"#)
            _ = try await client.createAccount(#"{"login":"other","email":"other@else.example"}"#)
            let found = try #require(try await client.admin(.get, "/api/v1/admin/accounts?q=corp.example").json["accounts"] as? [[String: Any]])
            #expect(found.map { $0["id"] as? String } == [id])
            #expect((try await client.admin(.get, "/api/v1/admin/accounts").json["accounts"] as? [Any])?.count == 2)
            #expect(try await client.admin(.get, "/api/v1/admin/accounts/\(id)").json["login"] as? String == "joao.silva")
            let missing = try await client.admin(.get, "/api/v1/admin/accounts/nope")
            #expect(missing.status == .notFound)
            #expect(missing.errorCode == "not_found")

            // The dismissed employee: a new email for the account, the old one no longer signs in.
            let patched = try await client.admin(.patch, "/api/v1/admin/accounts/\(id)", json: #"{"email":"joao.successor@corp.example","phone":null}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["email"] as? String == "joao.successor@corp.example")
            #expect(patched.json["email_verified"] as? Bool == true)
            #expect(try await client.call(.post, "/api/v1/login", json: #"{"login":"joao@corp.example","password":"first-password"}"#).status == .unauthorized)
            #expect(try await client.call(.post, "/api/v1/login", json: #"{"login":"joao.successor@corp.example","password":"first-password"}"#).status == .ok)

            let unverified = try await client.admin(.patch, "/api/v1/admin/accounts/\(id)", json: #"{"phone":"+351 912 345 678","phone_verified":false}"#)
            #expect(unverified.json["phone"] as? String == "+351912345678")
            #expect(unverified.json["phone_verified"] as? Bool == false)
            // Found as people write phones, whole or in part.
            for q in ["%2B351%20912%20345%20678", "912-345-678", "(351)%20912.345.678"] {
                let hits = try await client.admin(.get, "/api/v1/admin/accounts?q=\(q)").json["accounts"] as? [[String: Any]]
                #expect(hits?.map { $0["id"] as? String } == [id], "\(q)")
            }
            // A login name of digits and dots is still found as typed.
            let dotted = try await client.createAccount(#"{"login":"2024.01"}"#)
            let byLogin = try await client.admin(.get, "/api/v1/admin/accounts?q=2024.01").json["accounts"] as? [[String: Any]]
            #expect(byLogin?.map { $0["id"] as? String } == [dotted])
            // Setting the same address again is setting it: it now counts as verified.
            let again = try await client.admin(.patch, "/api/v1/admin/accounts/\(id)", json: #"{"phone":"+351-912-345-678"}"#)
            #expect(again.json["phone_verified"] as? Bool == true)
            #expect(try await client.admin(.patch, "/api/v1/admin/accounts/\(id)", json: #"{"email":"other@else.example"}"#).status == .conflict)
            #expect(try await client.admin(.patch, "/api/v1/admin/accounts/\(id)", json: #"{"state":"gone"}"#).errorField == "state")
            #expect(try await client.admin(.patch, "/api/v1/admin/accounts/\(id)", json: #"{"password":"x"}"#).errorField == "password")
            #expect(try await client.admin(.patch, "/api/v1/admin/accounts/nope", json: #"{"state":"blocked"}"#).status == .notFound)

            #expect(try await client.admin(.delete, "/api/v1/admin/accounts/\(id)").status == .noContent)
            #expect(try await client.admin(.delete, "/api/v1/admin/accounts/\(id)").status == .notFound)
            #expect(try await client.admin(.get, "/api/v1/admin/accounts/\(id)").status == .notFound)
        }
    }

    @Test func passwordResetByAdminRevokesSessions() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(#"{"login":"maria","password":"first-password"}"#)
            let login = try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"first-password"}"#)
            let token = try #require((login.json["session"] as? [String: Any])?["token"] as? String)
            #expect(try await client.admin(.post, "/api/v1/admin/accounts/\(id)/password", json: #"{"password":"second-password"}"#).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/session", bearer: token).status == .unauthorized)
            #expect(try await client.call(.post, "/api/v1/login", json: #"{"login":"maria","password":"second-password"}"#).status == .ok)
            #expect(try await client.admin(.post, "/api/v1/admin/accounts/\(id)/password", json: #"{"password":"2short"}"#).errorCode == "weak_password")
            #expect(try await client.admin(.post, "/api/v1/admin/accounts/nope/password", json: #"{"password":"second-password"}"#).status == .notFound)
        }
    }

    @Test func identitiesLinkAndUnlink() async throws {
        let app = try await AppHarness()
        try await app.test { client in
            let id = try await client.createAccount(#"{"login":"maria"}"#)
            let other = try await client.createAccount(#"{"login":"other"}"#)
            let linked = try await client.admin(.post, "/api/v1/admin/accounts/\(id)/identities", json: #"{"provider":"github","subject":"42"}"#)
            #expect(linked.status == .created)
            #expect((linked.json["identities"] as? [[String: Any]])?.count == 1)
            let taken = try await client.admin(.post, "/api/v1/admin/accounts/\(other)/identities", json: #"{"provider":"github","subject":"42"}"#)
            #expect(taken.status == .conflict)
            #expect(taken.errorField == "identity")
            #expect(try await client.admin(.post, "/api/v1/admin/accounts/\(id)/identities", json: #"{"provider":"orkut","subject":"1"}"#).status == .badRequest)
            #expect(try await client.admin(.delete, "/api/v1/admin/accounts/\(id)/identities/github/43").status == .notFound)
            #expect(try await client.admin(.delete, "/api/v1/admin/accounts/\(id)/identities/github/42").status == .noContent)
            #expect((try await client.admin(.get, "/api/v1/admin/accounts/\(id)").json["identities"] as? [Any])?.isEmpty == true)
        }
    }
}
