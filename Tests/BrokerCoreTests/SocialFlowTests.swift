import BrokerCore
import BrokerTestSupport
import Foundation
import Synchronization
import Testing

/// The gateway port as a provider would answer it: whoever `next` names signed in.
final class ScriptedGateway: SocialGateway {
    let next = Mutex<ProviderClaims?>(nil)

    func authorizationURL(provider: String, request: AuthorizationRequest) async throws -> String {
        "https://idp.example/authorize?state=" + request.state
    }

    func complete(provider: String, code: String, request: AuthorizationRequest) async throws -> ProviderClaims {
        guard let claims = next.withLock({ $0 }) else { throw BrokerError.providerError("nobody") }
        return claims
    }
}

struct SignInProviders: ProviderDirectory {
    func providers() -> [ProviderSummary] {
        [ProviderSummary(id: "google", name: "Google", protocol: "oidc", signIn: true, recoveryURL: "https://google.example/r", usernameRecoveryURL: nil)]
    }
}

/// Social sign-in's rules against the in-memory store: accounts found, created, protected
/// from takeover by a provider email, and states that cannot be replayed.
@Suite("Social flow")
struct SocialFlowTests {
    static let secrets = CheckWordSecrets(key: Data(repeating: 9, count: 32))

    func flow(_ h: FlowHarness, gateway: ScriptedGateway) async throws -> SocialFlow {
        SocialFlow(ports: h.ports, gateway: gateway, providers: SignInProviders(), secrets: Self.secrets,
                   returnTo: ReturnToPolicy(allowedOrigins: [], base: "https://accounts.example"), signIn: try await h.signIn(),
                   composer: PlainComposer(), publicURL: "https://accounts.example")
    }

    /// Starts a flow and comes back with `claims`; the outcome.
    func signIn(_ social: SocialFlow, _ gateway: ScriptedGateway, _ claims: ProviderClaims) async throws -> SocialFlow.Outcome {
        let started = try await social.start(provider: "google", returnTo: nil, intent: nil, sessionToken: nil, locale: "en")
        let state = try #require(started.redirectURL.components(separatedBy: "state=").last)
        gateway.next.withLock { $0 = claims }
        return try await social.callback(provider: "google", state: state, code: "code", error: nil, binding: started.binding)
    }

    @Test func aNewIdentityCreatesASocialAccountAndTheSecondVisitFindsIt() async throws {
        let h = FlowHarness()
        let gateway = ScriptedGateway()
        let social = try await flow(h, gateway: gateway)
        let claims = ProviderClaims(provider: "google", subject: "g-1", email: "New@Example.com", emailVerified: true, name: "N")
        guard case .signedIn(let first, _) = try await signIn(social, gateway, claims) else { Issue.record("not signed in"); return }
        #expect(first.account.email == "new@example.com" && first.account.emailVerified)
        #expect(!first.account.hasPassword)
        guard case .signedIn(let second, _) = try await signIn(social, gateway, claims) else { Issue.record("not signed in"); return }
        #expect(second.account.id == first.account.id)
    }

    @Test func aProviderEmailOfAnotherAccountNeedsProofAndPasswordTriesAreCounted() async throws {
        let h = FlowHarness()  // login_per_account: 3
        let gateway = ScriptedGateway()
        let social = try await flow(h, gateway: gateway)
        let owner = try await h.admin.create(NewAccountInput(email: "erin@corp.example", password: Secret("erin-password")))
        let outcome = try await signIn(social, gateway, ProviderClaims(provider: "google", subject: "x-1", email: "erin@corp.example", emailVerified: true, name: nil))
        guard case .confirmationRequired(let account, _, let pending, _, _) = outcome else { Issue.record("linked without proof"); return }
        #expect(account.id == owner.id)
        for _ in 0..<3 {
            await #expect(throws: BrokerError.invalidCredentials) { try await social.confirmLink(pendingToken: pending, password: Secret("guess")) }
        }
        await #expect(throws: BrokerError.self, "the fourth try is refused before any check") {
            try await social.confirmLink(pendingToken: pending, password: Secret("erin-password"))
        }
        #expect(try await h.store.account(id: owner.id)?.identities.isEmpty == true)
    }

    @Test func aStateWorksOnceAndOnlyInItsBrowser() async throws {
        let h = FlowHarness()
        let gateway = ScriptedGateway()
        let social = try await flow(h, gateway: gateway)
        gateway.next.withLock { $0 = ProviderClaims(provider: "google", subject: "g-9", email: nil, emailVerified: false, name: nil) }
        let started = try await social.start(provider: "google", returnTo: nil, intent: nil, sessionToken: nil, locale: "en")
        let state = try #require(started.redirectURL.components(separatedBy: "state=").last)
        await #expect(throws: BrokerError.invalidState, "another browser") {
            try await social.callback(provider: "google", state: state, code: "c", error: nil, binding: "someone-else")
        }
        _ = try await social.callback(provider: "google", state: state, code: "c", error: nil, binding: started.binding)
        await #expect(throws: BrokerError.invalidState, "a replay") {
            try await social.callback(provider: "google", state: state, code: "c", error: nil, binding: started.binding)
        }
    }

    @Test func startsAreLimitedPerAddress() async throws {
        var h = FlowHarness()
        h.limits.startPerAddress = 2
        let social = try await flow(h, gateway: ScriptedGateway())
        for _ in 0..<2 {
            _ = try await social.start(provider: "google", returnTo: nil, intent: nil, sessionToken: nil, locale: "en", clientAddress: "2001:db8::1")
        }
        await #expect(throws: BrokerError.self, "the /64 is the client") {
            try await social.start(provider: "google", returnTo: nil, intent: nil, sessionToken: nil, locale: "en", clientAddress: "2001:db8::2")
        }
    }

    @Test func linkingNeedsARecentSignIn() async throws {
        let h = FlowHarness()
        let social = try await flow(h, gateway: ScriptedGateway())
        let account = try await h.admin.create(NewAccountInput(email: "me@example.com", password: Secret("my-password")))
        let issued = try await h.signIn().newSession(for: account, methods: ["password"], now: h.clock.now())
        try await h.store.commit([.insertSession(issued.session)])
        h.clock.advance(seconds: Double(h.security.reauthenticationSeconds + 1))
        await #expect(throws: BrokerError.reauthenticationRequired) {
            try await social.start(provider: "google", returnTo: nil, intent: "link", sessionToken: issued.token, locale: "en")
        }
    }
}
