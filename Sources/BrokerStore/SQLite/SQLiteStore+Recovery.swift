import BrokerCore
import Foundation
import GRDB

/// Check-word and OAuth-state reads, and the outbox's delivery side.
extension SQLiteStore {
    public func checkWord(secretHash: String) async throws -> CheckWord? {
        try await read { db in try Row.fetchOne(db.cachedStatement(sql: Queries.checkWordByHash), arguments: [secretHash]).flatMap { Queries.checkWord(GRDBRow($0)) } }
    }

    public func latestCheckWord(accountId: String, purpose: CheckWordPurpose, kind: CheckWord.Kind) async throws -> CheckWord? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: Queries.latestCheckWord), arguments: [accountId, purpose.rawValue, kind.rawValue, accountId, purpose.rawValue, kind.rawValue]).flatMap { Queries.checkWord(GRDBRow($0)) }
        }
    }

    public func oauthState(stateHash: String) async throws -> OAuthState? {
        try await read { db in try Row.fetchOne(db.cachedStatement(sql: Queries.oauthStateByHash), arguments: [stateHash]).flatMap { Queries.oauthState(GRDBRow($0)) } }
    }

    public func appToken(hash: String) async throws -> AppToken? {
        try await read { db in try Row.fetchOne(db.cachedStatement(sql: Queries.appTokenByHash), arguments: [hash]).flatMap { Queries.appToken(GRDBRow($0)) } }
    }

    public func signingKeys() async throws -> [SigningKeyRecord] {
        try await read { db in try Row.fetchAll(db.cachedStatement(sql: Queries.signingKeys)).map { Queries.signingKey(GRDBRow($0)) } }
    }

    /// SQLite serialises writers, so a plain UPDATE ... RETURNING claims without races
    /// (PostgreSQL adds FOR UPDATE SKIP LOCKED).
    public func claimMessages(limit: Int, now: Date, lease: Int) async throws -> [OutboxMessage] {
        let nowMs = now.milliseconds
        return try await write { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                UPDATE outbox SET claimed_until = ?
                WHERE id IN (
                    SELECT id FROM outbox
                    WHERE state = 'pending' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
                    ORDER BY next_attempt_at, created_at LIMIT ?
                )
                RETURNING *
                """), arguments: [nowMs + Int64(lease) * 1000, nowMs, nowMs, limit]).map { Queries.message(GRDBRow($0)) }
        }
    }

    public func markSent(id: String, at: Date) async throws {
        // The bodies go once delivered: nothing to leak later, and nothing to resend by mistake.
        try await write { db in try db.cachedStatement(sql: Queries.markSent).execute(arguments: [at.milliseconds, id]) }
    }

    public func markSent(ids: [String], at: Date) async throws {
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            try await write { db in
                try db.execute(sql: Queries.markSent(count: chunk.count), arguments: StatementArguments([at.milliseconds] + chunk.map { $0 as (any DatabaseValueConvertible) }))
            }
        }
    }

    public func markFailed(id: String, claimedUntil: Date?, error: String, retryAt: Date, dead: Bool) async throws {
        try await write { db in
            try db.cachedStatement(sql: Queries.markFailed).execute(arguments: [
                String(error.prefix(500)), retryAt.milliseconds, dead ? "dead" : "pending", id, claimedUntil?.milliseconds,
            ])
        }
    }

    public func messages(accountId: String, limit: Int) async throws -> [OutboxMessage] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: Queries.messagesOfAccount), arguments: [accountId, limit]).map { Queries.message(GRDBRow($0)) }
        }
    }

    public func undelivered(limit: Int) async throws -> [OutboxMessage] {
        try await read { db in try Row.fetchAll(db.cachedStatement(sql: Queries.undelivered), arguments: [limit]).map { Queries.message(GRDBRow($0)) } }
    }

    public func retry(id: String, now: Date) async throws -> Bool {
        try await write { db in
            try db.cachedStatement(sql: Queries.retry).execute(arguments: [now.milliseconds, id])
            return db.changesCount == 1
        }
    }

    public func deleteExpired(windowsBefore: Date, expiredBefore: Date, sentBefore: Date, limit: Int) async throws -> Int {
        let cutoffs = Queries.expiryCutoffs(windowsBefore: windowsBefore, expiredBefore: expiredBefore, sentBefore: sentBefore)
        return try await write { db in
            var gone = 0
            for (sql, cutoff) in zip(Queries.deleteExpired, cutoffs) {
                try db.cachedStatement(sql: sql).execute(arguments: [cutoff, limit])
                gone += db.changesCount
            }
            return gone
        }
    }

    public func sharedSecret(name: String, candidate: String) async throws -> String {
        try await write { db in
            try db.cachedStatement(sql: Queries.insertSecret).execute(arguments: [name, candidate])
            return try String.fetchOne(db.cachedStatement(sql: Queries.secretByName), arguments: [name]) ?? candidate
        }
    }
}
