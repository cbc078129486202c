import BrokerCore
import BrokerStore
import Foundation
import Testing

/// A unit behind a gate (the sends' limits, cooldown and code-try reset, counted in the
/// unit's own transaction), on every store.
@Suite("Store conformance: gated units")
struct GateConformanceTests {
    func event(_ id: String) -> StoreChange {
        .insertAudit(AuditEvent(id: id, accountId: "a1", type: "recovery_requested", actor: "user", at: t0))
    }

    func events(_ store: some AccountStore) async throws -> Set<String> {
        Set(try await store.auditEvents(accountId: "a1", limit: 100).map(\.id))
    }

    func gate(limit: Int, window: Bool = false, resets: [String] = []) -> UnitGate {
        UnitGate(limits: [.init(key: "send:id:a", window: 900, limit: limit), .init(key: "send:addr:x", window: 900, limit: 1000)],
                 window: window ? (key: "cooldown:a1:email", seconds: 60) : nil, resets: resets, now: t0)
    }

    @Test(arguments: StoreKind.available)
    func countsComeFirstAndPastALimitNothingElseHappens(kind: StoreKind) async throws {
        let store = try await kind.make()
        #expect(try await store.commit([event("e1")], behind: gate(limit: 2), rehearsal: false) == .passed)
        #expect(try await store.commit([event("e2")], behind: gate(limit: 2), rehearsal: false) == .passed)
        let refused = try await store.commit([event("e3")], behind: gate(limit: 2), rehearsal: false)
        #expect(refused == .refused(RateCount(count: 3, resetAt: t0 + 900)))
        #expect(try await events(store) == ["e1", "e2"])
        #expect(try await store.peek(key: "send:id:a", window: 900, now: t0).count == 3, "a refused attempt is counted too")
        #expect(try await store.peek(key: "send:addr:x", window: 900, now: t0).count == 2, "the counts after a refusal are not taken")
    }

    @Test(arguments: StoreKind.available)
    func anOpenWindowStopsTheUnitQuietly(kind: StoreKind) async throws {
        let store = try await kind.make()
        #expect(try await store.commit([event("e1")], behind: gate(limit: 10, window: true), rehearsal: false) == .passed)
        #expect(try await store.commit([event("e2")], behind: gate(limit: 10, window: true), rehearsal: false) == .windowTaken)
        #expect(try await events(store) == ["e1"])
        #expect(try await store.peek(key: "send:id:a", window: 900, now: t0).count == 2, "the limits count it still")
    }

    /// Changes that fail take the window and the resets with them (the person's next try must not
    /// wait out a window for a message that never went); the counts stay.
    @Test(arguments: StoreKind.available)
    func failingChangesKeepTheCountsAndUndoTheRest(kind: StoreKind) async throws {
        let store = try await kind.make()
        _ = try await store.hit(key: "code:tries", window: 900, now: t0)
        try await store.commit([.insertAccount(account("taken", email: "taken@example.com"))])
        await #expect(throws: StoreError.conflict(field: "email")) {
            try await store.commit([event("e1"), .insertAccount(account("b", email: "taken@example.com"))],
                                   behind: gate(limit: 10, window: true, resets: ["code:tries"]), rehearsal: false)
        }
        #expect(try await events(store).isEmpty)
        #expect(try await store.peek(key: "send:id:a", window: 900, now: t0).count == 1)
        #expect(try await store.peek(key: "code:tries", window: 900, now: t0).count == 1, "the reset went with the changes")
        #expect(try await store.commit([event("e2")], behind: gate(limit: 10, window: true), rehearsal: false) == .passed,
                "the window went with the changes")
    }

    /// A rehearsal (an unknown identifier's request) keeps the counts, the window and the resets,
    /// as a known identifier's send does, and nothing of the changes.
    @Test(arguments: StoreKind.available)
    func aRehearsalKeepsTheGateAndNothingElse(kind: StoreKind) async throws {
        let store = try await kind.make()
        _ = try await store.hit(key: "code:tries", window: 900, now: t0)
        let standIn = account("stand-in")
        #expect(try await store.commit([.insertAccount(standIn), event("e1")],
                                       behind: gate(limit: 10, window: true, resets: ["code:tries"]), rehearsal: true) == .passed)
        #expect(try await store.account(id: "stand-in") == nil)
        #expect(try await events(store).isEmpty)
        #expect(try await store.peek(key: "send:id:a", window: 900, now: t0).count == 1)
        #expect(try await store.peek(key: "code:tries", window: 900, now: t0).count == 0)
        #expect(try await store.commit([event("e2")], behind: gate(limit: 10, window: true), rehearsal: true) == .windowTaken)
    }

    /// Racing units behind one limit: exactly the limit's number get through, because each
    /// counts before it writes, in its own transaction.
    @Test(arguments: StoreKind.available)
    func racingUnitsNeverOvertakeTheLimit(kind: StoreKind) async throws {
        let store = try await kind.make()
        let outcomes = try await withThrowingTaskGroup(of: GateOutcome.self) { group in
            for i in 0..<60 {
                group.addTask { try await store.commit([self.event("e\(i)")], behind: self.gate(limit: 10), rehearsal: false) }
            }
            return try await group.reduce(into: [GateOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .passed }.count == 10)
        #expect(try await events(store).count == 10)
        #expect(try await store.peek(key: "send:id:a", window: 900, now: t0).count == 60)
    }
}
