import BrokerCore

/// A database the broker can run on: every store port, plus its schema and lifecycle.
public protocol BrokerDatabase: AccountStore, RateLimiter, Outbox, Housekeeping {
    /// Applies the migrations not yet applied; returns their ids.
    @discardableResult
    func migrate() async throws -> [String]
    func close() async throws
    /// The file of an embedded database (where `broker.key` lives), nil for a server.
    var localPath: String? { get }
    /// The value kept under `name`; when there is none yet, `candidate` is stored and returned.
    /// The first writer wins, so instances starting together agree on one value.
    func sharedSecret(name: String, candidate: String) async throws -> String
}
