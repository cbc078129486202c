import Foundation

/// A security-relevant change, kept for operators. Events outlive the account they name.
public struct AuditEvent: Sendable, Equatable {
    public var id: String
    public var accountId: String?
    public var type: String
    /// Who did it: "user", "admin", "cli", "system".
    public var actor: String
    public var detail: [String: String]
    public var at: Date

    public init(id: String, accountId: String?, type: String, actor: String, detail: [String: String] = [:], at: Date) {
        self.id = id
        self.accountId = accountId
        self.type = type
        self.actor = actor
        self.detail = detail
        self.at = at
    }
}
