import BrokerCore
import CCurl
import Foundation
import NIOPosix

/// Email through the system libcurl: `smtp://` upgrades with STARTTLS when the
/// server offers it, `smtps://` is TLS from the start; AUTH when a username is set.
public struct SMTPTransport: MessageTransport {
    let url: String
    let username: String
    let password: Secret
    let from: String
    let threadPool: NIOThreadPool
    public let parallelism: Int

    public init(url: String, username: String, password: Secret, from: String, threadPool: NIOThreadPool = .singleton) {
        broker_curl_global_init()
        self.url = url
        self.username = username
        self.password = password
        self.from = from
        self.threadPool = threadPool
        self.parallelism = threadPool.numberOfThreads
    }

    public func deliver(_ message: OutboxMessage) async throws {
        let data = MIMEMessage.render(message, from: from)
        let envelopeFrom = "<" + MIMEMessage.address(in: from) + ">"
        let recipient = "<" + message.recipient + ">"
        let (url, username, password) = (self.url, self.username, self.password.value)
        // 20 s for the whole SMTP exchange: well inside the worker's 30 s claim, so a hung
        // server's message is given up before another worker may take it.
        try await threadPool.runIfActive {
            var error = [CChar](repeating: 0, count: 256)
            let rc = Array(data.utf8).withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    broker_smtp_send(url, username, password, envelopeFrom, recipient, chars.baseAddress, chars.count, 0, 20, &error)
                }
            }
            if rc != 0 { throw DeliveryError.transport("smtp: " + String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
        }
    }
}
