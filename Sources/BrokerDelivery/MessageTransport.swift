import BrokerCore

/// Carries one message to its recipient. Throwing means "try again later".
public protocol MessageTransport: Sendable {
    func deliver(_ message: OutboxMessage) async throws
    /// How many messages it sends side by side (its threads); the worker claims no more at once,
    /// so no claimed message waits out its lease in a queue.
    var parallelism: Int { get }
}
