import Foundation
import GRDB
import Synchronization

/// SQLite's one writer, committing queued units of work together (group commit).
///
/// Every write of the store is a unit: a closure run in a savepoint of its own. Units that
/// arrive while a batch is being written wait for the next one; a batch is one immediate
/// transaction and one COMMIT, and every caller in it is resumed after that COMMIT (or with
/// its error). A unit that throws rolls back its savepoint alone: the others of its batch
/// are kept. If the transaction itself is lost (the disk is full, the COMMIT fails), every
/// unit of the batch fails and nothing of it is kept.
///
/// Alone, a unit costs what a transaction of its own did. Under load, WAL pages shared by
/// many units (an index's last page, the outbox's tail) are written once per batch instead
/// of once per unit: what bounded the recovery request on this store was that page traffic.
final class GroupCommitWriter: Sendable {
    /// The most units in one transaction: a batch holds the writer, so it stays short.
    static let maxBatch = 256

    private let pool: DatabasePool
    private let state = Mutex(State())

    private struct State: ~Copyable {
        var queue: [any PendingUnit] = []
        var draining = false
    }

    init(pool: DatabasePool) { self.pool = pool }

    /// Runs `body` in the next batch; returns its result once the batch is committed.
    func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let unit = Pending(body: body, continuation: continuation)
            let start = state.withLock { state in
                state.queue.append(unit)
                defer { state.draining = true }
                return !state.draining
            }
            if start { pool.asyncWriteWithoutTransaction { db in self.drain(db) } }
        }
    }

    /// On the writer's thread: batches until the queue is empty.
    private func drain(_ db: Database) {
        while true {
            let batch: [any PendingUnit] = state.withLock { state in
                let taken = Array(state.queue.prefix(Self.maxBatch))
                state.queue.removeFirst(taken.count)
                if taken.isEmpty { state.draining = false }
                return taken
            }
            if batch.isEmpty { return }
            do {
                try db.inTransaction(.immediate) {
                    for unit in batch {
                        unit.run(db)
                        // An error that aborts the transaction (not a constraint, which aborts a
                        // statement) leaves nothing to commit the rest into.
                        guard db.isInsideTransaction else { throw TransactionLost() }
                    }
                    return .commit
                }
                for unit in batch { unit.finish(committed: nil) }
            } catch {
                for unit in batch { unit.finish(committed: error) }
            }
        }
    }

    struct TransactionLost: Error, CustomStringConvertible {
        var description: String { "the transaction was rolled back by SQLite; nothing of this batch was kept" }
    }
}

/// A queued unit, type-erased so that units of any result share the queue.
private protocol PendingUnit: AnyObject, Sendable {
    /// Runs the unit in a savepoint and keeps its outcome.
    func run(_ db: Database)
    /// Resumes the caller: with the unit's outcome if the batch committed, else with `committed`.
    func finish(committed error: (any Error)?)
}

/// One caller's unit. Only the writer's thread touches `outcome`, between `run` and `finish`.
private final class Pending<T: Sendable>: PendingUnit, @unchecked Sendable {
    let body: @Sendable (Database) throws -> T
    let continuation: CheckedContinuation<T, any Error>
    var outcome: Result<T, any Error>?

    init(body: @Sendable @escaping (Database) throws -> T, continuation: CheckedContinuation<T, any Error>) {
        self.body = body
        self.continuation = continuation
    }

    func run(_ db: Database) {
        outcome = Result {
            var value: T?
            try db.inSavepoint {
                value = try body(db)
                return .commit
            }
            return value!
        }
    }

    func finish(committed error: (any Error)?) {
        if let error {
            continuation.resume(throwing: error)
        } else {
            continuation.resume(with: outcome ?? .failure(GroupCommitWriter.TransactionLost()))
        }
    }
}
