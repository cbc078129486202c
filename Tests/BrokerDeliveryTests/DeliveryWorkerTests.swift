import BrokerCore
import BrokerDelivery
import BrokerTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// A transport that refuses its first `failures` messages, the way a mail server that is down does.
final class FlakyTransport: MessageTransport {
    let failures: Mutex<Int>
    init(failures: Int) { self.failures = Mutex(failures) }
    var parallelism: Int { 4 }

    func deliver(_ message: OutboxMessage) async throws {
        let fail = failures.withLock { n in defer { n -= 1 }; return n > 0 }
        if fail { throw DeliveryError.transport("connection refused") }
    }
}

/// The delivery worker's rules against the in-memory outbox and a manual clock; the real
/// transports (SMTP to aiosmtpd, the SMS gateway) are the end-to-end suite's.
@Suite("Delivery worker")
struct DeliveryWorkerTests {
    static let secrets = CheckWordSecrets(key: Data(repeating: 3, count: 32))

    func message(_ store: InMemoryStore, clock: ManualClock, channel: Channel = .email, text: String) async throws -> OutboxMessage {
        let m = OutboxMessage(id: UUID().uuidString, accountId: nil, channel: channel, recipient: channel == .email ? "m@example.com" : "+5511999990000",
                              subject: "s", text: text, html: nil, createdAt: clock.now())
        try await store.commit([.enqueueMessage(m)])
        return m
    }

    func worker(_ store: InMemoryStore, clock: ManualClock, email: any MessageTransport, sms: any MessageTransport, maxAttempts: Int = 3) -> DeliveryWorker {
        DeliveryWorker(outbox: store, transports: [.email: email, .sms: sms], secrets: Self.secrets, clock: clock,
                       settings: .init(maxAttempts: maxAttempts, backoffMaxSeconds: 30), logger: Logger(label: "test"))
    }

    @Test func secretsGoInAtSendTimeAndEachChannelHasItsTransport() async throws {
        let store = InMemoryStore()
        let clock = ManualClock()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("worker-" + UUID().uuidString).path
        _ = try await message(store, clock: clock, text: "code " + CheckWordSecrets.placeholder(.code, id: "w1"))
        _ = try await message(store, clock: clock, channel: .sms, text: "sms")
        let w = worker(store, clock: clock, email: FileTransport(directory: folder + "/mail"), sms: FileTransport(directory: folder + "/sms"))
        #expect(try await w.drainOnce() == 2)
        let mail = try #require(FileTransport.read(directories: [folder + "/mail"]).first)
        #expect(mail.text == "code " + Self.secrets.code(for: "w1"), "the code is revealed only on the way out")
        #expect(FileTransport.read(directories: [folder + "/sms"]).count == 1)
        #expect(try await store.undelivered(limit: 10).isEmpty)
    }

    @Test func failuresBackOffAndEndAsADeadLetter() async throws {
        let store = InMemoryStore()
        let clock = ManualClock()
        let m = try await message(store, clock: clock, text: "hello")
        let w = worker(store, clock: clock, email: FlakyTransport(failures: 10), sms: FlakyTransport(failures: 0), maxAttempts: 3)
        #expect(try await w.drainOnce() == 1)
        #expect(try await w.drainOnce() == 0, "not due again before its backoff")
        clock.advance(seconds: 1)
        #expect(try await w.drainOnce() == 1)
        clock.advance(seconds: 2)
        #expect(try await w.drainOnce() == 1)
        clock.advance(seconds: 60)
        #expect(try await w.drainOnce() == 0, "three tries, then a dead letter")
        let dead = try #require(try await store.undelivered(limit: 10).first { $0.id == m.id })
        #expect(dead.state == .dead)
        #expect(dead.attempts == 3)
        #expect(try await store.retry(id: m.id, now: clock.now()))
        let recovered = worker(store, clock: clock, email: FlakyTransport(failures: 0), sms: FlakyTransport(failures: 0))
        #expect(try await recovered.drainOnce() == 1, "an operator's retry sends it")
        #expect(try await store.undelivered(limit: 10).isEmpty)
    }
}
