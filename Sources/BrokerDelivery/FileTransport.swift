import BrokerCore
import Foundation
import NIOPosix

/// Development transport: each message becomes a JSON file in a folder
/// (`GET /dev/outbox` lists them in dev_mode). Nothing leaves the machine.
public struct FileTransport: MessageTransport {
    public let directory: String
    /// Where the blocking file calls run: not on the threads that answer requests.
    let threadPool: NIOThreadPool

    public init(directory: String, threadPool: NIOThreadPool = .singleton) {
        self.directory = directory
        self.threadPool = threadPool
    }

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

    /// Written to a temporary name and renamed, so a reader never sees half a file. Not synced
    /// to disk one by one: a killed broker loses nothing the kernel holds, and a file per message
    /// with an fsync each was a sixth of a recovery request's cost under load. This is the
    /// development transport; a machine that loses power may lose its last few files.
    public func deliver(_ message: OutboxMessage) async throws {
        let record = Record(id: message.id, channel: message.channel.rawValue, to: message.recipient, subject: message.subject,
                            text: message.text, html: message.html, createdAt: message.createdAt)
        // Milliseconds since 1970, zero-padded so that names sort by time (`%d` would cut them to 32 bits).
        let millis = String(Int64(message.createdAt.timeIntervalSince1970 * 1000))
        let name = String(repeating: "0", count: max(0, 13 - millis.count)) + millis + "-" + message.id + ".json"
        let path = (directory as NSString).appendingPathComponent(name)
        let directory = self.directory
        do {
            let data = try Self.encoder.encode(record)
            try await threadPool.runIfActive {
                do {
                    try Self.write(data, to: path)
                } catch let error as POSIXError where error.code == .ENOENT {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    try Self.write(data, to: path)
                }
            }
        } catch {
            throw DeliveryError.transport("file transport: \(error)")
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// A temporary file written whole, then renamed over `path` (readers list only `.json` names).
    /// Its name is the caller's own, so two deliveries of one message (a retry after a lease ran
    /// out) never write into the same temporary file.
    private static func write(_ data: Data, to path: String) throws {
        let temporary = path + "." + UUID().uuidString + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var failure: Int32 = 0
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += n
            }
        }
        if close(fd) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw POSIXError(POSIXErrorCode(rawValue: failure) ?? .EIO)
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
