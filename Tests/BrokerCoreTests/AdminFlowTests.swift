import BrokerCore
import Foundation
import Testing

@Suite("Admin operations")
struct AdminFlowTests {
    @Test func createNormalisesAndVerifiesAddresses() async throws {
        let h = FlowHarness()
        let a = try await h.admin.create(NewAccountInput(login: "Ana", email: " Ana@Example.COM ", phone: "+55 (21) 98888-7777", locale: "pt"))
        #expect(a.email == "ana@example.com")
        #expect(a.emailVerified)
        #expect(a.phone == "+5521988887777")
        #expect(a.phoneVerified)
        #expect(a.locale == "pt-BR")
        #expect(!a.hasPassword)
        let b = try await h.admin.create(NewAccountInput(email: "b@example.com", emailVerified: false))
        #expect(!b.emailVerified)
        #expect(try await h.store.auditEvents(accountId: a.id, limit: 5).map(\.type) == ["account_created"])
    }

    @Test func createRefusesBadInputAndWritesNothing() async throws {
        let h = FlowHarness()
        let bad: [NewAccountInput] = [
            NewAccountInput(),
            NewAccountInput(login: "ab"),
            NewAccountInput(email: "nope"),
            NewAccountInput(phone: "0123"),
            NewAccountInput(login: "maria", locale: "xx"),
            NewAccountInput(login: "maria", password: Secret("short")),
            NewAccountInput(identities: [IdentityInput(provider: "myspace", subject: "1")]),
            NewAccountInput(identities: [IdentityInput(provider: "google", subject: " ")]),
            NewAccountInput(identities: [IdentityInput(provider: "google", subject: "1"), IdentityInput(provider: "google", subject: "1")]),
            NewAccountInput(password: Secret("long-enough-pw"), identities: [IdentityInput(provider: "google", subject: "1")]),
        ]
        for input in bad {
            await #expect(throws: BrokerError.self) { try await h.admin.create(input) }
        }
        #expect(try await h.store.searchAccounts("", limit: 100).isEmpty)
    }

    @Test func duplicatesAreConflicts() async throws {
        let h = FlowHarness()
        _ = try await h.admin.create(NewAccountInput(login: "maria", email: "m@example.com", identities: [IdentityInput(provider: "google", subject: "1")]))
        await #expect(throws: BrokerError.conflict(field: "login")) { try await h.admin.create(NewAccountInput(login: "MARIA")) }
        await #expect(throws: BrokerError.conflict(field: "email")) { try await h.admin.create(NewAccountInput(email: "M@example.com")) }
        await #expect(throws: BrokerError.conflict(field: "identity")) {
            try await h.admin.create(NewAccountInput(identities: [IdentityInput(provider: "google", subject: "1")]))
        }
    }

    @Test func patchChangesOnlyWhatIsGiven() async throws {
        let h = FlowHarness()
        let a = try await h.admin.create(NewAccountInput(login: "maria", email: "old@example.com", phone: "+5511999990000"))
        var patch = AccountPatchInput()
        patch.email = .set("New@Example.com")
        patch.phone = .clear
        let b = try await h.admin.patch(a.id, patch)
        #expect(b.email == "new@example.com")
        #expect(b.emailVerified)
        #expect(b.phone == nil)
        #expect(!b.phoneVerified)
        #expect(b.login == "maria")
        var unverified = AccountPatchInput()
        unverified.email = .set("third@example.com")
        unverified.emailVerified = false
        #expect(try await h.admin.patch(a.id, unverified).emailVerified == false)
        #expect(try await h.store.account(id: a.id)?.email == "third@example.com")
        var bad = AccountPatchInput()
        bad.state = "deleted"
        await #expect(throws: BrokerError.invalidRequest(field: "state", reason: .oneOf(["active", "blocked"]))) { try await h.admin.patch(a.id, bad) }
        await #expect(throws: BrokerError.notFound(what: "Account")) { try await h.admin.patch("missing", patch) }
    }

    @Test func passwordChangeRevokesSessions() async throws {
        let h = FlowHarness()
        let a = try await h.admin.create(NewAccountInput(login: "maria", password: Secret("first-password")))
        let flow = try await h.signIn()
        let issued = try await flow.signIn(identifier: "maria", password: Secret("first-password"), clientAddress: nil)
        try await h.admin.setPassword(a.id, Secret("second-password"))
        await #expect(throws: BrokerError.unauthenticated) { try await flow.current(token: issued.token) }
        await #expect(throws: BrokerError.invalidCredentials) {
            try await flow.signIn(identifier: "maria", password: Secret("first-password"), clientAddress: nil)
        }
        _ = try await flow.signIn(identifier: "maria", password: Secret("second-password"), clientAddress: nil)
        await #expect(throws: BrokerError.self) { try await h.admin.setPassword(a.id, Secret("short")) }
    }

    @Test func linkUnlinkAndDelete() async throws {
        let h = FlowHarness()
        let a = try await h.admin.create(NewAccountInput(login: "maria"))
        let linked = try await h.admin.link(a.id, IdentityInput(provider: "github", subject: "42", email: "M@Example.com"))
        #expect(linked.identities.first?.email == "m@example.com")
        #expect(try await h.store.account(provider: "github", subject: "42")?.id == a.id)
        await #expect(throws: BrokerError.notFound(what: "Identity")) { try await h.admin.unlink(a.id, provider: "github", subject: "43") }
        try await h.admin.unlink(a.id, provider: "github", subject: "42")
        #expect(try await h.store.account(provider: "github", subject: "42") == nil)
        h.clock.advance(seconds: 1)
        try await h.admin.delete(a.id)
        await #expect(throws: BrokerError.notFound(what: "Account")) { try await h.admin.get(a.id) }
        #expect(try await h.store.auditEvents(accountId: a.id, limit: 10).first?.type == "account_deleted", "the audit trail outlives the account")
    }
}
