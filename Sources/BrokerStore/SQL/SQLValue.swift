import Foundation

/// A bound value of a portable statement: the schema uses TEXT and integers only.
public enum SQLValue: Sendable, Equatable {
    case text(String?)
    case int(Int64?)

    static func bool(_ b: Bool) -> SQLValue { .int(b ? 1 : 0) }
}

/// One portable statement with `?` placeholders. `mustChange` says the unit of
/// work fails as stale unless exactly one row changed (the single-use guarantees).
public struct SQLStatement: Sendable {
    public var sql: String
    public var arguments: [SQLValue]
    public var mustChange: Bool

    init(_ sql: String, _ arguments: [SQLValue], mustChange: Bool = false) {
        self.sql = sql
        self.arguments = arguments
        self.mustChange = mustChange
    }
}

/// Reading a column the same way from either driver.
protocol SQLRow {
    func text(_ column: String) -> String?
    func int(_ column: String) -> Int64?
}

extension SQLRow {
    func string(_ column: String) -> String { text(column) ?? "" }
    func integer(_ column: String) -> Int { Int(int(column) ?? 0) }
    func date(_ column: String) -> Date { Date(milliseconds: int(column) ?? 0) }
    func optionalDate(_ column: String) -> Date? { int(column).map(Date.init(milliseconds:)) }
    func bool(_ column: String) -> Bool { (int(column) ?? 0) != 0 }
}
