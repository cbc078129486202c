import BrokerCore

/// Carries one message to its recipient. Throwing means "try again later".
public protocol MessageTransport: Sendable {
    func deliver(_ message: OutboxMessage) async throws
}
