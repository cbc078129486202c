import BrokerCore
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// Sends what the outbox holds. Each pass claims due messages for a lease (30 s),
/// puts the check-word secrets into them, and hands them to the channel's transport;
/// a failure is retried with exponential backoff from 1 s up to `backoff_max_seconds`,
/// and after `max_attempts` tries the message stays as a dead letter
/// (`broker outbox list`, `broker outbox retry ID`). A crash between claim and
/// send loses nothing: the lease runs out and the message is claimed again.
public final class DeliveryWorker: Service, Sendable {
    public struct Settings: Sendable {
        public var maxAttempts: Int
        public var backoffMaxSeconds: Int
        public var leaseSeconds = 30
        /// The most claimed in one pass; the transports' `parallelism` lowers it (a claimed
        /// message waiting for a thread would use up its lease in the queue, and another
        /// worker would send it too).
        public var batchSize = 256
        public var pollInterval: Duration = .milliseconds(200)

        public init(maxAttempts: Int, backoffMaxSeconds: Int) {
            self.maxAttempts = maxAttempts
            self.backoffMaxSeconds = backoffMaxSeconds
        }
    }

    let outbox: any Outbox
    /// One transport per channel; `init` refuses a map that misses one.
    let transports: [BrokerCore.Channel: any MessageTransport]
    let secrets: CheckWordSecrets
    let clock: any WallClock
    let settings: Settings
    let logger: Logger

    public init(
        outbox: any Outbox, transports: [BrokerCore.Channel: any MessageTransport], secrets: CheckWordSecrets,
        clock: any WallClock, settings: Settings, logger: Logger
    ) {
        precondition(BrokerCore.Channel.allCases.allSatisfy { transports[$0] != nil }, "a transport for every channel")
        self.outbox = outbox
        self.transports = transports
        self.secrets = secrets
        self.clock = clock
        self.settings = settings
        self.logger = logger
    }

    /// Runs passes until the service group shuts down gracefully (SIGTERM). A pass under way then
    /// finishes: each message it claimed is sent or recorded as failed, so no claim is left to run
    /// out and nothing is cut off halfway through an SMTP conversation. Only the wait between
    /// passes is cut short.
    public func run() async throws {
        logger.info("delivery worker started")
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                while try await drainOnce() > 0, !Task.isShuttingDownGracefully, !Task.isCancelled {}
            } catch {
                logger.warning("outbox unavailable", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.settings.pollInterval) }
        }
        logger.info("delivery worker stopped")
    }

    /// One pass: claims a batch and tries each message once. Returns how many it claimed.
    @discardableResult
    public func drainOnce() async throws -> Int {
        let batch = try await outbox.claimMessages(limit: batchSize, now: clock.now(), lease: settings.leaseSeconds)
        let sent = await withTaskGroup(of: String?.self) { group in
            for message in batch { group.addTask { await self.attempt(message) ? message.id : nil } }
            return await group.reduce(into: [String]()) { if let id = $1 { $0.append(id) } }
        }
        // One statement for the pass's successes. Should it fail, their claims run out and they go
        // again: SMTP cannot be exactly-once anyway, and Message-ID lets receivers drop a repeat.
        if !sent.isEmpty { try await outbox.markSent(ids: sent, at: clock.now()) }
        if !sent.isEmpty { logger.info("messages delivered", metadata: ["count": "\(sent.count)"]) }
        for id in sent { logger.debug("message delivered", metadata: ["message": "\(id)"]) }
        return batch.count
    }

    /// No more at once than the slowest transport sends side by side, and no more than the settings allow.
    var batchSize: Int { min(settings.batchSize, transports.values.map(\.parallelism).min() ?? 1) }

    /// Sends one message; false (and the failure recorded) when it did not go.
    func attempt(_ message: OutboxMessage) async -> Bool {
        var revealed = message
        revealed.text = secrets.reveal(message.text)
        revealed.html = message.html.map(secrets.reveal)
        revealed.subject = secrets.reveal(message.subject)
        do {
            guard let transport = transports[message.channel] else { throw DeliveryError.transport("no transport for \(message.channel.rawValue)") }
            try await transport.deliver(revealed)
            return true
        } catch {
            let dead = message.attempts + 1 >= settings.maxAttempts
            let delay = min(Double(settings.backoffMaxSeconds), pow(2, Double(message.attempts)))
            logger.warning("delivery failed", metadata: [
                "message": "\(message.id)", "attempt": "\(message.attempts + 1)", "dead": "\(dead)", "error": "\(error)",
            ])
            try? await outbox.markFailed(id: message.id, claimedUntil: message.claimedUntil, error: "\(error)", retryAt: clock.now().addingTimeInterval(delay), dead: dead)
            return false
        }
    }
}
