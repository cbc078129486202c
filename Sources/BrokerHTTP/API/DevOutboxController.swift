import BrokerDelivery
import Foundation
import Hummingbird

/// `GET /dev/outbox` (dev_mode only): what the file transports wrote, newest first,
/// so a developer can click a recovery link without a mail server.
struct DevOutboxController {
    let directories: [String]

    struct Answer: Encodable { var messages: [FileTransport.Record] }

    func addRoutes(to routes: some RouterMethods<BrokerRequestContext>) {
        routes.get("/dev/outbox", use: list)
    }

    @Sendable func list(_ _: Request, context _: BrokerRequestContext) async throws -> Response {
        try JSONResponse.make(Answer(messages: FileTransport.read(directories: directories)))
    }
}
