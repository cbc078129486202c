import BrokerCore
import BrokerDelivery
import Foundation
import Testing

/// The development transport against a real folder.
@Suite("File transport")
struct FileTransportTests {
    func message(_ id: String, to: String = "m@example.com") -> OutboxMessage {
        OutboxMessage(id: id, accountId: nil, channel: .email, recipient: to, subject: "Reset", text: "text of \(id)", html: "<p>\(id)</p>",
                      createdAt: Date(timeIntervalSince1970: 1_700_000_000))
    }

    /// The folder is made on the first message; each message is one whole JSON file that reads back
    /// as it went in, with no temporary file left beside it.
    @Test func eachMessageIsOneWholeFileInAFolderItMakes() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("file-transport-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("outbox/mail").path
        let transport = FileTransport(directory: folder)
        try await transport.deliver(message("m1"))
        try await transport.deliver(message("m2", to: "other@example.com"))
        let records = FileTransport.read(directories: [folder])
        #expect(records.map(\.id).sorted() == ["m1", "m2"])
        #expect(records.first { $0.id == "m2" }?.to == "other@example.com")
        #expect(records.first { $0.id == "m1" }?.html == "<p>m1</p>")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names == ["1700000000000-m1.json", "1700000000000-m2.json"])
    }

    /// A folder that cannot be written is a transport error the worker retries, not a crash.
    @Test func anUnwritableFolderIsATransportError() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("file-transport-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("not a folder".utf8).write(to: file)
        let transport = FileTransport(directory: file.path + "/mail")
        await #expect(throws: DeliveryError.self) { try await transport.deliver(message("m1")) }
    }
}
