import BrokerCore
import BrokerCrypto
import Foundation
import Testing

@Suite("Password sign-in")
struct SignInFlowTests {
    func seeded(_ h: FlowHarness = FlowHarness()) async throws -> (FlowHarness, Account) {
        let account = try await h.admin.create(NewAccountInput(
            login: "Maria", email: "maria@example.com", phone: "+55 11 99999-0000", password: Secret("s3cret-pass")
        ))
        return (h, account)
    }

    @Test(arguments: ["Maria", "maria", "MARIA@example.com", "+5511999990000", "+55 (11) 99999-0000", "5511999990000"])
    func signsInWithEachIdentifier(identifier: String) async throws {
        let (h, account) = try await seeded()
        let issued = try await h.signIn().signIn(identifier: identifier, password: Secret("s3cret-pass"), clientAddress: "10.0.0.1")
        #expect(issued.account.id == account.id)
        let (session, current) = try await h.signIn().current(token: issued.token)
        #expect(current.id == account.id)
        #expect(session.methods == ["password"])
        #expect(session.tokenHash == TokenHash.of(issued.token), "only the hash is stored")
    }

    @Test func wrongPasswordAndUnknownLoginAnswerAlike() async throws {
        let (h, _) = try await seeded()
        let flow = try await h.signIn()
        await #expect(throws: BrokerError.invalidCredentials) {
            try await flow.signIn(identifier: "maria", password: Secret("wrong-pass"), clientAddress: nil)
        }
        await #expect(throws: BrokerError.invalidCredentials) {
            try await flow.signIn(identifier: "nobody", password: Secret("wrong-pass"), clientAddress: nil)
        }
        // No login name, email or phone at all: a bad request, whatever the accounts.
        await #expect(throws: BrokerError.invalidRequest(field: "login", reason: .loginLength)) {
            try await flow.signIn(identifier: "x", password: Secret("wrong-pass"), clientAddress: nil)
        }
    }

    @Test func socialOnlyAccountHasNoPasswordToMatch() async throws {
        let h = FlowHarness()
        _ = try await h.admin.create(NewAccountInput(email: "s@example.com", identities: [IdentityInput(provider: "google", subject: "1")]))
        await #expect(throws: BrokerError.invalidCredentials) {
            try await h.signIn().signIn(identifier: "s@example.com", password: Secret("decoy-password"), clientAddress: nil)
        }
    }

    @Test func failuresPerAccountAreThrottled() async throws {
        let (h, _) = try await seeded()
        let flow = try await h.signIn()
        for _ in 0..<3 {
            await #expect(throws: BrokerError.invalidCredentials) {
                try await flow.signIn(identifier: "maria", password: Secret("wrong-pass"), clientAddress: nil)
            }
        }
        // Even the right password is refused while the account is throttled, by any of its identifiers' account key.
        await #expect(throws: BrokerError.tooManyAttempts(retryAfter: 900)) {
            try await flow.signIn(identifier: "maria", password: Secret("s3cret-pass"), clientAddress: nil)
        }
        h.clock.advance(seconds: 901)
        _ = try await flow.signIn(identifier: "maria@example.com", password: Secret("s3cret-pass"), clientAddress: nil)
    }

    @Test func unknownLoginsAreThrottledTheSameWay() async throws {
        let h = FlowHarness()
        let flow = try await h.signIn()
        for _ in 0..<3 {
            await #expect(throws: BrokerError.invalidCredentials) {
                try await flow.signIn(identifier: "ghost", password: Secret("whatever1"), clientAddress: nil)
            }
        }
        await #expect(throws: BrokerError.tooManyAttempts(retryAfter: 900)) {
            try await flow.signIn(identifier: "ghost", password: Secret("whatever1"), clientAddress: nil)
        }
    }

    @Test func failuresPerAddressAreThrottled() async throws {
        let (h, _) = try await seeded()
        let flow = try await h.signIn()
        for i in 0..<5 {
            await #expect(throws: BrokerError.invalidCredentials) {
                try await flow.signIn(identifier: "user\(i)", password: Secret("wrong-pass"), clientAddress: "192.0.2.7")
            }
        }
        await #expect(throws: BrokerError.self) {
            try await flow.signIn(identifier: "maria", password: Secret("s3cret-pass"), clientAddress: "192.0.2.7")
        }
        _ = try await flow.signIn(identifier: "maria", password: Secret("s3cret-pass"), clientAddress: "192.0.2.8")
    }

    @Test func disabledLimitsNeverThrottle() async throws {
        var h = FlowHarness()
        h.limits.enabled = false
        let (seededHarness, _) = try await seeded(h)
        let flow = try await seededHarness.signIn()
        for _ in 0..<6 {
            await #expect(throws: BrokerError.invalidCredentials) {
                try await flow.signIn(identifier: "maria", password: Secret("wrong-pass"), clientAddress: "192.0.2.7")
            }
        }
        _ = try await flow.signIn(identifier: "maria", password: Secret("s3cret-pass"), clientAddress: "192.0.2.7")
    }

    @Test func olderHashIsUpgradedOnSignIn() async throws {
        let (h, account) = try await seeded()
        let before = try #require(try await h.store.account(id: account.id)?.passwordHash)
        #expect(before.contains("m=64,t=1,p=1"))
        let stronger = Argon2PasswordHasher(parameters: Argon2Parameters(memoryKiB: 128, iterations: 2, parallelism: 1))
        let flow = SignInFlow(
            ports: BrokerPorts(store: h.store, rateLimiter: h.store, hasher: stronger, clock: h.clock),
            security: h.security, limits: h.limits, decoyHash: before
        )
        _ = try await flow.signIn(identifier: "maria", password: Secret("s3cret-pass"), clientAddress: nil)
        let after = try #require(try await h.store.account(id: account.id)?.passwordHash)
        #expect(after.contains("m=128,t=2,p=1"))
        _ = try await flow.signIn(identifier: "maria", password: Secret("s3cret-pass"), clientAddress: nil)
    }

    @Test func blockedAccountCannotSignIn() async throws {
        let (h, account) = try await seeded()
        let issued = try await h.signIn().signIn(identifier: "maria", password: Secret("s3cret-pass"), clientAddress: nil)
        _ = try await h.admin.setState(account.id, .blocked)
        await #expect(throws: BrokerError.accountBlocked) {
            try await h.signIn().signIn(identifier: "maria", password: Secret("s3cret-pass"), clientAddress: nil)
        }
        await #expect(throws: BrokerError.unauthenticated) { try await h.signIn().current(token: issued.token) }
    }

    @Test func sessionsExpireAndSignOutEndsThem() async throws {
        let (h, _) = try await seeded()
        let flow = try await h.signIn()
        let a = try await flow.signIn(identifier: "maria", password: Secret("s3cret-pass"), clientAddress: nil)
        let b = try await flow.signIn(identifier: "maria", password: Secret("s3cret-pass"), clientAddress: nil)
        try await flow.signOut(token: a.token)
        await #expect(throws: BrokerError.unauthenticated) { try await flow.current(token: a.token) }
        _ = try await flow.current(token: b.token)
        h.clock.advance(seconds: Double(h.security.sessionTTLSeconds) + 1)
        await #expect(throws: BrokerError.unauthenticated) { try await flow.current(token: b.token) }
        await #expect(throws: BrokerError.unauthenticated) { try await flow.current(token: "made-up") }
    }
}
