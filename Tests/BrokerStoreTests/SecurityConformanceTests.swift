import BrokerCore
import BrokerCrypto
import BrokerStore
import BrokerTestSupport
import Foundation
import Testing

/// The Security rules that rest on the store, raced for real: concurrent attempts against
/// the in-memory store, a SQLite file and PostgreSQL (one instance and two).
@Suite("Security rules on every store")
struct SecurityConformanceTests {
    static let limits = RateLimitSettings(loginPerAccount: 10, loginPerAddress: 1000)

    struct Wiring {
        let flows: [SignInFlow]
        let hasher: CountingHasher
        let admin: AdminFlow
    }

    /// Sign-in flows over `kind` (two PostgreSQL clients on one database for `instances: 2`),
    /// sharing one counting Argon2id hasher.
    func wiring(_ kind: StoreKind, instances: Int = 1) async throws -> Wiring {
        let hasher = CountingHasher(Argon2PasswordHasher(parameters: Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1)))
        var stores: [any AccountStore & RateLimiter & Outbox] = []
        if kind == .postgres {
            let url = try await PostgresStore.createDatabase(
                adminURL: StoreKind.postgresURL ?? "", name: "security_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            )
            for _ in 0..<instances {
                let store = try PostgresStore(url: url)
                try await store.migrate()
                stores.append(store)
            }
        } else {
            stores = [try await kind.make()]
        }
        let first = stores[0]
        let decoy = try await hasher.hash(Secret("decoy-password"))
        let flows = stores.map { store in
            SignInFlow(ports: BrokerPorts(store: store, rateLimiter: store, hasher: hasher), security: SecuritySettings(),
                       limits: Self.limits, decoyHash: decoy)
        }
        let admin = AdminFlow(ports: BrokerPorts(store: first, rateLimiter: first, hasher: hasher), security: SecuritySettings(),
                              providers: NoProviders(), actor: "admin")
        return Wiring(flows: flows, hasher: hasher, admin: admin)
    }

    static var kinds: [(StoreKind, Int)] {
        StoreKind.available.map { ($0, 1) } + (StoreKind.available.contains(.postgres) ? [(.postgres, 2)] : [])
    }

    @Test(arguments: kinds)
    func concurrentWrongPasswordsGetNoMoreChecksThanTheLimit(kind: StoreKind, instances: Int) async throws {
        let w = try await wiring(kind, instances: instances)
        _ = try await w.admin.create(NewAccountInput(login: "maria", password: Secret("right-password")))
        let before = w.hasher.verifications
        let outcomes = await withTaskGroup(of: String.self) { group in
            for i in 0..<40 {
                let flow = w.flows[i % w.flows.count]
                group.addTask {
                    do {
                        _ = try await flow.signIn(identifier: "maria", password: Secret("wrong-\(i)"), clientAddress: "203.0.113.\(i)")
                        return "signed_in"
                    } catch let error as BrokerError {
                        return error.code
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(outcomes["invalid_credentials"] == 10, "exactly login_per_account wrong passwords were checked: \(outcomes)")
        #expect(outcomes["too_many_attempts"] == 30, "the rest answered 429: \(outcomes)")
        #expect(w.hasher.verifications - before == 10, "a refused attempt costs no hashing")
        await #expect(throws: BrokerError.self, "the right password is refused while the account is locked") {
            _ = try await w.flows[0].signIn(identifier: "maria", password: Secret("right-password"), clientAddress: "198.51.100.1")
        }
        #expect(w.hasher.verifications - before == 10)
    }

    @Test(arguments: StoreKind.available)
    func rightPasswordInsideABurstIsCountedLikeTheRest(kind: StoreKind) async throws {
        let w = try await wiring(kind)
        _ = try await w.admin.create(NewAccountInput(login: "maria", password: Secret("right-password")))
        let results = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<30 {
                group.addTask {
                    let password = i == 15 ? "right-password" : "wrong-\(i)"
                    return (try? await w.flows[0].signIn(identifier: "maria", password: Secret(password), clientAddress: nil)) != nil
                }
            }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(results <= 1)
        #expect(w.hasher.verifications <= 11, "never more than the limit of checks, plus the one success")
    }

    @Test(arguments: StoreKind.available)
    func releaseTakesBackOneCountAndNeverGoesBelowZero(kind: StoreKind) async throws {
        let store = try await kind.make()
        let now = Date()
        _ = try await store.hit(key: "k", window: 60, now: now)
        _ = try await store.hit(key: "k", window: 60, now: now)
        try await store.release(key: "k")
        #expect(try await store.peek(key: "k", window: 60, now: now).count == 1)
        try await store.release(key: "k")
        try await store.release(key: "k")
        #expect(try await store.peek(key: "k", window: 60, now: now).count == 0)
        try await store.release(key: "missing")
        #expect(try await store.peek(key: "missing", window: 60, now: now).count == 0)
    }

    @Test(arguments: StoreKind.available)
    func concurrentHitsCountExactly(kind: StoreKind) async throws {
        let store = try await kind.make()
        let now = Date()
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 { group.addTask { try await store.hit(key: "race", window: 60, now: now).count } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts.sorted() == Array(1...50), "each hit sees its own count")
    }
}

struct NoProviders: ProviderDirectory {
    func providers() -> [ProviderSummary] { [] }
}
