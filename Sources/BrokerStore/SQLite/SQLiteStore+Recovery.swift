import BrokerCore
import Foundation
import GRDB

/// Check-word reads and the outbox's delivery side.
extension SQLiteStore: Outbox {
    public func checkWord(secretHash: String) async throws -> CheckWord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM check_words WHERE secret_hash = ?", arguments: [secretHash]).flatMap(Self.checkWord(from:))
        }
    }

    public func latestCheckWord(accountId: String, purpose: CheckWordPurpose, kind: CheckWord.Kind) async throws -> CheckWord? {
        try await read { db in
            try Row.fetchOne(db, sql: """
                SELECT * FROM check_words WHERE account_id = ? AND purpose = ? AND kind = ? ORDER BY created_at DESC, id DESC LIMIT 1
                """, arguments: [accountId, purpose.rawValue, kind.rawValue]).flatMap(Self.checkWord(from:))
        }
    }

    public func lastCheckWordSent(accountId: String, purpose: CheckWordPurpose, channel: Channel) async throws -> Date? {
        try await read { db in
            try Int64.fetchOne(db, sql: """
                SELECT max(created_at) FROM check_words WHERE account_id = ? AND purpose = ? AND channel = ?
                """, arguments: [accountId, purpose.rawValue, channel.rawValue]).map(Date.init(milliseconds:))
        }
    }

    public func oauthState(stateHash: String) async throws -> OAuthState? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM oauth_states WHERE state_hash = ?", arguments: [stateHash]).flatMap(Self.oauthState(from:))
        }
    }

    public func claimMessages(limit: Int, now: Date, lease: Int) async throws -> [OutboxMessage] {
        let nowMs = now.milliseconds
        return try await write { db in
            try Row.fetchAll(db, sql: """
                UPDATE outbox SET claimed_until = ?
                WHERE id IN (
                    SELECT id FROM outbox
                    WHERE state = 'pending' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
                    ORDER BY next_attempt_at, created_at LIMIT ?
                )
                RETURNING *
                """, arguments: [nowMs + Int64(lease) * 1000, nowMs, nowMs, limit]).map(Self.message(from:))
        }
    }

    public func markSent(id: String, at: Date) async throws {
        // The bodies go once delivered: nothing to leak later, and nothing to resend by mistake.
        try await write { db in
            try db.execute(sql: """
                UPDATE outbox SET state = 'sent', sent_at = ?, claimed_until = NULL, text_body = '', html_body = NULL, last_error = NULL
                WHERE id = ?
                """, arguments: [at.milliseconds, id])
        }
    }

    public func markFailed(id: String, error: String, retryAt: Date, dead: Bool) async throws {
        try await write { db in
            try db.execute(sql: """
                UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, claimed_until = NULL, state = ?
                WHERE id = ? AND state = 'pending'
                """, arguments: [String(error.prefix(500)), retryAt.milliseconds, dead ? "dead" : "pending", id])
        }
    }

    public func undelivered(limit: Int) async throws -> [OutboxMessage] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE state <> 'sent' ORDER BY created_at, id LIMIT ?", arguments: [limit])
                .map(Self.message(from:))
        }
    }

    public func retry(id: String, now: Date) async throws -> Bool {
        try await write { db in
            try db.execute(sql: """
                UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, claimed_until = NULL WHERE id = ? AND state <> 'sent'
                """, arguments: [now.milliseconds, id])
            return db.changesCount == 1
        }
    }
}
