import BrokerCore
import BrokerStore
import Foundation
import Testing

/// The single-use and delivery guarantees, on every store.
@Suite("Store conformance: check words, states, outbox, bulk")
struct StoreConformanceRecoveryTests {
    func word(_ id: String, purpose: CheckWordPurpose = .recovery, kind: CheckWord.Kind = .link, at: Date = t0) -> CheckWord {
        CheckWord(id: id, accountId: "a1", purpose: purpose, kind: kind, channel: .email, secretHash: "hash-" + id,
                  address: "m@example.com", createdAt: at, expiresAt: at + 3600)
    }

    @Test(arguments: StoreKind.available)
    func checkWordsAreSingleUseAndSupersedable(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit([.insertAccount(account("a1", email: "m@example.com"))])
        try await store.commit([.insertCheckWord(word("w1")), .insertCheckWord(word("w2", at: t0 + 1)), .insertCheckWord(word("n1", purpose: .notMe))])
        #expect(try await store.checkWord(secretHash: "hash-w1")?.id == "w1")
        #expect(try await store.latestCheckWord(accountId: "a1", purpose: .recovery, kind: .link)?.id == "w2")
        try await store.commit([.consumeCheckWord(id: "w1", at: t0 + 5)])
        await #expect(throws: StoreError.stale) { try await store.commit([.consumeCheckWord(id: "w1", at: t0 + 6)]) }
        try await store.commit([.revokeCheckWords(accountId: "a1", purposes: [.recovery], at: t0 + 7)])
        #expect(try await store.checkWord(secretHash: "hash-w1")?.usedAt == t0 + 5, "used words stay used")
        #expect(try await store.checkWord(secretHash: "hash-w2")?.revokedAt == t0 + 7)
        #expect(try await store.checkWord(secretHash: "hash-n1")?.revokedAt == nil, "other purposes untouched")
        await #expect(throws: StoreError.stale) { try await store.commit([.consumeCheckWord(id: "w2", at: t0 + 8)]) }
    }

    /// Sends to one account racing each other (a user's and an operator's, or two instances on
    /// one PostgreSQL) leave exactly one open word: the newest link works, no other does.
    @Test(arguments: StoreKind.available)
    func racingSupersedesLeaveOneOpenWord(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit([.insertAccount(account("a1", email: "m@example.com"))])
        let sends = 40
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<sends {
                group.addTask {
                    try await store.commit([.revokeCheckWords(accountId: "a1", purposes: [.recovery], at: t0 + Double(i)),
                                            .insertCheckWord(word("w\(i)", at: t0 + Double(i)))])
                }
            }
            try await group.waitForAll()
        }
        var open: [String] = []
        for i in 0..<sends {
            let word = try #require(try await store.checkWord(secretHash: "hash-w\(i)"))
            if word.revokedAt == nil, word.usedAt == nil { open.append(word.id) }
        }
        #expect(open.count == 1, "open words: \(open)")
    }

    @Test(arguments: StoreKind.available)
    func theOpenWordWinsATieOfTimestamps(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit([.insertAccount(account("a1", email: "m@example.com"))])
        // Two sends in one millisecond: the second revoked the first, whose random id sorts last.
        try await store.commit([.insertCheckWord(word("zz-first", kind: .code))])
        try await store.commit([.revokeCheckWords(accountId: "a1", purposes: [.recovery], at: t0), .insertCheckWord(word("aa-second", kind: .code))])
        #expect(try await store.latestCheckWord(accountId: "a1", purpose: .recovery, kind: .code)?.id == "aa-second")
        try await store.commit([.consumeCheckWord(id: "aa-second", at: t0 + 1)])
        #expect(try await store.latestCheckWord(accountId: "a1", purpose: .recovery, kind: .code)?.id == "zz-first",
                "with none open, the newest by time then id")
    }

    /// Housekeeping deletes only what has expired, in batches, and never a dead letter or an account.
    @Test(arguments: StoreKind.available.filter { $0 != .memory })
    func expiredRowsGoTheRestStays(kind: StoreKind) async throws {
        let store = try #require(try await kind.make() as? any BrokerDatabase)
        try await store.commit([.insertAccount(account("a1", email: "m@example.com"))])
        try await store.commit([
            .insertCheckWord(word("old1", at: t0 - 10_000)), .insertCheckWord(word("old2", at: t0 - 10_000)), .insertCheckWord(word("new", at: t0)),
            .insertSession(Session(id: "s-old", tokenHash: "h-old", accountId: "a1", createdAt: t0 - 10_000, expiresAt: t0 - 5_000,
                                   authenticatedAt: t0 - 10_000, methods: ["password"])),
            .insertSession(Session(id: "s-new", tokenHash: "h-new", accountId: "a1", createdAt: t0, expiresAt: t0 + 3_600,
                                   authenticatedAt: t0, methods: ["password"])),
        ])
        _ = try await store.hit(key: "old-window", window: 60, now: t0 - 10_000)
        _ = try await store.hit(key: "new-window", window: 60, now: t0)
        let sent = OutboxMessage(id: "sent", accountId: nil, channel: .email, recipient: "m@example.com", subject: "s", text: "t", html: nil, createdAt: t0 - 10_000)
        var dead = sent
        dead.id = "dead"
        try await store.commit([.enqueueMessage(sent), .enqueueMessage(dead)])
        _ = try await store.claimMessages(limit: 10, now: t0 - 10_000, lease: 30)
        try await store.markSent(id: "sent", at: t0 - 9_000)
        try await store.markFailed(id: "dead", claimedUntil: t0 - 10_000 + 30, error: "gone", retryAt: t0, dead: true)

        let cutoff = t0 - 1_000
        // A batch of one: each kind loses one row a call, until nothing is left to delete.
        #expect(try await store.deleteExpired(windowsBefore: cutoff, expiredBefore: cutoff, sentBefore: cutoff, limit: 1) == 4)
        #expect(try await store.deleteExpired(windowsBefore: cutoff, expiredBefore: cutoff, sentBefore: cutoff, limit: 1) == 1, "the second old word")
        #expect(try await store.deleteExpired(windowsBefore: cutoff, expiredBefore: cutoff, sentBefore: cutoff, limit: 1) == 0)
        #expect(try await store.checkWord(secretHash: "hash-old1") == nil)
        #expect(try await store.checkWord(secretHash: "hash-new") != nil)
        #expect(try await store.session(tokenHash: "h-old") == nil)
        #expect(try await store.session(tokenHash: "h-new") != nil)
        #expect(try await store.peek(key: "old-window", window: 60, now: t0).count == 0)
        #expect(try await store.peek(key: "new-window", window: 60, now: t0).count == 1)
        #expect(try await store.undelivered(limit: 10).map(\.id) == ["dead"], "dead letters stay for an operator")
        #expect(try await store.account(id: "a1") != nil)
    }

    @Test(arguments: StoreKind.available.filter { $0 != .memory })
    func sharedSecretFirstWriterWins(kind: StoreKind) async throws {
        let store = try #require(try await kind.make() as? any BrokerDatabase)
        #expect(try await store.sharedSecret(name: "k", candidate: "first") == "first")
        #expect(try await store.sharedSecret(name: "k", candidate: "second") == "first")
        #expect(try await store.sharedSecret(name: "other", candidate: "third") == "third")
    }

    @Test(arguments: StoreKind.available)
    func codeFailuresKillTheCode(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit([.insertAccount(account("a1", email: "m@example.com")), .insertCheckWord(word("c1", kind: .code))])
        for _ in 0..<3 { try await store.commit([.countCodeFailure(id: "c1", maxAttempts: 3, at: t0 + 1)]) }
        let dead = try #require(try await store.latestCheckWord(accountId: "a1", purpose: .recovery, kind: .code))
        #expect(dead.attempts == 3)
        #expect(dead.revokedAt == t0 + 1)
    }

    @Test(arguments: StoreKind.available)
    func oauthStatesAreSingleUse(kind: StoreKind) async throws {
        let store = try await kind.make()
        let state = OAuthState(id: "s1", stateHash: "sh", bindingHash: "bh", provider: "google", intent: .login, accountId: nil,
                               returnTo: "https://app.example/", locale: "en", createdAt: t0, expiresAt: t0 + 600)
        try await store.commit([.insertOAuthState(state)])
        #expect(try await store.oauthState(stateHash: "sh") == state)
        try await store.commit([.consumeOAuthState(id: "s1", at: t0 + 1)])
        await #expect(throws: StoreError.stale) { try await store.commit([.consumeOAuthState(id: "s1", at: t0 + 2)]) }
    }

    /// A rehearsal runs a send's unit through the store and keeps none of it; a clash in it fails
    /// as the commit would, and the same unit commits afterwards as if nothing had happened.
    @Test(arguments: StoreKind.available)
    func aRehearsalKeepsNothing(kind: StoreKind) async throws {
        let store = try await kind.make()
        let message = OutboxMessage(id: "m1", accountId: "a1", channel: .email, recipient: "m@example.com", subject: "s", text: "t", html: nil, createdAt: t0)
        let unit: [StoreChange] = [
            .insertAccount(account("a1", email: "m@example.com")), .insertCheckWord(word("w1")), .enqueueMessage(message),
            .insertAudit(AuditEvent(id: "e1", accountId: "a1", type: "recovery_requested", actor: "user", at: t0)),
        ]
        #expect(try await store.commit(unit, behind: UnitGate(now: t0), rehearsal: true) == .passed)
        #expect(try await store.account(id: "a1") == nil)
        #expect(try await store.checkWord(secretHash: "hash-w1") == nil)
        #expect(try await store.undelivered(limit: 10).isEmpty)
        #expect(try await store.auditEvents(accountId: "a1", limit: 10).isEmpty)
        try await store.commit(unit)
        #expect(try await store.undelivered(limit: 10).map(\.id) == ["m1"])
        await #expect(throws: StoreError.self) {
            try await store.commit([.insertAccount(account("a2", email: "m@example.com"))], behind: UnitGate(now: t0), rehearsal: true)
        }
        #expect(try await store.account(id: "a2") == nil)
    }

    /// A delivery pass marks its successes sent in one statement, bodies erased, others untouched.
    @Test(arguments: StoreKind.available)
    func aPassMarksItsSuccessesSentTogether(kind: StoreKind) async throws {
        let store = try await kind.make()
        let messages = (0..<7).map { i in
            OutboxMessage(id: "b\(i)", accountId: nil, channel: .email, recipient: "a@example.com", subject: "s", text: "secret body \(i)", html: nil, createdAt: t0)
        }
        try await store.commit(messages.map(StoreChange.enqueueMessage))
        let claimed = try await store.claimMessages(limit: 10, now: t0, lease: 30)
        #expect(claimed.count == 7)
        try await store.markSent(ids: ["b0", "b2", "b4", "b6"], at: t0 + 1)
        let left = try await store.undelivered(limit: 10).map(\.id).sorted()
        #expect(left == ["b1", "b3", "b5"])
        try await store.markSent(ids: [], at: t0 + 2)
        #expect(try await store.undelivered(limit: 10).count == 3)
    }

    @Test(arguments: StoreKind.available)
    func outboxClaimsLeasesAndDeadLetters(kind: StoreKind) async throws {
        let store = try await kind.make()
        let m1 = OutboxMessage(id: "m1", accountId: nil, channel: .email, recipient: "a@example.com", subject: "s", text: "t", html: "<p>h</p>", createdAt: t0)
        var m2 = m1
        m2.id = "m2"
        m2.nextAttemptAt = t0 + 100
        try await store.commit([.enqueueMessage(m1), .enqueueMessage(m2)])
        let first = try await store.claimMessages(limit: 10, now: t0, lease: 30)
        #expect(first.map(\.id) == ["m1"], "only due messages")
        #expect(first.first?.html == "<p>h</p>")
        #expect(try await store.claimMessages(limit: 10, now: t0 + 10, lease: 30).isEmpty, "leased")
        let second = try await store.claimMessages(limit: 10, now: t0 + 31, lease: 30)
        #expect(second.map(\.id) == ["m1"], "the lease ran out")
        #expect(second.first?.claimedUntil == t0 + 61)
        // The first worker's late failure must not undo the second worker's claim.
        try await store.markFailed(id: "m1", claimedUntil: first.first?.claimedUntil, error: "late", retryAt: t0 + 32, dead: false)
        #expect(try await store.undelivered(limit: 10).first { $0.id == "m1" }?.attempts == 0)
        #expect(try await store.claimMessages(limit: 10, now: t0 + 33, lease: 30).isEmpty, "still the second worker's")
        try await store.markFailed(id: "m1", claimedUntil: second.first?.claimedUntil, error: "smtp down", retryAt: t0 + 40, dead: false)
        #expect(try await store.undelivered(limit: 10).first { $0.id == "m1" }?.attempts == 1)
        let third = try await store.claimMessages(limit: 10, now: t0 + 40, lease: 30)
        try await store.markFailed(id: "m1", claimedUntil: third.first?.claimedUntil, error: "smtp still down", retryAt: t0 + 50, dead: true)
        let dead = try #require(try await store.undelivered(limit: 10).first { $0.id == "m1" })
        #expect(dead.state == .dead)
        #expect(dead.lastError == "smtp still down")
        #expect(try await store.claimMessages(limit: 10, now: t0 + 99, lease: 30).isEmpty, "dead letters wait for an operator")
        #expect(try await store.retry(id: "m1", now: t0 + 100))
        #expect(try await store.retry(id: "nope", now: t0 + 100) == false)
        let again = try await store.claimMessages(limit: 10, now: t0 + 100, lease: 30)
        #expect(Set(again.map(\.id)) == ["m1", "m2"])
        try await store.markSent(id: "m1", at: t0 + 101)
        try await store.markSent(id: "m2", at: t0 + 101)
        #expect(try await store.undelivered(limit: 10).isEmpty)
        #expect(try await store.retry(id: "m1", now: t0 + 102) == false, "sent messages stay sent")
    }

    @Test(arguments: StoreKind.available)
    func bulkKeysAndPages(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit([
            .insertAccount(account("b", login: "Bea", email: "bea@example.com", identities: [Identity(provider: "github", subject: "1", createdAt: t0)])),
            .insertAccount(account("a", phone: "+5511999990000")),
            .insertAccount(account("c", login: "carl")),
        ])
        let found = try await store.existingKeys(logins: ["BEA", "nobody"], emails: ["bea@example.com", "x@example.com"], phones: ["+5511999990000"],
                                                 identities: [("github", "1"), ("github", "2")])
        #expect(found == ["login:bea", "email:bea@example.com", "phone:+5511999990000", "identity:github 1"])
        #expect(try await store.accountsPage(after: nil, limit: 2).map(\.id) == ["a", "b"])
        let next = try await store.accountsPage(after: "b", limit: 2)
        #expect(next.map(\.id) == ["c"])
        #expect(try await store.accountsPage(after: "a", limit: 5).first?.identities.map(\.subject) == ["1"])
    }
}
