@testable import BrokerStore
import Foundation
import GRDB
import Testing

/// The writing connection's settings: what keeps the group commit's page writes down.
@Suite("SQLite writer")
struct SQLiteWriterTests {
    func store() async throws -> SQLiteStore {
        let store = try SQLiteStore(path: TempDir.make().appendingPathComponent("broker.sqlite").path)
        try await store.migrate()
        return store
    }

    /// Each unit's savepoint journal stays in memory instead of a temporary file written to
    /// the disk; checkpoints come every 10,000 WAL pages. Readers keep SQLite's defaults.
    @Test func theWriterKeepsItsStatementJournalInMemory() async throws {
        let store = try await store()
        let (tempStore, checkpoint) = try await store.write { db in
            (try Int.fetchOne(db, sql: "PRAGMA temp_store"), try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint"))
        }
        #expect(tempStore == 2)  // MEMORY
        #expect(checkpoint == SQLiteStore.checkpointPages)
        let readerTempStore = try await store.read { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") }
        #expect(readerTempStore == 0)  // DEFAULT
    }

    /// A unit that fails still rolls back alone, its batch neighbours kept, with the
    /// journal in memory: the neighbours' rows are there and the failed unit's are not.
    @Test func aFailedUnitRollsBackAloneBesideItsBatch() async throws {
        let store = try await store()
        try await store.write { db in try db.execute(sql: "CREATE TABLE probe (n INTEGER PRIMARY KEY)") }
        struct Refused: Error {}
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<60 {
                group.addTask {
                    do {
                        try await store.write { db in
                            // Enough rows to journal pages past SQLite's 64 KiB spill size.
                            for k in 0..<50 { try db.execute(sql: "INSERT INTO probe (n) VALUES (?)", arguments: [n * 100 + k]) }
                            if n % 3 == 0 { throw Refused() }
                        }
                        return true
                    } catch { return false }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 40)
        let kept = try await store.read { db in try Int.fetchAll(db, sql: "SELECT DISTINCT n / 100 FROM probe ORDER BY 1") }
        #expect(kept == (0..<60).filter { $0 % 3 != 0 })
        let rows = try await store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM probe") }
        #expect(rows == 40 * 50)
    }
}
