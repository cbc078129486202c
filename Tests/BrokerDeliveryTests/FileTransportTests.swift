import BrokerCore
@testable import BrokerDelivery
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

    /// One message delivered twice at once (a retry after its lease ran out) is still one whole file.
    @Test func concurrentDeliveriesOfOneMessageLeaveOneWholeFile() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("file-transport-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let transport = FileTransport(directory: folder)
        let long = OutboxMessage(id: "m1", accountId: nil, channel: .email, recipient: "m@example.com", subject: "Reset",
                                 text: String(repeating: "a long body ", count: 20_000), html: nil, createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 { group.addTask { try await transport.deliver(long) } }
            try await group.waitForAll()
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["1700000000000-m1.json"])
        #expect(FileTransport.read(directories: [folder]).map(\.text) == [long.text])
    }

    /// A message delivered again (a retry after its lease ran out) replaces its first file, on
    /// both ways of naming a file: in one step (an unnamed file linked in) and by a rename.
    @Test(arguments: [true, false]) func aSecondDeliveryReplacesTheFirstFile(unnamedFiles: Bool) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("file-transport-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let transport = FileTransport(directory: folder, threadPool: .singleton, unnamedFiles: unnamedFiles)
        var first = message("m1")
        first.text = "first"
        var second = message("m1")
        second.text = "second"
        try await transport.deliver(first)
        try await transport.deliver(second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["1700000000000-m1.json"])
        #expect(FileTransport.read(directories: [folder]).map(\.text) == ["second"])
        let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/1700000000000-m1.json")
        #expect((attributes[.posixPermissions] as? Int).map { $0 & 0o044 } == 0o044, "readable by the folder's readers, as before")
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
