import BrokerCore
import Foundation

/// The reads, as portable SQL, and the mapping of their rows to the model.
enum Queries {
    static let accountColumns = "SELECT * FROM accounts WHERE "
    static let identitiesOfAccount = "SELECT * FROM identities WHERE account_id = ? ORDER BY created_at, provider, subject"
    static let accountOfIdentity = "SELECT account_id FROM identities WHERE provider = ? AND subject = ?"
    static let search = """
        SELECT * FROM accounts
        WHERE login_key LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\' OR phone LIKE ? ESCAPE '\\'
        ORDER BY created_at, id LIMIT ?
        """
    static let sessionByHash = "SELECT * FROM sessions WHERE token_hash = ?"
    static let auditOfAccount = "SELECT * FROM audit_events WHERE account_id = ? ORDER BY at DESC, id LIMIT ?"
    static let checkWordByHash = "SELECT * FROM check_words WHERE secret_hash = ?"
    /// The open word when there is one (a send revokes the older ones, so there is at most one),
    /// else the newest: two sends in one millisecond must not hand back the revoked word.
    /// Two index lookups (the open word through `check_words_open`, the newest through
    /// `check_words_newest`), never a sort of every word the account had.
    static let latestCheckWord = """
        SELECT * FROM (
            SELECT * FROM (SELECT *, 0 AS pick FROM check_words WHERE account_id = ? AND purpose = ? AND kind = ?
                           AND used_at IS NULL AND revoked_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1) AS open_word
            UNION ALL
            SELECT * FROM (SELECT *, 1 AS pick FROM check_words WHERE account_id = ? AND purpose = ? AND kind = ?
                           ORDER BY created_at DESC, id DESC LIMIT 1) AS newest_word
        ) AS candidates ORDER BY pick LIMIT 1
        """
    static let oauthStateByHash = "SELECT * FROM oauth_states WHERE state_hash = ?"
    static let appTokenByHash = "SELECT * FROM app_tokens WHERE token_hash = ?"
    static let signingKeys = "SELECT * FROM signing_keys ORDER BY created_at, kid"
    static let accountsPage = "SELECT * FROM accounts WHERE id > ? ORDER BY id LIMIT ?"
    static let undelivered = "SELECT * FROM outbox WHERE state <> 'sent' ORDER BY created_at, id LIMIT ?"
    static let messagesOfAccount = "SELECT * FROM outbox WHERE account_id = ? ORDER BY created_at DESC, id DESC LIMIT ?"
    static let markSent = """
        UPDATE outbox SET state = 'sent', sent_at = ?, claimed_until = NULL, text_body = '', html_body = NULL, last_error = NULL
        WHERE id = ?
        """
    static let markFailed = """
        UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, claimed_until = NULL, state = ?
        WHERE id = ? AND state = 'pending' AND claimed_until = ?
        """
    /// `markSent` for `count` messages at once.
    static func markSent(count: Int) -> String {
        """
        UPDATE outbox SET state = 'sent', sent_at = ?, claimed_until = NULL, text_body = '', html_body = NULL, last_error = NULL
        WHERE id IN (\(Array(repeating: "?", count: count).joined(separator: ", ")))
        """
    }
    static let retry = "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, claimed_until = NULL WHERE id = ? AND state <> 'sent'"
    /// The common case of a hit, a count added inside a running window, without the upsert:
    /// SQLite rewrites an index entry of every column an UPDATE assigns, changed or not, so the
    /// upsert (which assigns `window_start`) wrote `rate_limits_window` on every hit, twice the
    /// pages. No row: a new key or an ended window, and the upsert follows. Each statement is
    /// atomic, so a concurrent reset between the two is counted right.
    static let rateBump = "UPDATE rate_limits SET count = count + 1 WHERE key = ? AND window_start > ? RETURNING count, window_start"
    static let rateHit = """
        INSERT INTO rate_limits(key, window_start, count) VALUES (?, ?, 1)
        ON CONFLICT(key) DO UPDATE SET
            count = CASE WHEN rate_limits.window_start <= ? THEN 1 ELSE rate_limits.count + 1 END,
            window_start = CASE WHEN rate_limits.window_start <= ? THEN excluded.window_start ELSE rate_limits.window_start END
        RETURNING count, window_start
        """
    static let insertSecret = "INSERT INTO broker_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING"
    static let secretByName = "SELECT value FROM broker_secrets WHERE name = ?"
    /// What `Housekeeping.deleteExpired` runs, each with (cutoff, limit), portable between
    /// SQLite and PostgreSQL (a sub-select by key instead of DELETE ... LIMIT).
    static let deleteExpired: [String] = [
        "DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits WHERE window_start < ? LIMIT ?)",
        "DELETE FROM check_words WHERE id IN (SELECT id FROM check_words WHERE expires_at < ? LIMIT ?)",
        "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at < ? LIMIT ?)",
        "DELETE FROM oauth_states WHERE id IN (SELECT id FROM oauth_states WHERE expires_at < ? LIMIT ?)",
        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state = 'sent' AND sent_at < ? LIMIT ?)",
        "DELETE FROM app_tokens WHERE token_hash IN (SELECT token_hash FROM app_tokens WHERE expires_at < ? LIMIT ?)",
        "DELETE FROM signing_keys WHERE kid IN (SELECT kid FROM signing_keys WHERE listed_until < ? LIMIT ?)",
    ]

    static func expiryCutoffs(windowsBefore: Date, expiredBefore: Date, sentBefore: Date) -> [Int64] {
        [windowsBefore, expiredBefore, expiredBefore, expiredBefore, sentBefore, expiredBefore, expiredBefore].map(\.milliseconds)
    }

    static let ratePeek = "SELECT count, window_start FROM rate_limits WHERE key = ?"
    /// PostgreSQL only: the row lock a unit that supersedes an account's words takes first.
    static let lockAccount = "SELECT id FROM accounts WHERE id = ? FOR UPDATE"
    static let rateReset = "DELETE FROM rate_limits WHERE key = ?"
    /// (key, now): the counter started anew, with no count (`UnitGate.marks`).
    static let rateMark = """
        INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 0)
        ON CONFLICT(key) DO UPDATE SET window_start = excluded.window_start, count = 0
        """
    static let rateRelease = "UPDATE rate_limits SET count = count - 1 WHERE key = ? AND count > 0"

    /// `%text%` for LIKE, with the wildcards of `text` escaped.
    static func likePattern(_ text: String) -> String {
        "%" + text.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
    }

    static func identity(_ r: some SQLRow) -> Identity {
        Identity(provider: r.string("provider"), subject: r.string("subject"), email: r.text("email"), createdAt: r.date("created_at"))
    }

    static func account(_ r: some SQLRow, identities: [Identity]) -> Account {
        Account(
            id: r.string("id"), login: r.text("login"), email: r.text("email"), emailVerified: r.bool("email_verified"),
            phone: r.text("phone"), phoneVerified: r.bool("phone_verified"), passwordHash: r.text("password_hash"),
            state: AccountState(rawValue: r.string("state")) ?? .blocked, locale: r.string("locale"), createdAt: r.date("created_at"),
            updatedAt: r.date("updated_at"), version: r.integer("version"), identities: identities,
            recoveryPausedUntil: r.optionalDate("recovery_paused_until")
        )
    }

    static func session(_ r: some SQLRow) -> Session {
        Session(
            id: r.string("id"), tokenHash: r.string("token_hash"), accountId: r.string("account_id"), createdAt: r.date("created_at"),
            expiresAt: r.date("expires_at"), authenticatedAt: r.date("authenticated_at"),
            methods: r.string("methods").split(separator: ",").map(String.init), revokedAt: r.optionalDate("revoked_at")
        )
    }

    static func auditEvent(_ r: some SQLRow) -> AuditEvent {
        let detail = (try? JSONDecoder().decode([String: String].self, from: Data(r.string("detail").utf8))) ?? [:]
        return AuditEvent(id: r.string("id"), accountId: r.text("account_id"), type: r.string("type"), actor: r.string("actor"), detail: detail,
                          at: r.date("at"))
    }

    static func checkWord(_ r: some SQLRow) -> CheckWord? {
        guard let purpose = CheckWordPurpose(rawValue: r.string("purpose")), let kind = CheckWord.Kind(rawValue: r.string("kind")),
              let channel = Channel(rawValue: r.string("channel"))
        else { return nil }
        return CheckWord(
            id: r.string("id"), accountId: r.string("account_id"), purpose: purpose, kind: kind, channel: channel,
            secretHash: r.string("secret_hash"), address: r.string("address"), createdAt: r.date("created_at"), expiresAt: r.date("expires_at"),
            usedAt: r.optionalDate("used_at"), revokedAt: r.optionalDate("revoked_at"), attempts: r.integer("attempts"), payload: r.text("payload")
        )
    }

    static func message(_ r: some SQLRow) -> OutboxMessage {
        var message = OutboxMessage(
            id: r.string("id"), accountId: r.text("account_id"), channel: Channel(rawValue: r.string("channel")) ?? .email,
            recipient: r.string("recipient"), subject: r.string("subject"), text: r.string("text_body"), html: r.text("html_body"),
            createdAt: r.date("created_at"), state: OutboxMessage.State(rawValue: r.string("state")) ?? .pending,
            attempts: r.integer("attempts"), nextAttemptAt: r.date("next_attempt_at"), lastError: r.text("last_error")
        )
        message.claimedUntil = r.optionalDate("claimed_until")
        return message
    }

    static func appToken(_ r: some SQLRow) -> AppToken? {
        guard let kind = AppToken.Kind(rawValue: r.string("kind")) else { return nil }
        return AppToken(
            hash: r.string("token_hash"), kind: kind, grantId: r.string("grant_id"), clientId: r.string("client_id"),
            accountId: r.string("account_id"), sessionHash: r.string("session_hash"), scope: words(r.string("scope")),
            nonce: r.text("nonce"), redirectURI: r.text("redirect_uri"), codeChallenge: r.text("code_challenge"),
            authTime: r.date("auth_time"), amr: words(r.string("amr")), createdAt: r.date("created_at"), expiresAt: r.date("expires_at"),
            usedAt: r.optionalDate("used_at"), revokedAt: r.optionalDate("revoked_at")
        )
    }

    static func signingKey(_ r: some SQLRow) -> SigningKeyRecord {
        SigningKeyRecord(kid: r.string("kid"), sealedPrivateKey: r.string("private_key"), createdAt: r.date("created_at"),
                         retiredAt: r.optionalDate("retired_at"), listedUntil: r.optionalDate("listed_until"))
    }

    static func words(_ text: String) -> [String] { text.split(separator: " ").map(String.init) }

    static func oauthState(_ r: some SQLRow) -> OAuthState? {
        guard let intent = OAuthState.Intent(rawValue: r.string("intent")) else { return nil }
        return OAuthState(
            id: r.string("id"), stateHash: r.string("state_hash"), bindingHash: r.string("binding_hash"), provider: r.string("provider"),
            intent: intent, accountId: r.text("account_id"), returnTo: r.string("return_to"), locale: r.string("locale"),
            createdAt: r.date("created_at"), expiresAt: r.date("expires_at"), usedAt: r.optionalDate("used_at")
        )
    }
}
