import BrokerCore
import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the client's address,
/// which the sign-in and sending throttles count by. It starts as the TCP peer;
/// `ClientAddressMiddleware` replaces it when the peer is a trusted proxy.
public struct BrokerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var clientAddress: String?
    /// Set by `SessionAuthenticator` on the groups that read sessions.
    var signedIn: SignedIn?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The signed-in session, or 401 `unauthenticated`.
    func requireSignedIn() throws -> SignedIn {
        guard let signedIn else { throw BrokerError.unauthenticated }
        return signedIn
    }

    /// 1 MiB: larger bodies answer 413 `payload_too_large`.
    public var maxUploadSize: Int { 1 << 20 }
}
