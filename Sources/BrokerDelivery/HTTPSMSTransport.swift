import BrokerCore
import CCurl
import Foundation
import NIOPosix

/// SMS through a generic HTTP gateway: `POST {"to": "+55...", "text": "..."}`
/// with `Authorization: Bearer <sms.http_token>`; any 2xx is delivered.
public struct HTTPSMSTransport: MessageTransport {
    let url: String
    let token: Secret
    let threadPool: NIOThreadPool
    public let parallelism: Int

    public init(url: String, token: Secret, threadPool: NIOThreadPool = .singleton) {
        broker_curl_global_init()
        self.url = url
        self.token = token
        self.threadPool = threadPool
        self.parallelism = threadPool.numberOfThreads
    }

    public func deliver(_ message: OutboxMessage) async throws {
        let body = String(decoding: try JSONEncoder().encode(["to": message.recipient, "text": message.text]), as: UTF8.self)
        let (url, token) = (self.url, self.token.value)
        try await threadPool.runIfActive {
            var error = [CChar](repeating: 0, count: 256)
            var status = 0
            let rc = body.withCString { broker_http_post_json(url, token, $0, strlen($0), 15, &status, &error) }
            if rc != 0 { throw DeliveryError.transport("sms gateway: " + String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
            guard (200..<300).contains(status) else { throw DeliveryError.transport("sms gateway answered HTTP \(status)") }
        }
    }
}
