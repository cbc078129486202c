import BrokerCore
import Foundation
import Testing

@Suite("Bulk import")
struct AccountImporterTests {
    func importer(_ h: FlowHarness, update: Bool = false, batch: Int = 3) -> AccountImporter {
        AccountImporter(ports: h.ports, providers: h.providers, update: update, batchSize: batch,
                        hashProblem: { $0.hasPrefix("$2b$") ? nil : "unknown hash format" }, keycloak: { _ in nil })
    }

    @Test func linesAreValidatedLikeTheAdminAPI() throws {
        func parse(_ line: String) throws -> ImportRecord {
            try ImportRecord.parse(line, id: "x", now: Date(), providers: StaticProviders(), hashProblem: { $0.hasPrefix("$2b$") ? nil : "unknown hash format" }, keycloak: { _ in nil })
        }
        let ok = try parse(#"{"login":"Ana","email":" Ana@Example.COM ","phone":"+55 11 98888-7777","phone_verified":true,"created_at":"2020-01-02T03:04:05Z"}"#)
        #expect(ok.account.email == "ana@example.com")
        #expect(!ok.account.emailVerified, "a missing flag means false on import")
        #expect(ok.account.phoneVerified)
        #expect(ok.account.createdAt == Date(timeIntervalSince1970: 1_577_934_245))
        #expect(ok.keys == ["login:ana", "email:ana@example.com", "phone:+5511988887777"])
        for bad in [#"[]"#, #"{"#, #"{}"#, #"{"login":5}"#, #"{"login":"ok1","email_verified":"yes"}"#, #"{"login":"ok1","state":"gone"}"#,
                    #"{"login":"ok1","created_at":"yesterday"}"#, #"{"login":"ok1","password_hash":"md5$x"}"#, #"{"login":"ok1","password_hash":7}"#,
                    #"{"identities":[{"provider":"orkut","subject":"1"}]}"#, #"{"identities":[{"provider":"google"}]}"#,
                    #"{"password_hash":"$2b$x","identities":[{"provider":"google","subject":"1"}]}"#] {
            #expect(throws: BrokerError.self, "\(bad)") { try parse(bad) }
        }
    }

    @Test func duplicatesInTheFileAndInTheStoreAreSkipped() async throws {
        let h = FlowHarness()
        _ = try await h.admin.create(NewAccountInput(login: "existing"))
        let imp = importer(h)
        var rejects: [AccountImporter.Reject] = []
        let lines = [#"{"login":"a1x"}"#, #"{"login":"EXISTING"}"#, #"{"login":"A1X"}"#, #"{"login":"b2x"}"#, #"{"login":"c3x"}"#, "garbage"]
        for (i, line) in lines.enumerated() { rejects += try await imp.add(line, line: i + 1) }
        rejects += try await imp.finish()
        #expect(rejects.map(\.line).sorted() == [2, 3, 6])
        #expect(imp.imported == 3)
        #expect(try await h.store.account(login: "b2x") != nil)
    }

    @Test func updateMergesInsteadOfSkipping() async throws {
        let h = FlowHarness()
        let a = try await h.admin.create(NewAccountInput(login: "maria", email: "m@example.com"))
        let imp = importer(h, update: true)
        #expect(try await imp.add(#"{"email":"m@example.com","phone":"+5511977776666","identities":[{"provider":"github","subject":"9"}]}"#, line: 1).isEmpty)
        #expect(try await imp.finish().isEmpty)
        let merged = try #require(try await h.store.account(id: a.id))
        #expect(merged.login == "maria")
        #expect(merged.phone == "+5511977776666")
        #expect(merged.identities.map(\.subject) == ["9"])
        _ = try await h.admin.create(NewAccountInput(login: "other"))
        #expect(try await imp.add(#"{"login":"other","email":"m@example.com"}"#, line: 2).isEmpty)
        #expect(try await imp.finish().map(\.reason) == ["matches more than one existing account"])
    }

    /// What a line leaves out stays as it was: no unblocking, no lost locale, no lost verification.
    @Test func updateKeepsWhatTheLineLeavesOut() async throws {
        let h = FlowHarness()
        let a = try await h.admin.create(NewAccountInput(login: "maria", email: "m@example.com", locale: "pt-BR"))
        var blocked = try #require(try await h.store.account(id: a.id))
        blocked.state = .blocked
        try await h.store.commit([.updateAccount(blocked)])
        let imp = importer(h, update: true)
        #expect(try await imp.add(#"{"login":"maria","email":"m@example.com","phone":"+5511977776666"}"#, line: 1).isEmpty)
        #expect(try await imp.finish().isEmpty)
        var merged = try #require(try await h.store.account(id: a.id))
        #expect(merged.state == .blocked)
        #expect(merged.locale == "pt-BR")
        #expect(merged.emailVerified, "the same address keeps its verification")
        #expect(!merged.phoneVerified, "a new address without the flag is unverified")
        #expect(try await imp.add(#"{"login":"maria","state":"active","locale":"es","email":"new@example.com"}"#, line: 2).isEmpty)
        #expect(try await imp.finish().isEmpty)
        merged = try #require(try await h.store.account(id: a.id))
        #expect(merged.state == .active && merged.locale == "es")
        #expect(merged.email == "new@example.com" && !merged.emailVerified)
    }
}
