import BrokerCore
import BrokerStore
import BrokerTestSupport
import Foundation
import Testing

/// One suite, every store: what the flows rely on must hold for each adapter.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
    case memory, sqlite, postgres
    var testDescription: String { rawValue }

    /// PostgreSQL runs when `make test` (scripts/test.sh) has started a cluster and named it here.
    static let postgresURL = ProcessInfo.processInfo.environment["BROKER_TEST_POSTGRES_URL"]
    static var available: [StoreKind] { postgresURL == nil ? [.memory, .sqlite] : allCases }

    func make() async throws -> any AccountStore & RateLimiter & Outbox {
        switch self {
        case .memory: return InMemoryStore()
        case .sqlite:
            let store = try SQLiteStore(path: TempDir.make().appendingPathComponent("db/broker.sqlite").path)
            try await store.migrate()
            return store
        case .postgres:
            let url = try await PostgresStore.createDatabase(
                adminURL: Self.postgresURL ?? "", name: "conformance_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            )
            let store = try PostgresStore(url: url)
            try await store.migrate()
            return store
        }
    }
}

enum TempDir {
    static func make() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("broker-test-" + UUID().uuidString)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

let t0 = Date(timeIntervalSince1970: 1_790_000_000)

func account(_ id: String, login: String? = nil, email: String? = nil, phone: String? = nil, identities: [Identity] = []) -> Account {
    Account(id: id, login: login, email: email, emailVerified: email != nil, phone: phone, phoneVerified: phone != nil,
            passwordHash: "$argon2id$x", locale: "pt-BR", createdAt: t0, identities: identities)
}

@Suite("Store conformance")
struct StoreConformanceTests {
    @Test(arguments: StoreKind.available)
    func accountRoundTrip(kind: StoreKind) async throws {
        let store = try await kind.make()
        let a = account("a1", login: "Maria", email: "maria@example.com", phone: "+5511999990000",
                        identities: [Identity(provider: "google", subject: "g-1", email: "maria@gmail.com", createdAt: t0)])
        try await store.commit([.insertAccount(a)])
        #expect(try await store.account(id: "a1") == a)
        #expect(try await store.account(login: "maria")?.id == "a1")
        #expect(try await store.account(login: "MARIA")?.id == "a1")
        #expect(try await store.account(email: "maria@example.com")?.id == "a1")
        #expect(try await store.account(phone: "+5511999990000")?.id == "a1")
        #expect(try await store.account(provider: "google", subject: "g-1")?.id == "a1")
        #expect(try await store.account(provider: "google", subject: "g-2") == nil)
        #expect(try await store.searchAccounts("aria", limit: 10).map(\.id) == ["a1"])
        #expect(try await store.searchAccounts("9999", limit: 10).map(\.id) == ["a1"])
        #expect(try await store.searchAccounts("nobody", limit: 10).isEmpty)
        #expect(try await store.searchAccounts("%", limit: 10).isEmpty)
    }

    @Test(arguments: StoreKind.available)
    func uniqueColumnsConflict(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit([.insertAccount(account("a1", login: "maria", email: "m@example.com", phone: "+5511999990000",
                                                       identities: [Identity(provider: "github", subject: "7", createdAt: t0)]))])
        let cases: [(Account, String)] = [
            (account("a2", login: "MARIA"), "login"),
            (account("a3", email: "m@example.com"), "email"),
            (account("a4", phone: "+5511999990000"), "phone"),
            (account("a5", identities: [Identity(provider: "github", subject: "7", createdAt: t0)]), "identity"),
        ]
        for (candidate, field) in cases {
            await #expect(throws: StoreError.conflict(field: field)) { try await store.commit([.insertAccount(candidate)]) }
            #expect(try await store.account(id: candidate.id) == nil, "nothing half-written for \(field)")
        }
        await #expect(throws: StoreError.conflict(field: "identity")) {
            try await store.commit([.insertAccount(account("a6", login: "other")),
                                    .insertIdentity(accountId: "a6", Identity(provider: "github", subject: "7", createdAt: t0))])
        }
        #expect(try await store.account(id: "a6") == nil, "the whole unit of work rolled back")
    }

    @Test(arguments: StoreKind.available)
    func updatesAreVersionChecked(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit([.insertAccount(account("a1", login: "maria"))])
        var first = try #require(try await store.account(id: "a1"))
        var second = first
        first.email = "new@example.com"
        try await store.commit([.updateAccount(first)])
        second.login = "changed"
        await #expect(throws: StoreError.stale) { try await store.commit([.updateAccount(second)]) }
        let stored = try #require(try await store.account(id: "a1"))
        #expect(stored.email == "new@example.com")
        #expect(stored.login == "maria")
        #expect(stored.version == 2)
    }

    @Test(arguments: StoreKind.available)
    func sessionsRevokeAndCascade(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit([.insertAccount(account("a1", login: "maria"))])
        let s1 = Session(id: "s1", tokenHash: "h1", accountId: "a1", createdAt: t0, expiresAt: t0 + 3600, authenticatedAt: t0, methods: ["password"])
        var s2 = s1
        s2.id = "s2"
        s2.tokenHash = "h2"
        try await store.commit([.insertSession(s1), .insertSession(s2)])
        #expect(try await store.session(tokenHash: "h1") == s1)
        try await store.commit([.revokeSessions(accountId: "a1", exceptTokenHash: "h2", at: t0 + 10)])
        #expect(try await store.session(tokenHash: "h1")?.revokedAt == t0 + 10)
        #expect(try await store.session(tokenHash: "h2")?.revokedAt == nil)
        try await store.commit([.revokeSession(tokenHash: "h2", at: t0 + 20)])
        #expect(try await store.session(tokenHash: "h2")?.isLive(at: t0 + 21) == false)
        try await store.commit([.deleteAccount(id: "a1")])
        #expect(try await store.session(tokenHash: "h1") == nil)
        await #expect(throws: StoreError.stale) { try await store.commit([.deleteAccount(id: "a1")]) }
    }

    @Test(arguments: StoreKind.available)
    func identitiesLinkAndUnlink(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit([.insertAccount(account("a1", login: "maria"))])
        try await store.commit([.insertIdentity(accountId: "a1", Identity(provider: "google", subject: "s", createdAt: t0))])
        #expect(try await store.account(id: "a1")?.identities.map(\.provider) == ["google"])
        try await store.commit([.deleteIdentity(accountId: "a1", provider: "google", subject: "s")])
        #expect(try await store.account(id: "a1")?.identities.isEmpty == true)
        await #expect(throws: StoreError.stale) {
            try await store.commit([.deleteIdentity(accountId: "a1", provider: "google", subject: "s")])
        }
    }

    /// Commits racing each other (on SQLite, units of one group commit) stay whole and apart:
    /// a unit that clashes leaves nothing of itself, and costs the others nothing.
    @Test(arguments: StoreKind.available)
    func racingCommitsAreEachAllOrNothing(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit([.insertAccount(account("taken", email: "taken@example.com"))])
        let outcomes = await withTaskGroup(of: (Int, StoreError?).self) { group in
            for i in 0..<120 {
                group.addTask {
                    // Every third one asks for the email another account already holds.
                    let email = i % 3 == 0 ? "taken@example.com" : "user\(i)@example.com"
                    do {
                        try await store.commit([
                            .insertAudit(AuditEvent(id: "e\(i)", accountId: "r\(i)", type: "created", actor: "cli", at: t0)),
                            .insertAccount(account("r\(i)", email: email)),
                        ])
                        return (i, nil)
                    } catch {
                        return (i, error as? StoreError)
                    }
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for i in 0..<120 {
            if i % 3 == 0 {
                #expect(outcomes[i] == .conflict(field: "email"), "unit \(i)")
                #expect(try await store.account(id: "r\(i)") == nil)
                #expect(try await store.auditEvents(accountId: "r\(i)", limit: 1).isEmpty, "nothing of a failed unit is kept")
            } else {
                #expect(outcomes[i] == nil, "unit \(i)")
                #expect(try await store.account(email: "user\(i)@example.com")?.id == "r\(i)")
                #expect(try await store.auditEvents(accountId: "r\(i)", limit: 1).count == 1)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func auditEventsAreKeptNewestFirst(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit([
            .insertAudit(AuditEvent(id: "e1", accountId: "a1", type: "one", actor: "cli", detail: ["k": "v"], at: t0)),
            .insertAudit(AuditEvent(id: "e2", accountId: "a1", type: "two", actor: "admin", at: t0 + 1)),
        ])
        let events = try await store.auditEvents(accountId: "a1", limit: 10)
        #expect(events.map(\.type) == ["two", "one"])
        #expect(events.last?.detail == ["k": "v"])
    }

    @Test(arguments: StoreKind.available)
    func rateLimitWindows(kind: StoreKind) async throws {
        let limiter = try await kind.make()
        #expect(try await limiter.peek(key: "k", window: 60, now: t0).count == 0)
        #expect(try await limiter.hit(key: "k", window: 60, now: t0).count == 1)
        let second = try await limiter.hit(key: "k", window: 60, now: t0 + 30)
        #expect(second.count == 2)
        #expect(second.resetAt == t0 + 60)
        #expect(second.retryAfter(now: t0 + 30) == 30)
        #expect(try await limiter.peek(key: "k", window: 60, now: t0 + 59).count == 2)
        #expect(try await limiter.peek(key: "k", window: 60, now: t0 + 60).count == 0)
        #expect(try await limiter.hit(key: "k", window: 60, now: t0 + 61).count == 1, "a new window starts")
        try await limiter.reset(key: "k")
        #expect(try await limiter.peek(key: "k", window: 60, now: t0 + 62).count == 0)
    }
}

@Suite("SQLite migrations")
struct SQLiteMigrationTests {
    @Test func migratesFromEmptyAndReRunsAsNoOp() async throws {
        let path = TempDir.make().appendingPathComponent("nested/dir/broker.sqlite").path
        let store = try SQLiteStore(path: path)
        #expect(try await store.migrate() == Migrations.all.map(\.id))
        #expect(try await store.migrate().isEmpty)
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.migrate().isEmpty)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func databaseURLs() throws {
        #expect(try StoreLocation(url: "sqlite://var/broker.sqlite") == .sqlite(path: "var/broker.sqlite"))
        #expect(try StoreLocation(url: "sqlite:///tmp/x.sqlite") == .sqlite(path: "/tmp/x.sqlite"))
        #expect(try StoreLocation(url: "postgres://u:p@h:5432/db") == .postgres(url: "postgres://u:p@h:5432/db"))
        #expect(throws: StoreError.self) { try StoreLocation(url: "mysql://x") }
    }
}
