import BrokerCore
import Foundation

/// Development transport: each message becomes a JSON file in a folder
/// (`GET /dev/outbox` lists them in dev_mode). Nothing leaves the machine.
public struct FileTransport: MessageTransport {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// Local file writes: many at once cost nothing.
    public var parallelism: Int { 256 }

    public struct Record: Codable, Sendable {
        public var id: String
        public var channel: String
        public var to: String
        public var subject: String
        public var text: String
        public var html: String?
        public var createdAt: Date

        enum CodingKeys: String, CodingKey { case id, channel, to, subject, text, html, createdAt = "created_at" }
    }

    public func deliver(_ message: OutboxMessage) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let record = Record(id: message.id, channel: message.channel.rawValue, to: message.recipient, subject: message.subject,
                            text: message.text, html: message.html, createdAt: message.createdAt)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let name = String(format: "%013d", Int64(message.createdAt.timeIntervalSince1970 * 1000)) + "-" + message.id + ".json"
        let path = (directory as NSString).appendingPathComponent(name)
        do {
            try encoder.encode(record).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DeliveryError.transport("file transport: \(error)")
        }
    }

    /// Every message written to the folders, newest first.
    public static func read(directories: [String]) -> [Record] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var records: [Record] = []
        for directory in directories {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names where name.hasSuffix(".json") {
                let path = (directory as NSString).appendingPathComponent(name)
                if let data = FileManager.default.contents(atPath: path), let record = try? decoder.decode(Record.self, from: data) {
                    records.append(record)
                }
            }
        }
        return records.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }
}
