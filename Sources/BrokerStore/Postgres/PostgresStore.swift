import BrokerCore
import Foundation
import Logging
import PostgresNIO

/// The store for several broker instances: one PostgreSQL shared by all of them
/// (its own replication and failover), through postgres-nio's connection pool.
/// It runs the same portable statements as the SQLite store; only the outbox
/// claim differs (`FOR UPDATE SKIP LOCKED`, so instances never take the same message).
public final class PostgresStore: BrokerDatabase, Sendable {
    let client: PostgresClient
    let runner: Task<Void, Never>
    let logger: Logger
    /// How long any one database operation may take, from waiting for a connection to the last
    /// row (`database.connect_timeout_seconds`): past it the caller gets 503 `unavailable`.
    let operationTimeoutSeconds: Double

    public struct Settings: Sendable {
        public var maximumConnections = 10
        public var connectTimeoutSeconds = 10

        public init(maximumConnections: Int = 10, connectTimeoutSeconds: Int = 10) {
            self.maximumConnections = maximumConnections
            self.connectTimeoutSeconds = connectTimeoutSeconds
        }
    }

    /// `postgres://user:password@host:port/database` (`?sslmode=require` for TLS).
    public init(url: String, settings: Settings = Settings(), logger: Logger = Logger(label: "broker.postgres")) throws {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty,
              let user = components.user, !components.path.dropFirst().isEmpty
        else { throw StoreError.unavailable("database.url: expected postgres://user:password@host:port/database") }
        let tls: PostgresClient.Configuration.TLS =
            components.queryItems?.first { $0.name == "sslmode" }?.value == "require" ? .require(.makeClientConfiguration()) : .disable
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: components.password?.removingPercentEncoding, database: String(components.path.dropFirst()), tls: tls
        )
        configuration.options.maximumConnections = max(1, settings.maximumConnections)
        configuration.options.connectTimeout = .seconds(Int64(settings.connectTimeoutSeconds))
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.operationTimeoutSeconds = Double(max(1, settings.connectTimeoutSeconds))
        // The pool must run before anything can use the store, and the store is used before any
        // application exists (migrations and the check-word key at wiring time, and every CLI
        // command), so the store runs its own client rather than being an application service.
        // `close()` cancels it; the task holds nothing but the client.
        self.runner = Task { await client.run() }
    }

    public var localPath: String? { nil }

    /// Creates a database on the server `adminURL` points at (tests and tooling).
    public static func createDatabase(adminURL: String, name: String) async throws -> String {
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), var components = URLComponents(string: adminURL) else {
            throw StoreError.unavailable("bad database name")
        }
        let admin = try PostgresStore(url: adminURL)
        defer { admin.runner.cancel() }
        _ = try await admin.rows("CREATE DATABASE \(name)", []) { $0 }
        components.path = "/" + name
        return components.string ?? adminURL
    }

    public func close() async throws {
        runner.cancel()
    }

    // MARK: schema

    @discardableResult
    public func migrate() async throws -> [String] {
        try await transaction { connection in
            // Two instances starting at once: one migrates, the other waits and finds nothing to do.
            // The lock comes first: two concurrent CREATE TABLE IF NOT EXISTS can still collide.
            try await connection.query("SELECT pg_advisory_xact_lock(7341001)", logger: self.logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS broker_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)", logger: self.logger)
            var done = Set<String>()
            for try await id in try await connection.query("SELECT id FROM broker_migrations", logger: self.logger).decode(String.self) {
                done.insert(id)
            }
            var applied: [String] = []
            for migration in Migrations.all where !done.contains(migration.id) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await self.run(SQLStatement("INSERT INTO broker_migrations (id, applied_at) VALUES (?, ?)",
                                                [.text(migration.id), .int(Date().milliseconds)]), on: connection)
                applied.append(migration.id)
            }
            return applied
        }
    }

    // MARK: plumbing

    /// Runs `operation` within `operationTimeoutSeconds`. With the database gone, postgres-nio's pool
    /// keeps a lease request waiting while it retries connecting; the deadline cancels that wait,
    /// so nothing hangs and nothing is done later for a caller that was already told 503.
    func bounded<T: Sendable>(_ operation: () async throws -> T) async throws -> T {
        try await withoutActuallyEscaping(operation) { operation in
            // Safe: Deadline.run awaits its child task before returning (a task group), so the
            // closure never outlives this call, and only that one child task calls it.
            nonisolated(unsafe) let escaped = operation
            return try await Deadline.run(
                seconds: operationTimeoutSeconds,
                timeout: StoreError.unavailable("postgres: no answer within \(Int(operationTimeoutSeconds)) s")
            ) { try await escaped() }
        }
    }

    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await bounded { try await client.withTransaction(logger: logger) { connection in try await body(connection) } }
        } catch let error as PostgresTransactionError {
            throw Self.translate(error.closureError ?? error.beginError ?? error.commitError ?? error)
        } catch {
            throw Self.translate(error)
        }
    }

    /// Rows of a read, mapped.
    func rows<T: Sendable>(_ sql: String, _ arguments: [SQLValue], map: (PGRow) throws -> T) async throws -> [T] {
        do {
            return try await bounded {
                var out: [T] = []
                for try await row in try await client.query(Self.query(sql, arguments), logger: logger) {
                    out.append(try map(PGRow(row.makeRandomAccess())))
                }
                return out
            }
        } catch {
            throw Self.translate(error)
        }
    }

    /// Runs one statement in a transaction; a `mustChange` statement that changed nothing fails the unit as stale.
    @discardableResult
    func run(_ statement: SQLStatement, on connection: PostgresConnection) async throws -> [PGRow] {
        let sql = statement.mustChange ? statement.sql + " RETURNING 1 AS changed" : statement.sql
        var out: [PGRow] = []
        for try await row in try await connection.query(Self.query(sql, statement.arguments), logger: logger) {
            out.append(PGRow(row.makeRandomAccess()))
        }
        if statement.mustChange, out.count != 1 { throw StoreError.stale }
        return out
    }

    static func query(_ sql: String, _ arguments: [SQLValue]) -> PostgresQuery {
        var text = ""
        var n = 0
        for ch in sql {
            if ch == "?" {
                n += 1
                text += "$\(n)"
            } else {
                text.append(ch)
            }
        }
        var binds = PostgresBindings(capacity: arguments.count)
        for a in arguments {
            switch a {
            case .text(let s): if let s { binds.append(s) } else { binds.appendNull() }
            case .int(let i): if let i { binds.append(i) } else { binds.appendNull() }
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: binds)
    }

    static func translate(_ error: any Error) -> any Error {
        if error is StoreError || error is BrokerError || error is CancellationError { return error }
        if let psql = error as? PSQLError {
            if psql.serverInfo?[.sqlState] == "23505" {
                return StoreError.conflict(field: StatementPlan.field(ofConstraint: psql.serverInfo?[.constraintName] ?? ""))
            }
            return StoreError.unavailable("postgres: \(psql.code) \(psql.serverInfo?[.message] ?? "")")
        }
        return StoreError.unavailable("postgres: \(error)")
    }
}

/// A PostgreSQL row read the way the shared mapping expects.
struct PGRow: SQLRow {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRandomAccessRow) { self.row = row }

    func text(_ column: String) -> String? {
        guard row.contains(column) else { return nil }
        return (try? row[column].decode(String?.self)) ?? nil
    }

    func int(_ column: String) -> Int64? {
        guard row.contains(column) else { return nil }
        if let v = try? row[column].decode(Int64?.self) { return v }
        if let v = try? row[column].decode(Int32?.self) { return Int64(v) }
        return nil
    }
}
