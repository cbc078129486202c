import Foundation

/// A link to an account at a social provider; `subject` is that provider's stable user id.
public struct Identity: Sendable, Equatable {
    public var provider: String
    public var subject: String
    public var email: String?
    public var createdAt: Date

    public init(provider: String, subject: String, email: String? = nil, createdAt: Date) {
        self.provider = provider
        self.subject = subject
        self.email = email
        self.createdAt = createdAt
    }
}
