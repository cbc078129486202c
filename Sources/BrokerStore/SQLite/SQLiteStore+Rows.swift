import BrokerCore
import Foundation
import GRDB

/// Mapping between rows and the domain model, and the SQL of each change.
extension SQLiteStore {
    static func fetchAccount(_ db: Database, where condition: String, _ arguments: StatementArguments) throws -> Account? {
        try Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE " + condition, arguments: arguments).map { try account(from: $0, db) }
    }

    static func account(from row: Row, _ db: Database) throws -> Account {
        let id: String = row["id"]
        let identities = try Row.fetchAll(
            db, sql: "SELECT * FROM identities WHERE account_id = ? ORDER BY created_at, provider, subject", arguments: [id]
        ).map { Identity(provider: $0["provider"], subject: $0["subject"], email: $0["email"], createdAt: Date(milliseconds: $0["created_at"])) }
        return account(from: row, identities: identities)
    }

    static func account(from row: Row, identities: [Identity]) -> Account {
        let id: String = row["id"]
        return Account(
            id: id, login: row["login"], email: row["email"], emailVerified: (row["email_verified"] as Int) != 0,
            phone: row["phone"], phoneVerified: (row["phone_verified"] as Int) != 0, passwordHash: row["password_hash"],
            state: AccountState(rawValue: row["state"]) ?? .blocked, locale: row["locale"],
            createdAt: Date(milliseconds: row["created_at"]), updatedAt: Date(milliseconds: row["updated_at"]),
            version: row["version"], identities: identities,
            recoveryPausedUntil: (row["recovery_paused_until"] as Int64?).map(Date.init(milliseconds:))
        )
    }

    static func session(from row: Row) -> Session {
        Session(
            id: row["id"], tokenHash: row["token_hash"], accountId: row["account_id"],
            createdAt: Date(milliseconds: row["created_at"]), expiresAt: Date(milliseconds: row["expires_at"]),
            authenticatedAt: Date(milliseconds: row["authenticated_at"]),
            methods: (row["methods"] as String).split(separator: ",").map(String.init),
            revokedAt: (row["revoked_at"] as Int64?).map(Date.init(milliseconds:))
        )
    }

    static func auditEvent(from row: Row) -> AuditEvent {
        let detailJSON: String = row["detail"]
        let detail = (try? JSONDecoder().decode([String: String].self, from: Data(detailJSON.utf8))) ?? [:]
        return AuditEvent(id: row["id"], accountId: row["account_id"], type: row["type"], actor: row["actor"], detail: detail, at: Date(milliseconds: row["at"]))
    }

    static func apply(_ change: StoreChange, _ db: Database) throws {
        switch change {
        case .insertAccount(let a):
            try db.cachedStatement(sql: """
                INSERT INTO accounts (id, login, login_key, email, email_verified, phone, phone_verified, password_hash,
                                      state, locale, created_at, updated_at, version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    a.id, a.login, a.login?.lowercased(), a.email, a.emailVerified ? 1 : 0, a.phone, a.phoneVerified ? 1 : 0,
                    a.passwordHash, a.state.rawValue, a.locale, a.createdAt.milliseconds, a.updatedAt.milliseconds, a.version,
                ])
            for identity in a.identities { try insertIdentity(identity, accountId: a.id, db) }
        case .updateAccount(let a):
            try db.execute(sql: """
                UPDATE accounts SET login = ?, login_key = ?, email = ?, email_verified = ?, phone = ?, phone_verified = ?,
                    password_hash = ?, state = ?, locale = ?, updated_at = ?, recovery_paused_until = ?, version = version + 1
                WHERE id = ? AND version = ?
                """, arguments: [
                    a.login, a.login?.lowercased(), a.email, a.emailVerified ? 1 : 0, a.phone, a.phoneVerified ? 1 : 0,
                    a.passwordHash, a.state.rawValue, a.locale, a.updatedAt.milliseconds, a.recoveryPausedUntil?.milliseconds,
                    a.id, a.version,
                ])
            guard db.changesCount == 1 else { throw StoreError.stale }
        case .deleteAccount(let id):
            try db.execute(sql: "DELETE FROM accounts WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw StoreError.stale }
        case .insertIdentity(let accountId, let identity):
            try insertIdentity(identity, accountId: accountId, db)
        case .deleteIdentity(let accountId, let provider, let subject):
            try db.execute(
                sql: "DELETE FROM identities WHERE account_id = ? AND provider = ? AND subject = ?", arguments: [accountId, provider, subject]
            )
            guard db.changesCount == 1 else { throw StoreError.stale }
        case .insertSession(let s):
            try db.execute(sql: """
                INSERT INTO sessions (id, token_hash, account_id, created_at, expires_at, authenticated_at, methods, revoked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    s.id, s.tokenHash, s.accountId, s.createdAt.milliseconds, s.expiresAt.milliseconds,
                    s.authenticatedAt.milliseconds, s.methods.joined(separator: ","), s.revokedAt?.milliseconds,
                ])
        case .revokeSessions(let accountId, let except, let at):
            try db.execute(
                sql: "UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL AND token_hash <> ?",
                arguments: [at.milliseconds, accountId, except ?? ""]
            )
        case .revokeSession(let tokenHash, let at):
            try db.execute(
                sql: "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL", arguments: [at.milliseconds, tokenHash]
            )
        case .insertCheckWord(let w):
            try db.execute(sql: """
                INSERT INTO check_words (id, account_id, purpose, kind, channel, secret_hash, address, created_at, expires_at,
                                         used_at, revoked_at, attempts, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    w.id, w.accountId, w.purpose.rawValue, w.kind.rawValue, w.channel.rawValue, w.secretHash, w.address,
                    w.createdAt.milliseconds, w.expiresAt.milliseconds, w.usedAt?.milliseconds, w.revokedAt?.milliseconds, w.attempts,
                    w.payload,
                ])
        case .insertOAuthState(let o):
            try db.execute(sql: """
                INSERT INTO oauth_states (id, state_hash, binding_hash, provider, intent, account_id, return_to, locale, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    o.id, o.stateHash, o.bindingHash, o.provider, o.intent.rawValue, o.accountId, o.returnTo, o.locale,
                    o.createdAt.milliseconds, o.expiresAt.milliseconds,
                ])
            // Old, finished flows go as new ones arrive: the table stays small without a sweeper.
            try db.execute(sql: "DELETE FROM oauth_states WHERE expires_at < ?", arguments: [o.createdAt.milliseconds - 86_400_000])
        case .consumeOAuthState(let id, let at):
            try db.execute(sql: "UPDATE oauth_states SET used_at = ? WHERE id = ? AND used_at IS NULL", arguments: [at.milliseconds, id])
            guard db.changesCount == 1 else { throw StoreError.stale }
        case .revokeCheckWords(let accountId, let purposes, let at):
            for purpose in purposes {
                try db.execute(sql: """
                    UPDATE check_words SET revoked_at = ?
                    WHERE account_id = ? AND purpose = ? AND used_at IS NULL AND revoked_at IS NULL
                    """, arguments: [at.milliseconds, accountId, purpose.rawValue])
            }
        case .consumeCheckWord(let id, let at):
            try db.execute(
                sql: "UPDATE check_words SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL",
                arguments: [at.milliseconds, id]
            )
            guard db.changesCount == 1 else { throw StoreError.stale }
        case .countCodeFailure(let id, let maxAttempts, let at):
            try db.execute(sql: """
                UPDATE check_words SET attempts = attempts + 1,
                    revoked_at = CASE WHEN attempts + 1 >= ? THEN ? ELSE revoked_at END
                WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL
                """, arguments: [maxAttempts, at.milliseconds, id])
        case .enqueueMessage(let m):
            try db.execute(sql: """
                INSERT INTO outbox (id, account_id, channel, recipient, subject, text_body, html_body, created_at, state,
                                    attempts, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    m.id, m.accountId, m.channel.rawValue, m.recipient, m.subject, m.text, m.html, m.createdAt.milliseconds,
                    m.state.rawValue, m.attempts, m.nextAttemptAt.milliseconds,
                ])
        case .insertAudit(let e):
            let detail = String(decoding: try JSONEncoder().encode(e.detail), as: UTF8.self)
            try db.execute(
                sql: "INSERT INTO audit_events (id, account_id, type, actor, detail, at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [e.id, e.accountId, e.type, e.actor, detail, e.at.milliseconds]
            )
        }
    }

    static func checkWord(from row: Row) -> CheckWord? {
        guard let purpose = CheckWordPurpose(rawValue: row["purpose"]), let kind = CheckWord.Kind(rawValue: row["kind"]),
              let channel = Channel(rawValue: row["channel"])
        else { return nil }
        return CheckWord(
            id: row["id"], accountId: row["account_id"], purpose: purpose, kind: kind, channel: channel, secretHash: row["secret_hash"],
            address: row["address"], createdAt: Date(milliseconds: row["created_at"]), expiresAt: Date(milliseconds: row["expires_at"]),
            usedAt: (row["used_at"] as Int64?).map(Date.init(milliseconds:)), revokedAt: (row["revoked_at"] as Int64?).map(Date.init(milliseconds:)),
            attempts: row["attempts"], payload: row["payload"]
        )
    }

    static func oauthState(from row: Row) -> OAuthState? {
        guard let intent = OAuthState.Intent(rawValue: row["intent"]) else { return nil }
        return OAuthState(
            id: row["id"], stateHash: row["state_hash"], bindingHash: row["binding_hash"], provider: row["provider"], intent: intent,
            accountId: row["account_id"], returnTo: row["return_to"], locale: row["locale"], createdAt: Date(milliseconds: row["created_at"]),
            expiresAt: Date(milliseconds: row["expires_at"]), usedAt: (row["used_at"] as Int64?).map(Date.init(milliseconds:))
        )
    }

    static func message(from row: Row) -> OutboxMessage {
        OutboxMessage(
            id: row["id"], accountId: row["account_id"], channel: Channel(rawValue: row["channel"]) ?? .email, recipient: row["recipient"],
            subject: row["subject"], text: row["text_body"], html: row["html_body"], createdAt: Date(milliseconds: row["created_at"]),
            state: OutboxMessage.State(rawValue: row["state"]) ?? .pending, attempts: row["attempts"],
            nextAttemptAt: Date(milliseconds: row["next_attempt_at"]), lastError: row["last_error"]
        )
    }

    private static func insertIdentity(_ identity: Identity, accountId: String, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO identities (provider, subject, account_id, email, created_at) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [identity.provider, identity.subject, accountId, identity.email, identity.createdAt.milliseconds])
    }
}

extension Date {
    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    init(milliseconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(milliseconds) / 1000) }
}
