import BrokerCore
import BrokerCrypto
import BrokerTestSupport
import Foundation

/// The flows wired to in-memory ports, a manual clock and cheap Argon2 parameters.
struct FlowHarness {
    let store = InMemoryStore()
    let clock = ManualClock()
    let hasher = Argon2PasswordHasher(parameters: Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1))
    let providers = StaticProviders()
    var limits = RateLimitSettings(loginPerAccount: 3, loginPerAddress: 5)
    var security = SecuritySettings()

    var ports: BrokerPorts { BrokerPorts(store: store, rateLimiter: store, hasher: hasher, clock: clock) }

    func signIn() async throws -> SignInFlow {
        SignInFlow(ports: ports, security: security, limits: limits, decoyHash: try await hasher.hash(Secret("decoy-password")))
    }

    var admin: AdminFlow { AdminFlow(ports: ports, security: security, providers: providers, actor: "admin") }
}

struct StaticProviders: ProviderDirectory {
    func providers() -> [ProviderSummary] {
        ["google", "github"].map { ProviderSummary(id: $0, name: $0, protocol: "oidc", signIn: false, recoveryURL: "https://\($0).example/r", usernameRecoveryURL: nil) }
    }
}
