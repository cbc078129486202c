import BrokerCore
import Synchronization

/// Wraps a real hasher and counts how many passwords it was asked to verify: what the
/// Security rules bound ("at most login_per_account failures are ever checked").
public final class CountingHasher: PasswordHasher {
    let inner: any PasswordHasher
    let verified = Mutex(0)

    public init(_ inner: any PasswordHasher) { self.inner = inner }

    public var verifications: Int { verified.withLock { $0 } }

    public func hash(_ password: Secret) async throws -> String { try await inner.hash(password) }

    public func verify(_ password: Secret, against hash: String) async throws -> PasswordCheck {
        verified.withLock { $0 += 1 }
        return try await inner.verify(password, against: hash)
    }
}
