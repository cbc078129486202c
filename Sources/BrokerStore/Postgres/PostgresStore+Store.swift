import BrokerCore
import Foundation
import PostgresNIO

/// The store ports on PostgreSQL, with the shared SQL of `Queries` and `StatementPlan`.
extension PostgresStore {
    func accounts(where condition: String, _ arguments: [SQLValue]) async throws -> [Account] {
        let rows = try await rows(Queries.accountColumns + condition, arguments) { $0 }
        var out: [Account] = []
        for row in rows {
            let identities = try await self.rows(Queries.identitiesOfAccount, [.text(row.string("id"))]) { Queries.identity($0) }
            out.append(Queries.account(row, identities: identities))
        }
        return out
    }

    public func account(id: String) async throws -> Account? { try await accounts(where: "id = ?", [.text(id)]).first }
    public func account(login: String) async throws -> Account? { try await accounts(where: "login_key = ?", [.text(login.lowercased())]).first }
    public func account(email: String) async throws -> Account? { try await accounts(where: "email = ?", [.text(email)]).first }
    public func account(phone: String) async throws -> Account? { try await accounts(where: "phone = ?", [.text(phone)]).first }

    public func account(provider: String, subject: String) async throws -> Account? {
        guard let id = try await rows(Queries.accountOfIdentity, [.text(provider), .text(subject)], map: { $0.text("account_id") }).first ?? nil else {
            return nil
        }
        return try await account(id: id)
    }

    public func searchAccounts(_ text: String, limit: Int) async throws -> [Account] {
        let pattern = Queries.likePattern(text)
        let rows = try await rows(Queries.search, [.text(pattern), .text(pattern), .text(pattern), .int(Int64(limit))]) { $0 }
        var out: [Account] = []
        for row in rows {
            let identities = try await self.rows(Queries.identitiesOfAccount, [.text(row.string("id"))]) { Queries.identity($0) }
            out.append(Queries.account(row, identities: identities))
        }
        return out
    }

    public func session(tokenHash: String) async throws -> Session? {
        try await rows(Queries.sessionByHash, [.text(tokenHash)]) { Queries.session($0) }.first
    }

    public func auditEvents(accountId: String, limit: Int) async throws -> [AuditEvent] {
        try await rows(Queries.auditOfAccount, [.text(accountId), .int(Int64(limit))]) { Queries.auditEvent($0) }
    }

    public func checkWord(secretHash: String) async throws -> CheckWord? {
        try await rows(Queries.checkWordByHash, [.text(secretHash)]) { Queries.checkWord($0) }.first ?? nil
    }

    public func latestCheckWord(accountId: String, purpose: CheckWordPurpose, kind: CheckWord.Kind) async throws -> CheckWord? {
        try await rows(Queries.latestCheckWord, [.text(accountId), .text(purpose.rawValue), .text(kind.rawValue), .text(accountId), .text(purpose.rawValue), .text(kind.rawValue)]) { Queries.checkWord($0) }.first ?? nil
    }

    public func oauthState(stateHash: String) async throws -> OAuthState? {
        try await rows(Queries.oauthStateByHash, [.text(stateHash)]) { Queries.oauthState($0) }.first ?? nil
    }

    public func appToken(hash: String) async throws -> AppToken? {
        try await rows(Queries.appTokenByHash, [.text(hash)]) { Queries.appToken($0) }.first ?? nil
    }

    public func signingKeys() async throws -> [SigningKeyRecord] {
        try await rows(Queries.signingKeys, []) { Queries.signingKey($0) }
    }

    public func existingKeys(
        logins: [String], emails: [String], phones: [String], identities: [(provider: String, subject: String)]
    ) async throws -> Set<String> {
        var found = Set<String>()
        func collect(_ column: String, _ values: [String], prefix: String) async throws {
            for start in stride(from: 0, to: values.count, by: 500) {
                let chunk = Array(values[start..<min(start + 500, values.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for v in try await rows("SELECT \(column) AS v FROM accounts WHERE \(column) IN (\(marks))", chunk.map { .text($0) }, map: { $0.string("v") }) {
                    found.insert(prefix + v)
                }
            }
        }
        try await collect("login_key", logins.map { $0.lowercased() }, prefix: "login:")
        try await collect("email", emails, prefix: "email:")
        try await collect("phone", phones, prefix: "phone:")
        for start in stride(from: 0, to: identities.count, by: 250) {
            let chunk = Array(identities[start..<min(start + 250, identities.count)])
            let marks = Array(repeating: "(provider = ? AND subject = ?)", count: chunk.count).joined(separator: " OR ")
            let args = chunk.flatMap { [SQLValue.text($0.provider), .text($0.subject)] }
            for key in try await rows("SELECT provider, subject FROM identities WHERE \(marks)", args, map: { $0.string("provider") + " " + $0.string("subject") }) {
                found.insert("identity:" + key)
            }
        }
        return found
    }

    public func accountsPage(after: String?, limit: Int) async throws -> [Account] {
        let rows = try await rows(Queries.accountsPage, [.text(after ?? ""), .int(Int64(limit))]) { $0 }
        guard !rows.isEmpty else { return [] }
        let ids = rows.map { $0.string("id") }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        var identities: [String: [Identity]] = [:]
        for (accountId, identity) in try await self.rows(
            "SELECT * FROM identities WHERE account_id IN (\(marks)) ORDER BY created_at, provider, subject", ids.map { .text($0) },
            map: { ($0.string("account_id"), Queries.identity($0)) }
        ) {
            identities[accountId, default: []].append(identity)
        }
        return rows.map { Queries.account($0, identities: identities[$0.string("id")] ?? []) }
    }

    public func ping() async throws {
        _ = try await rows("SELECT 1 AS one", []) { $0.int("one") }
    }

    public func commit(_ changes: [StoreChange]) async throws {
        try await transaction { connection in try await apply(changes, on: connection) }
    }

    /// The limits are counted each in a statement of its own, committed at once: inside the
    /// unit's transaction, every request sharing a counter (one client address, one identifier)
    /// would wait on that counter's row lock until the previous unit's COMMIT had synced, and
    /// the bench measured recovery at 374 req/s that way. Committed first, they still decide
    /// before anything else is written, and they stay whatever follows, as the port says.
    public func commit(_ changes: [StoreChange], behind gate: UnitGate, rehearsal: Bool) async throws -> GateOutcome {
        for limit in gate.limits {
            let count = try await hit(key: limit.key, window: limit.window, now: gate.now)
            if count.count > limit.limit { return .refused(count) }
        }
        // The rest is one transaction: should the changes fail, the window and resets go with them.
        return try await transaction { connection in
            if let window = gate.window, try await hit(key: window.key, window: window.seconds, now: gate.now, on: connection).count > 1 {
                return .windowTaken
            }
            for key in gate.resets { try await run(SQLStatement(Queries.rateReset, [.text(key)]), on: connection) }
            for key in gate.marks { try await run(SQLStatement(Queries.rateMark, [.text(key), .int(gate.now.milliseconds)]), on: connection) }
            if rehearsal { try await run(SQLStatement("SAVEPOINT rehearsal", []), on: connection) }
            try await apply(changes, on: connection)
            if rehearsal { try await run(SQLStatement("ROLLBACK TO SAVEPOINT rehearsal", []), on: connection) }
            return .passed
        }
    }

    /// Every statement of the unit, in order, on the transaction's connection. A unit that
    /// supersedes an account's words first takes that account's row lock: without it, two
    /// sends committing side by side (two instances, or a user's and an operator's) each
    /// revoke what they see, neither sees the other's new word, and two links stay open.
    /// With it the second waits, and its revoke (a new snapshot per statement, read committed)
    /// sees the first's word. Accounts are locked in id order, so two units never wait on each other.
    private func apply(_ changes: [StoreChange], on connection: PostgresConnection) async throws {
        let superseding = Set(changes.compactMap { change -> String? in
            if case .revokeCheckWords(let accountId, _, _) = change { accountId } else { nil }
        })
        for accountId in superseding.sorted() {
            try await run(SQLStatement(Queries.lockAccount, [.text(accountId)]), on: connection)
        }
        for change in changes {
            for statement in StatementPlan.statements(for: change) { try await run(statement, on: connection) }
        }
    }

    // MARK: rate limits

    public func hit(key: String, window: Int, now: Date) async throws -> RateCount {
        let nowMs = now.milliseconds
        let expired = nowMs - Int64(window) * 1000
        let row = try await rows(Queries.rateHit, [.text(key), .int(nowMs), .int(expired), .int(expired)]) { $0 }.first
        return try Self.rateCount(row, window: window, now: now)
    }

    /// `hit` inside a transaction of the caller's.
    private func hit(key: String, window: Int, now: Date, on connection: PostgresConnection) async throws -> RateCount {
        let nowMs = now.milliseconds
        let expired = nowMs - Int64(window) * 1000
        let row = try await run(SQLStatement(Queries.rateHit, [.text(key), .int(nowMs), .int(expired), .int(expired)]), on: connection).first
        return try Self.rateCount(row, window: window, now: now)
    }

    private static func rateCount(_ row: PGRow?, window: Int, now: Date) throws -> RateCount {
        guard let row else { throw StoreError.unavailable("rate limit upsert returned nothing") }
        return RateCount(count: row.integer("count"), resetAt: Date(milliseconds: (row.int("window_start") ?? now.milliseconds) + Int64(window) * 1000))
    }

    public func peek(key: String, window: Int, now: Date) async throws -> RateCount {
        let nowMs = now.milliseconds
        guard let row = try await rows(Queries.ratePeek, [.text(key)], map: { $0 }).first, (row.int("window_start") ?? 0) > nowMs - Int64(window) * 1000 else {
            return RateCount(count: 0, resetAt: now.addingTimeInterval(TimeInterval(window)))
        }
        return RateCount(count: row.integer("count"), resetAt: Date(milliseconds: (row.int("window_start") ?? 0) + Int64(window) * 1000))
    }

    public func started(key: String) async throws -> (start: Date, count: Int)? {
        try await rows(Queries.ratePeek, [.text(key)]) { (Date(milliseconds: $0.int("window_start") ?? 0), $0.integer("count")) }.first
    }

    public func reset(key: String) async throws {
        _ = try await rows(Queries.rateReset, [.text(key)]) { $0 }
    }

    public func release(key: String) async throws {
        _ = try await rows(Queries.rateRelease, [.text(key)]) { $0 }
    }

    // MARK: outbox

    public func claimMessages(limit: Int, now: Date, lease: Int) async throws -> [OutboxMessage] {
        let nowMs = now.milliseconds
        return try await rows("""
            UPDATE outbox SET claimed_until = ?
            WHERE id IN (
                SELECT id FROM outbox
                WHERE state = 'pending' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
                ORDER BY next_attempt_at, created_at LIMIT ?
                FOR UPDATE SKIP LOCKED
            )
            RETURNING *
            """, [.int(nowMs + Int64(lease) * 1000), .int(nowMs), .int(nowMs), .int(Int64(limit))]) { Queries.message($0) }
    }

    public func markSent(id: String, at: Date) async throws {
        _ = try await rows(Queries.markSent, [.int(at.milliseconds), .text(id)]) { $0 }
    }

    public func markSent(ids: [String], at: Date) async throws {
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            _ = try await rows(Queries.markSent(count: chunk.count), [.int(at.milliseconds)] + chunk.map { .text($0) }) { $0 }
        }
    }

    public func markFailed(id: String, claimedUntil: Date?, error: String, retryAt: Date, dead: Bool) async throws {
        _ = try await rows(Queries.markFailed, [
            .text(String(error.prefix(500))), .int(retryAt.milliseconds), .text(dead ? "dead" : "pending"), .text(id),
            .int(claimedUntil?.milliseconds),
        ]) { $0 }
    }

    public func messages(accountId: String, limit: Int) async throws -> [OutboxMessage] {
        try await rows(Queries.messagesOfAccount, [.text(accountId), .int(Int64(limit))]) { Queries.message($0) }
    }

    public func undelivered(limit: Int) async throws -> [OutboxMessage] {
        try await rows(Queries.undelivered, [.int(Int64(limit))]) { Queries.message($0) }
    }

    public func retry(id: String, now: Date) async throws -> Bool {
        try await !rows(Queries.retry + " RETURNING 1 AS changed", [.int(now.milliseconds), .text(id)]) { $0 }.isEmpty
    }

    public func deleteExpired(windowsBefore: Date, expiredBefore: Date, sentBefore: Date, limit: Int) async throws -> Int {
        let cutoffs = Queries.expiryCutoffs(windowsBefore: windowsBefore, expiredBefore: expiredBefore, sentBefore: sentBefore)
        var gone = 0
        for (sql, cutoff) in zip(Queries.deleteExpired, cutoffs) {
            gone += try await rows(sql + " RETURNING 1 AS gone", [.int(cutoff), .int(Int64(limit))]) { $0 }.count
        }
        return gone
    }

    public func sharedSecret(name: String, candidate: String) async throws -> String {
        _ = try await rows(Queries.insertSecret, [.text(name), .text(candidate)]) { $0 }
        guard let value = try await rows(Queries.secretByName, [.text(name)], map: { $0.text("value") }).first ?? nil else {
            throw StoreError.unavailable("secret \(name) missing after insert")
        }
        return value
    }
}
