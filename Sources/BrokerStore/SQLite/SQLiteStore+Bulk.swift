import BrokerCore
import Foundation
import GRDB

/// What bulk import and export need: a whole batch's uniqueness checked in a
/// few queries, and pages of accounts with their identities in two.
extension SQLiteStore {
    public func existingKeys(
        logins: [String], emails: [String], phones: [String], identities: [(provider: String, subject: String)]
    ) async throws -> Set<String> {
        let loginKeys = logins.map { $0.lowercased() }
        let pairs = identities.map { [$0.provider, $0.subject] }
        return try await read { db in
            var found = Set<String>()
            func collect(_ column: String, _ values: [String], prefix: String) throws {
                for chunk in values.chunked(500) where !chunk.isEmpty {
                    let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                    for v in try String.fetchAll(db, sql: "SELECT \(column) FROM accounts WHERE \(column) IN (\(marks))", arguments: StatementArguments(chunk)) {
                        found.insert(prefix + v)
                    }
                }
            }
            try collect("login_key", loginKeys, prefix: "login:")
            try collect("email", emails, prefix: "email:")
            try collect("phone", phones, prefix: "phone:")
            for chunk in pairs.chunked(250) where !chunk.isEmpty {
                let marks = Array(repeating: "(provider = ? AND subject = ?)", count: chunk.count).joined(separator: " OR ")
                for row in try Row.fetchAll(db, sql: "SELECT provider, subject FROM identities WHERE \(marks)", arguments: StatementArguments(chunk.flatMap { $0 })) {
                    found.insert("identity:" + (row["provider"] as String) + " " + (row["subject"] as String))
                }
            }
            return found
        }
    }

    public func accountsPage(after: String?, limit: Int) async throws -> [Account] {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: Queries.accountsPage, arguments: [after ?? "", limit])
            guard !rows.isEmpty else { return [] }
            let ids: [String] = rows.map { $0["id"] }
            var identities: [String: [Identity]] = [:]
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            for row in try Row.fetchAll(db, sql: "SELECT * FROM identities WHERE account_id IN (\(marks)) ORDER BY created_at, provider, subject",
                                        arguments: StatementArguments(ids)) {
                identities[row["account_id"], default: []].append(Queries.identity(GRDBRow(row)))
            }
            return rows.map { Queries.account(GRDBRow($0), identities: identities[$0["id"]] ?? []) }
        }
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
