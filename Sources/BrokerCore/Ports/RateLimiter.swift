import Foundation

/// Fixed-window counters shared by every broker instance (they live in the store).
public protocol RateLimiter: Sendable {
    /// Adds one to `key`'s counter in the current window and returns the new count and when the window ends.
    func hit(key: String, window: Int, now: Date) async throws -> RateCount
    /// The current count without adding to it.
    func peek(key: String, window: Int, now: Date) async throws -> RateCount
    func reset(key: String) async throws
    /// Takes back one count from `key` (never below zero): an attempt that was counted before it
    /// was checked, and turned out not to be a failure.
    func release(key: String) async throws
}

public struct RateCount: Sendable, Equatable {
    public var count: Int
    public var resetAt: Date

    public init(count: Int, resetAt: Date) {
        self.count = count
        self.resetAt = resetAt
    }

    /// Whole seconds until the window ends, at least 1: the value of a Retry-After header.
    public func retryAfter(now: Date) -> Int { max(1, Int(resetAt.timeIntervalSince(now).rounded(.up))) }
}
