/// One step of the schema, in SQL that SQLite and PostgreSQL both accept:
/// TEXT, INTEGER and BIGINT columns only, booleans as 0/1, times as Unix milliseconds.
public struct Migration: Sendable {
    public let id: String
    public let statements: [String]
}
