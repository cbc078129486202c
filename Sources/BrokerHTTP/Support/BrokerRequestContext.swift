import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the client's address,
/// which the sign-in and sending throttles count by. It starts as the TCP peer;
/// `ClientAddressMiddleware` replaces it when the peer is a trusted proxy.
public struct BrokerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// 1 MiB: larger bodies answer 413 `payload_too_large`.
    public var maxUploadSize: Int { 1 << 20 }
}
