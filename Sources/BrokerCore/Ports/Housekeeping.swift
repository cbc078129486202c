import Foundation

/// Deleting what can never matter again, so the database does not grow without end
/// (every unknown identifier someone tries leaves a rate-limit window behind, every
/// request a check word). Accounts, identities, audit events and dead letters are never touched.
public protocol Housekeeping: Sendable {
    /// Deletes at most `limit` rows of each kind: rate-limit windows that started before
    /// `windowsBefore`; check words, sessions and OAuth states that expired before
    /// `expiredBefore`; messages delivered before `sentBefore`. Returns how many rows went.
    func deleteExpired(windowsBefore: Date, expiredBefore: Date, sentBefore: Date, limit: Int) async throws -> Int
}
