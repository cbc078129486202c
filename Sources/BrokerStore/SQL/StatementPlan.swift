import BrokerCore
import Foundation

/// Every write of the unit of work as portable SQL: SQLite and PostgreSQL run
/// exactly these statements, so the two stores cannot drift apart.
enum StatementPlan {
    /// One encoder for every audit event's detail (building one per event showed in the profile).
    static let detailEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    static func statements(for change: StoreChange) -> [SQLStatement] {
        switch change {
        case .insertAccount(let a):
            return [SQLStatement("""
                INSERT INTO accounts (id, login, login_key, email, email_verified, phone, phone_verified, password_hash,
                                      state, locale, created_at, updated_at, version, recovery_paused_until)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [
                    .text(a.id), .text(a.login), .text(a.login?.lowercased()), .text(a.email), .bool(a.emailVerified), .text(a.phone),
                    .bool(a.phoneVerified), .text(a.passwordHash), .text(a.state.rawValue), .text(a.locale), .int(a.createdAt.milliseconds),
                    .int(a.updatedAt.milliseconds), .int(Int64(a.version)), .int(a.recoveryPausedUntil?.milliseconds),
                ])] + a.identities.map { insertIdentity($0, accountId: a.id) }
        case .updateAccount(let a):
            return [SQLStatement("""
                UPDATE accounts SET login = ?, login_key = ?, email = ?, email_verified = ?, phone = ?, phone_verified = ?,
                    password_hash = ?, state = ?, locale = ?, updated_at = ?, recovery_paused_until = ?, version = version + 1
                WHERE id = ? AND version = ?
                """, [
                    .text(a.login), .text(a.login?.lowercased()), .text(a.email), .bool(a.emailVerified), .text(a.phone), .bool(a.phoneVerified),
                    .text(a.passwordHash), .text(a.state.rawValue), .text(a.locale), .int(a.updatedAt.milliseconds),
                    .int(a.recoveryPausedUntil?.milliseconds), .text(a.id), .int(Int64(a.version)),
                ], mustChange: true)]
        case .deleteAccount(let id):
            // Children first: PostgreSQL and SQLite both cascade, this keeps it explicit and portable.
            return [
                SQLStatement("DELETE FROM identities WHERE account_id = ?", [.text(id)]),
                SQLStatement("DELETE FROM sessions WHERE account_id = ?", [.text(id)]),
                SQLStatement("DELETE FROM check_words WHERE account_id = ?", [.text(id)]),
                SQLStatement("DELETE FROM app_tokens WHERE account_id = ?", [.text(id)]),
                SQLStatement("DELETE FROM accounts WHERE id = ?", [.text(id)], mustChange: true),
            ]
        case .insertIdentity(let accountId, let identity):
            return [insertIdentity(identity, accountId: accountId)]
        case .deleteIdentity(let accountId, let provider, let subject):
            return [SQLStatement("DELETE FROM identities WHERE account_id = ? AND provider = ? AND subject = ?",
                                 [.text(accountId), .text(provider), .text(subject)], mustChange: true)]
        case .insertSession(let s):
            return [SQLStatement("""
                INSERT INTO sessions (id, token_hash, account_id, created_at, expires_at, authenticated_at, methods, revoked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [
                    .text(s.id), .text(s.tokenHash), .text(s.accountId), .int(s.createdAt.milliseconds), .int(s.expiresAt.milliseconds),
                    .int(s.authenticatedAt.milliseconds), .text(s.methods.joined(separator: ",")), .int(s.revokedAt?.milliseconds),
                ])]
        case .revokeSessions(let accountId, let except, let at):
            return [SQLStatement("UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL AND token_hash <> ?",
                                 [.int(at.milliseconds), .text(accountId), .text(except ?? "")])]
        case .revokeSession(let tokenHash, let at):
            return [SQLStatement("UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                                 [.int(at.milliseconds), .text(tokenHash)])]
        case .insertAudit(let e):
            let detail = (try? Self.detailEncoder.encode(e.detail)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            return [SQLStatement("INSERT INTO audit_events (id, account_id, type, actor, detail, at) VALUES (?, ?, ?, ?, ?, ?)",
                                 [.text(e.id), .text(e.accountId), .text(e.type), .text(e.actor), .text(detail), .int(e.at.milliseconds)])]
        case .insertCheckWord(let w):
            return [SQLStatement("""
                INSERT INTO check_words (id, account_id, purpose, kind, channel, secret_hash, address, created_at, expires_at,
                                         used_at, revoked_at, attempts, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [
                    .text(w.id), .text(w.accountId), .text(w.purpose.rawValue), .text(w.kind.rawValue), .text(w.channel.rawValue),
                    .text(w.secretHash), .text(w.address), .int(w.createdAt.milliseconds), .int(w.expiresAt.milliseconds),
                    .int(w.usedAt?.milliseconds), .int(w.revokedAt?.milliseconds), .int(Int64(w.attempts)), .text(w.payload),
                ])]
        case .revokeCheckWords(let accountId, let purposes, let at):
            return purposes.map { purpose in
                SQLStatement("""
                    UPDATE check_words SET revoked_at = ?
                    WHERE account_id = ? AND purpose = ? AND used_at IS NULL AND revoked_at IS NULL
                    """, [.int(at.milliseconds), .text(accountId), .text(purpose.rawValue)])
            }
        case .consumeCheckWord(let id, let at):
            return [SQLStatement("UPDATE check_words SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL",
                                 [.int(at.milliseconds), .text(id)], mustChange: true)]
        case .countCodeFailure(let id, let maxAttempts, let at):
            return [SQLStatement("""
                UPDATE check_words SET attempts = attempts + 1,
                    revoked_at = CASE WHEN attempts + 1 >= ? THEN ? ELSE revoked_at END
                WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL
                """, [.int(Int64(maxAttempts)), .int(at.milliseconds), .text(id)])]
        case .enqueueMessage(let m):
            return [SQLStatement("""
                INSERT INTO outbox (id, account_id, channel, recipient, subject, text_body, html_body, created_at, state,
                                    attempts, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [
                    .text(m.id), .text(m.accountId), .text(m.channel.rawValue), .text(m.recipient), .text(m.subject), .text(m.text),
                    .text(m.html), .int(m.createdAt.milliseconds), .text(m.state.rawValue), .int(Int64(m.attempts)),
                    .int(m.nextAttemptAt.milliseconds),
                ])]
        case .insertOAuthState(let o):
            // Expired states are deleted by the Janitor (Housekeeping), not here.
            return [SQLStatement("""
                INSERT INTO oauth_states (id, state_hash, binding_hash, provider, intent, account_id, return_to, locale, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [
                    .text(o.id), .text(o.stateHash), .text(o.bindingHash), .text(o.provider), .text(o.intent.rawValue), .text(o.accountId),
                    .text(o.returnTo), .text(o.locale), .int(o.createdAt.milliseconds), .int(o.expiresAt.milliseconds),
                ])]
        case .consumeOAuthState(let id, let at):
            return [SQLStatement("UPDATE oauth_states SET used_at = ? WHERE id = ? AND used_at IS NULL",
                                 [.int(at.milliseconds), .text(id)], mustChange: true)]
        case .insertAppToken(let t):
            return [SQLStatement("""
                INSERT INTO app_tokens (token_hash, kind, grant_id, client_id, account_id, session_hash, scope, nonce, redirect_uri,
                                        code_challenge, auth_time, amr, created_at, expires_at, used_at, revoked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [
                    .text(t.hash), .text(t.kind.rawValue), .text(t.grantId), .text(t.clientId), .text(t.accountId), .text(t.sessionHash),
                    .text(t.scope.joined(separator: " ")), .text(t.nonce), .text(t.redirectURI), .text(t.codeChallenge),
                    .int(t.authTime.milliseconds), .text(t.amr.joined(separator: " ")), .int(t.createdAt.milliseconds),
                    .int(t.expiresAt.milliseconds), .int(t.usedAt?.milliseconds), .int(t.revokedAt?.milliseconds),
                ])]
        case .consumeAppToken(let hash, let at):
            return [SQLStatement("UPDATE app_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL",
                                 [.int(at.milliseconds), .text(hash)], mustChange: true)]
        case .revokeAppGrant(let grantId, let at):
            return [SQLStatement("UPDATE app_tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL",
                                 [.int(at.milliseconds), .text(grantId)])]
        case .insertSigningKey(let k):
            return [SQLStatement(
                "INSERT INTO signing_keys (kid, private_key, created_at, retired_at, listed_until, current_slot) VALUES (?, ?, ?, ?, ?, ?)",
                [.text(k.kid), .text(k.sealedPrivateKey), .int(k.createdAt.milliseconds), .int(k.retiredAt?.milliseconds),
                 .int(k.listedUntil?.milliseconds), .int(k.retiredAt == nil ? 1 : nil)])]
        case .retireSigningKeys(let kid, let at, let listedUntil):
            return [SQLStatement("UPDATE signing_keys SET retired_at = ?, listed_until = ?, current_slot = NULL WHERE kid <> ? AND retired_at IS NULL",
                                 [.int(at.milliseconds), .int(listedUntil.milliseconds), .text(kid)])]
        }
    }

    static func insertIdentity(_ identity: Identity, accountId: String) -> SQLStatement {
        SQLStatement("INSERT INTO identities (provider, subject, account_id, email, created_at) VALUES (?, ?, ?, ?, ?)",
                     [.text(identity.provider), .text(identity.subject), .text(accountId), .text(identity.email), .int(identity.createdAt.milliseconds)])
    }

    /// Which unique value a constraint guards: "UNIQUE constraint failed: accounts.email" (SQLite)
    /// or "accounts_email_key" (PostgreSQL) -> "email".
    static func field(ofConstraint text: String) -> String {
        if text.contains("login_key") { return "login" }
        if text.contains("accounts.email") || text.contains("accounts_email") { return "email" }
        if text.contains("accounts.phone") || text.contains("accounts_phone") { return "phone" }
        if text.contains("identities") { return "identity" }
        if text.contains("signing_keys") { return "signing_key" }
        if text.contains("accounts.id") || text.contains("accounts_pkey") { return "id" }
        return "value"
    }
}
