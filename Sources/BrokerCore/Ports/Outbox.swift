import Foundation

/// The delivery side of the outbox: what the worker and operators use.
/// Messages get in through `StoreChange.enqueueMessage`, inside the writer's transaction.
public protocol Outbox: Sendable {
    /// Takes up to `limit` due messages for `lease` seconds; another worker may take them after that.
    func claimMessages(limit: Int, now: Date, lease: Int) async throws -> [OutboxMessage]
    func markSent(id: String, at: Date) async throws
    /// Marks every message of `ids` sent, in one statement (a delivery pass's successes).
    func markSent(ids: [String], at: Date) async throws
    /// Records a failed try; the message is retried at `retryAt`, or becomes a dead letter when `dead`.
    /// Only while the claim `claimedUntil` still holds: a worker whose lease ran out (and another
    /// took the message) must not reset the other's claim.
    func markFailed(id: String, claimedUntil: Date?, error: String, retryAt: Date, dead: Bool) async throws
    /// The messages of one account whatever their state, newest first (the admin console's account page).
    func messages(accountId: String, limit: Int) async throws -> [OutboxMessage]
    /// Messages not yet delivered (pending and dead), oldest first.
    func undelivered(limit: Int) async throws -> [OutboxMessage]
    /// Puts a dead or pending message back in line for an immediate try; false when there is no such undelivered message.
    func retry(id: String, now: Date) async throws -> Bool
}
