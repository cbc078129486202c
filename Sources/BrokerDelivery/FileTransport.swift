import BrokerCore
import CGlibc
import Foundation
import NIOPosix

/// Development transport: each message becomes a JSON file in a folder
/// (`GET /dev/outbox` lists them in dev_mode). Nothing leaves the machine.
public struct FileTransport: MessageTransport {
    public let directory: String
    /// Where the blocking file calls run: not on the threads that answer requests.
    let threadPool: NIOThreadPool

    /// False where only the temporary name and the rename should be used (the tests of that path).
    let unnamedFiles: Bool

    public init(directory: String, threadPool: NIOThreadPool = .singleton) {
        self.init(directory: directory, threadPool: threadPool, unnamedFiles: true)
    }

    init(directory: String, threadPool: NIOThreadPool, unnamedFiles: Bool) {
        self.directory = directory
        self.threadPool = threadPool
        self.unnamedFiles = unnamedFiles
    }

    /// Local file writes take a fraction of a millisecond each: a pass's whole batch waits far less
    /// than a lease for the pool's threads.
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

    /// Written whole before it gets its name, so a reader never sees half a file. Not synced
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
        let unnamedFiles = self.unnamedFiles
        do {
            let data = try Self.encoder.encode(record)
            try await threadPool.runIfActive {
                do {
                    try Self.write(data, to: path, in: directory, unnamed: unnamedFiles)
                } catch let error as POSIXError where error.code == .ENOENT {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    try Self.write(data, to: path, in: directory, unnamed: unnamedFiles)
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

    /// The message written whole into an unnamed file of the folder, which then gets its name in
    /// one step (`O_TMPFILE`, then `linkat`): a reader never sees half a file, and the folder
    /// changes once instead of twice (create a temporary name, rename it). Where the file system
    /// has no unnamed files, or `/proc` is not mounted, a temporary name and a rename do the same.
    /// A second delivery of one message (a retry after its lease ran out) replaces the first file.
    private static func write(_ data: Data, to path: String, in directory: String, unnamed: Bool) throws {
        guard unnamed else { return try writeRenamed(data, to: path) }
        let fd = broker_open_unnamed(directory, 0o644)
        guard fd >= 0 else {
            let code = errno
            guard [EOPNOTSUPP, EISDIR, EINVAL].contains(code) else { throw posixError(code) }
            return try writeRenamed(data, to: path)
        }
        defer { close(fd) }
        let failure = writeAll(data, to: fd)
        guard failure == 0 else { throw posixError(failure) }
        guard linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, path, AT_SYMLINK_FOLLOW) != 0 else { return }
        switch errno {
        case EEXIST:
            // Named under a temporary name first, then renamed over the earlier file.
            let temporary = temporaryName(for: path)
            guard linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, temporary, AT_SYMLINK_FOLLOW) == 0 else { throw posixError(errno) }
            try rename(temporary, over: path)
        case ENOENT where access("/proc/self/fd", F_OK) != 0:
            try writeRenamed(data, to: path)
        case let code:
            throw posixError(code)
        }
    }

    /// A temporary file written whole, then renamed over `path` (readers list only `.json` names).
    private static func writeRenamed(_ data: Data, to path: String) throws {
        let temporary = temporaryName(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw posixError(errno) }
        var failure = writeAll(data, to: fd)
        if close(fd) != 0, failure == 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw posixError(failure)
        }
        try rename(temporary, over: path)
    }

    /// Its name is the caller's own, so two deliveries of one message never meet in one file.
    private static func temporaryName(for path: String) -> String {
        path + "." + UUID().uuidString + ".tmp"
    }

    private static func rename(_ temporary: String, over path: String) throws {
        guard Foundation.rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw posixError(code)
        }
    }

    /// 0, or the errno of the write that failed.
    private static func writeAll(_ data: Data, to fd: Int32) -> Int32 {
        data.withUnsafeBytes { raw -> Int32 in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return 0
        }
    }

    private static func posixError(_ code: Int32) -> POSIXError {
        POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
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
