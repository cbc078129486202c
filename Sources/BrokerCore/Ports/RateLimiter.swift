import Foundation

/// Fixed-window counters shared by every broker instance (they live in the store).
public protocol RateLimiter: Sendable {
    /// Adds one to `key`'s counter in the current window and returns the new count and when the window ends.
    func hit(key: String, window: Int, now: Date) async throws -> RateCount
    /// The current count without adding to it.
    func peek(key: String, window: Int, now: Date) async throws -> RateCount
    /// When `key`'s counter started and its count, whatever its window; nil when it has none.
    func started(key: String) async throws -> (start: Date, count: Int)?
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

/// The counters in front of a unit of work, taken with it (`AccountStore.commit(_:behind:rehearsal:)`):
/// counted first, then the changes, each count atomic and deciding before anything is written,
/// and on SQLite all of it in one transaction and one wait for the writer.
public struct UnitGate: Sendable {
    /// One attempt counted under `key`; past `limit` in the window the unit stops there.
    public struct Limit: Sendable, Equatable {
        public var key: String
        public var window: Int
        public var limit: Int

        public init(key: String, window: Int, limit: Int) {
            self.key = key
            self.window = window
            self.limit = limit
        }
    }

    /// Counted first and kept, whatever follows.
    public var limits: [Limit]
    /// A window only the first request in it gets through (a resend cooldown): when it is
    /// already open the unit stops there, quietly. Undone with the changes should they fail.
    public var window: (key: String, seconds: Int)?
    /// Counters cleared with the changes (a new code starts its tries again).
    public var resets: [String]
    /// Counters started anew at `now` with no count, with the resets: the stand-in of a code
    /// sent, whose tries then run as on a real code (`CodeCheck`), whether the code went out
    /// or the send was rehearsed.
    public var marks: [String]
    public var now: Date

    public init(limits: [Limit] = [], window: (key: String, seconds: Int)? = nil, resets: [String] = [], marks: [String] = [], now: Date) {
        self.limits = limits
        self.window = window
        self.resets = resets
        self.marks = marks
        self.now = now
    }
}

/// How far a gated unit got.
public enum GateOutcome: Sendable, Equatable {
    /// The changes were committed (or rehearsed).
    case passed
    /// A limit was past: its count, for Retry-After. Nothing after it was counted or changed.
    case refused(RateCount)
    /// The window was already open: the limits were counted, nothing else was changed.
    case windowTaken
}
