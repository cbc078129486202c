import HummingbirdCore
import NIOHTTPTypes
import NIOCore

/// Closes a connection whose request started but did not finish within the idle timeout.
///
/// Hummingbird's own idle timeout closes a connection that sends nothing at all (or only part
/// of a request head); it restarts with every body part, so a client trickling a byte at a time
/// could hold a connection for ever. This handler gives each request, from its head to its end,
/// the same `server.idle_timeout_seconds` in all (the contract's "no complete request within").
final class RequestDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            deadline?.cancel()
            let channel = context.channel
            deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        case .end:
            deadline?.cancel()
            deadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }
}
