import BrokerCore
import Foundation
import GRDB

/// The embedded store: one SQLite file in WAL mode through GRDB's connection pool.
/// Reads run on the pool's readers; every write is a unit of the group-commit writer, in a
/// savepoint of its own, committed together with the units queued beside it.
public final class SQLiteStore: BrokerDatabase, Sendable {
    let pool: DatabasePool
    let writer: GroupCommitWriter
    /// The database file.
    public let path: String

    /// Opens (creating it and its parent folders when missing) the database at `path`.
    public init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL with NORMAL sync: durable across crashes of the process, one fsync per checkpoint.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            if !db.configuration.readonly { try Self.tuneWriter(db) }
        }
        configuration.label = "broker"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            writer = GroupCommitWriter(pool: pool)
        } catch {
            throw StoreError.unavailable("cannot open SQLite database at \(path): \(error)")
        }
    }

    public var localPath: String? { path }

    /// The writer's WAL checkpoint interval, in pages (SQLite's default is 1,000): each
    /// checkpoint writes every page the WAL holds back into the database file, so a longer
    /// interval writes a page that many units dirty (an index's hot leaf) once instead of
    /// several times. The WAL file grows to about this many 4 KiB pages (~40 MB) and stays.
    static let checkpointPages = 10_000

    /// Settings of the one writing connection (readers keep SQLite's defaults).
    ///
    /// Every unit of the group commit runs in a savepoint, and SQLite copies each page a
    /// savepoint first changes into the statement journal, so that a unit that fails rolls
    /// back alone. That journal is a temporary file by default, written to the disk past
    /// 64 KiB: under the spread recovery load it took more bytes than the WAL itself (a
    /// syscall trace: 18 MB of journal against 10 MB of WAL). In memory, it is emptied
    /// whenever the last savepoint is released, so it never holds more than one unit's
    /// pages (tens of KiB). `temp_store` also keeps the writer's temporary tables and the
    /// ephemeral tables of its queries (an `IN (SELECT …)` list) in memory; the writer's
    /// queries keep those small, and its sorter (a migration's CREATE INDEX) still spills
    /// to files.
    static func tuneWriter(_ db: Database) throws {
        try db.execute(sql: "PRAGMA temp_store = MEMORY")
        try db.execute(sql: "PRAGMA wal_autocheckpoint = \(checkpointPages)")
    }

    @discardableResult
    public func migrate() async throws -> [String] { try migrateNow() }

    /// Applies the migrations not yet applied; returns the ids it applied.
    @discardableResult
    public func migrateNow() throws -> [String] {
        var migrator = DatabaseMigrator()
        for migration in Migrations.all {
            migrator.registerMigration(migration.id) { db in
                for statement in migration.statements { try db.execute(sql: statement) }
            }
        }
        let before = try pool.read { try migrator.appliedIdentifiers($0) }
        try migrator.migrate(pool)
        return Migrations.all.map(\.id).filter { !before.contains($0) }
    }

    /// Closes every connection; later calls answer `StoreError.unavailable`.
    public func close() async throws { try pool.close() }

    // MARK: reads

    public func account(id: String) async throws -> Account? {
        try await read { db in try Self.fetchAccount(db, where: "id = ?", [id]) }
    }

    public func account(login: String) async throws -> Account? {
        try await read { db in try Self.fetchAccount(db, where: "login_key = ?", [login.lowercased()]) }
    }

    public func account(email: String) async throws -> Account? {
        try await read { db in try Self.fetchAccount(db, where: "email = ?", [email]) }
    }

    public func account(phone: String) async throws -> Account? {
        try await read { db in try Self.fetchAccount(db, where: "phone = ?", [phone]) }
    }

    public func account(provider: String, subject: String) async throws -> Account? {
        try await read { db in
            guard let id = try String.fetchOne(db.cachedStatement(sql: Queries.accountOfIdentity), arguments: [provider, subject]) else { return nil }
            return try Self.fetchAccount(db, where: "id = ?", [id])
        }
    }

    public func searchAccounts(_ text: String, limit: Int) async throws -> [Account] {
        let pattern = Queries.likePattern(text)
        return try await read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: Queries.search), arguments: [pattern, pattern, pattern, limit])
            return try rows.map { try Self.account(from: $0, db) }
        }
    }

    public func session(tokenHash: String) async throws -> Session? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: Queries.sessionByHash), arguments: [tokenHash]).map { Queries.session(GRDBRow($0)) }
        }
    }

    public func auditEvents(accountId: String, limit: Int) async throws -> [AuditEvent] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: Queries.auditOfAccount), arguments: [accountId, limit]).map { Queries.auditEvent(GRDBRow($0)) }
        }
    }

    public func ping() async throws {
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations") }
    }

    // MARK: writes

    public func commit(_ changes: [StoreChange]) async throws {
        let statements = Self.plan(changes)
        try await write { db in try Self.apply(statements, db) }
    }

    public func commit(_ changes: [StoreChange], behind gate: UnitGate, rehearsal: Bool) async throws -> GateOutcome {
        let statements = Self.plan(changes)
        let outcome: Result<GateOutcome, any Error> = try await write { db in
            for limit in gate.limits {
                let count = try Self.hit(db, key: limit.key, window: limit.window, now: gate.now)
                if count.count > limit.limit { return .success(.refused(count)) }
            }
            // What follows the counts goes in a savepoint of its own: should it fail, the counts stay.
            do {
                var outcome = GateOutcome.passed
                try db.inSavepoint {
                    if let window = gate.window, try Self.hit(db, key: window.key, window: window.seconds, now: gate.now).count > 1 {
                        outcome = .windowTaken
                        return .commit
                    }
                    for key in gate.resets { try db.cachedStatement(sql: Queries.rateReset).execute(arguments: [key]) }
                    for key in gate.marks { try db.cachedStatement(sql: Queries.rateMark).execute(arguments: [key, gate.now.milliseconds]) }
                    try db.inSavepoint {
                        try Self.apply(statements, db)
                        return rehearsal ? .rollback : .commit
                    }
                    return .commit
                }
                return .success(outcome)
            } catch {
                return .failure(Self.translate(error))
            }
        }
        return try outcome.get()
    }

    // MARK: rate limits

    public func hit(key: String, window: Int, now: Date) async throws -> RateCount {
        try await write { db in try Self.hit(db, key: key, window: window, now: now) }
    }

    /// Adds one to `key`'s counter in the current window, on the writer.
    static func hit(_ db: Database, key: String, window: Int, now: Date) throws -> RateCount {
        let nowMs = now.milliseconds
        let expired = nowMs - Int64(window) * 1000
        guard let row = try Row.fetchOne(db.cachedStatement(sql: Queries.rateBump), arguments: [key, expired])
                ?? Row.fetchOne(db.cachedStatement(sql: Queries.rateHit), arguments: [key, nowMs, expired, expired])
        else { throw StoreError.unavailable("rate limit upsert returned nothing") }
        return RateCount(count: row["count"], resetAt: Date(milliseconds: (row["window_start"] as Int64) + Int64(window) * 1000))
    }

    public func peek(key: String, window: Int, now: Date) async throws -> RateCount {
        let nowMs = now.milliseconds
        return try await read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: Queries.ratePeek), arguments: [key]),
                  (row["window_start"] as Int64) > nowMs - Int64(window) * 1000
            else { return RateCount(count: 0, resetAt: now.addingTimeInterval(TimeInterval(window))) }
            return RateCount(count: row["count"], resetAt: Date(milliseconds: (row["window_start"] as Int64) + Int64(window) * 1000))
        }
    }

    public func started(key: String) async throws -> (start: Date, count: Int)? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: Queries.ratePeek), arguments: [key]).map {
                (Date(milliseconds: $0["window_start"] as Int64), $0["count"] as Int)
            }
        }
    }

    public func reset(key: String) async throws {
        try await write { db in try db.cachedStatement(sql: Queries.rateReset).execute(arguments: [key]) }
    }

    public func release(key: String) async throws {
        try await write { db in try db.cachedStatement(sql: Queries.rateRelease).execute(arguments: [key]) }
    }

    // MARK: plumbing

    func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try readNow(body)
        } catch let error as DatabaseError {
            throw StoreError.unavailable(error.description)
        }
    }

    /// A read on the calling thread: SQLite answers in microseconds, and the two hops to a
    /// reader's queue and back cost more than the read.
    private func readNow<T>(_ body: (Database) throws -> T) throws -> T { try pool.read(body) }

    func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try await writer.write(body)
        } catch {
            throw Self.translate(error)
        }
    }

    /// A write's error as the port says it: a constraint is a conflict, the rest unavailable.
    static func translate(_ error: any Error) -> any Error {
        switch error {
        case let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT:
            StoreError.conflict(field: StatementPlan.field(ofConstraint: error.message ?? ""))
        case let error as DatabaseError: StoreError.unavailable(error.description)
        case let error as GroupCommitWriter.TransactionLost: StoreError.unavailable(error.description)
        default: error
        }
    }
}
