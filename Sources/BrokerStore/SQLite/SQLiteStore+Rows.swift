import BrokerCore
import Foundation
import GRDB

/// The SQLite side of the shared SQL: GRDB rows read through `SQLRow`, and the
/// portable statements of `StatementPlan` run with cached prepared statements.
extension SQLiteStore {
    static func fetchAccount(_ db: Database, where condition: String, _ arguments: StatementArguments) throws -> Account? {
        try Row.fetchOne(db.cachedStatement(sql: Queries.accountColumns + condition), arguments: arguments).map { try account(from: $0, db) }
    }

    static func account(from row: Row, _ db: Database) throws -> Account {
        let identities = try Row.fetchAll(db.cachedStatement(sql: Queries.identitiesOfAccount), arguments: [row["id"] as String]).map { Queries.identity(GRDBRow($0)) }
        return Queries.account(GRDBRow(row), identities: identities)
    }

    /// One planned statement, its arguments already bound to SQLite's values.
    struct Planned: Sendable {
        var sql: String
        var arguments: StatementArguments
        var mustChange: Bool
    }

    /// The statements of `changes`, built by the caller before its unit is queued: the writer
    /// is the one thread every write waits for, so the audit details' JSON and the arguments
    /// are made off it (on the writer they were ~7% of its time under the recovery load).
    static func plan(_ changes: [StoreChange]) -> [Planned] {
        changes.flatMap(StatementPlan.statements(for:)).map {
            Planned(sql: $0.sql, arguments: arguments($0.arguments), mustChange: $0.mustChange)
        }
    }

    /// Runs a unit's planned statements on the writer.
    static func apply(_ statements: [Planned], _ db: Database) throws {
        for statement in statements {
            try db.cachedStatement(sql: statement.sql).execute(arguments: statement.arguments)
            if statement.mustChange, db.changesCount != 1 { throw StoreError.stale }
        }
    }

    /// SQLite's values of a statement's arguments, without boxing each in an existential
    /// (`[(any DatabaseValueConvertible)?]` was most of the arguments' cost).
    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { value -> DatabaseValue in
            switch value {
            case .text(let s): s?.databaseValue ?? .null
            case .int(let i): i?.databaseValue ?? .null
            }
        })
    }
}

/// A GRDB row read the way the shared mapping expects.
struct GRDBRow: SQLRow {
    let row: Row

    init(_ row: Row) { self.row = row }

    func text(_ column: String) -> String? { row[column] as String? }
    func int(_ column: String) -> Int64? { row[column] as Int64? }
}

extension Date {
    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    init(milliseconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(milliseconds) / 1000) }
}
