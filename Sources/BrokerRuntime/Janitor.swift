import BrokerCore
import Foundation
import Logging
import ServiceLifecycle

/// Every ten minutes, deletes what can never matter again (`Housekeeping`): rate-limit
/// windows past the longest window, check words, sessions and OAuth states a day after they
/// expired (so "expired" stays the answer for a while), delivered messages after a week.
/// Each instance runs one; deleting what another instance already deleted is harmless.
public struct Janitor: Service {
    public struct Retention: Sendable {
        /// The longest window any counter uses (rate limits, the resend cooldown).
        public var longestWindowSeconds: Int
        public var expiredSeconds = CheckWord.keptAfterExpirySeconds
        public var sentSeconds = 7 * 86_400
        public var interval: Duration = .seconds(600)
        /// Rows of each kind per statement, so no sweep holds the database for long.
        public var batch = 5_000

        public init(longestWindowSeconds: Int) { self.longestWindowSeconds = longestWindowSeconds }
    }

    let store: any Housekeeping
    let clock: any WallClock
    let retention: Retention
    let logger: Logger

    public init(store: any Housekeeping, clock: any WallClock, retention: Retention, logger: Logger) {
        self.store = store
        self.clock = clock
        self.retention = retention
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: retention.interval)
                guard !Task.isCancelled else { return }
                do {
                    let gone = try await sweep()
                    if gone > 0 { logger.info("expired rows deleted", metadata: ["rows": "\(gone)"]) }
                } catch {
                    logger.warning("housekeeping failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Deletes in batches until nothing expired is left; returns how many rows went.
    @discardableResult
    public func sweep() async throws -> Int {
        let now = clock.now()
        var total = 0
        while !Task.isCancelled {
            let gone = try await store.deleteExpired(
                windowsBefore: now.addingTimeInterval(-TimeInterval(retention.longestWindowSeconds + 60)),
                expiredBefore: now.addingTimeInterval(-TimeInterval(retention.expiredSeconds)),
                sentBefore: now.addingTimeInterval(-TimeInterval(retention.sentSeconds)),
                limit: retention.batch
            )
            total += gone
            if gone == 0 { break }
        }
        return total
    }
}
