import Foundation

/// A message waiting to be delivered. It is written in the same transaction as
/// the change that caused it, and a worker sends it afterwards with retries.
public struct OutboxMessage: Sendable, Equatable {
    public enum State: String, Sendable { case pending, sent, dead }

    public var id: String
    public var accountId: String?
    public var channel: Channel
    public var recipient: String
    public var subject: String
    public var text: String
    public var html: String?
    public var createdAt: Date
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    /// Until when the worker that claimed it holds it (set on claimed messages only).
    public var claimedUntil: Date?

    public init(
        id: String, accountId: String?, channel: Channel, recipient: String, subject: String, text: String, html: String?,
        createdAt: Date, state: State = .pending, attempts: Int = 0, nextAttemptAt: Date? = nil, lastError: String? = nil
    ) {
        self.id = id
        self.accountId = accountId
        self.channel = channel
        self.recipient = recipient
        self.subject = subject
        self.text = text
        self.html = html
        self.createdAt = createdAt
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt ?? createdAt
        self.lastError = lastError
    }
}
