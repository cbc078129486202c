import ArgumentParser
import BrokerCore
import BrokerCrypto
import BrokerRuntime
import Foundation

extension AccountCommand {
    /// `broker account import`: JSON Lines in, streamed, in batched transactions.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import accounts from JSON Lines (\"-\" reads stdin), with their old password hashes.",
            discussion: "Prints 'imported N, skipped M' last; exits 0 when nothing was skipped, 2 when something was."
        )
        @OptionGroup var options: ConfigOptions
        @Option(help: "Write each skipped input line, verbatim, to this file.") var rejects: String?
        @Flag(help: "Merge lines whose login, email, phone or identity exists into that account instead of skipping them.") var update = false
        @Option(help: "Accounts per transaction.") var batchSize = 1000
        @Argument(help: "The JSON Lines file, or - for standard input.") var file: String

        func run() async throws {
            let runtime = try await BrokerRuntime.make(config: try options.load())
            let input: FileHandle
            var total: Int?
            if file == "-" {
                input = .standardInput
            } else {
                guard let handle = FileHandle(forReadingAtPath: file) else { throw ValidationError("cannot read \(file)") }
                input = handle
                total = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil
            }
            var rejectsOut: FileHandle?
            if let rejects {
                guard FileManager.default.createFile(atPath: rejects, contents: nil) else { throw ValidationError("cannot write \(rejects)") }
                rejectsOut = FileHandle(forWritingAtPath: rejects)
            }
            let importer = AccountImporter(
                ports: runtime.services.ports, providers: runtime.catalog, update: update, batchSize: max(1, batchSize),
                hashProblem: { StoredHash.problem(with: $0) },
                keycloak: { o in
                    guard let algorithm = o["algorithm"] as? String, let iterations = o["iterations"] as? Int,
                          let salt = o["salt"] as? String, let value = o["value"] as? String else { return nil }
                    return StoredHash.keycloak(algorithm: algorithm, iterations: iterations, salt: salt, value: value)
                }
            )
            var skipped = 0
            var progress = Progress(total: total)
            func report(_ list: [AccountImporter.Reject]) {
                for r in list {
                    skipped += 1
                    FileHandle.standardError.write(Data("line \(r.line): \(r.reason)\n".utf8))
                    rejectsOut?.write(Data((r.text + "\n").utf8))
                }
            }
            var number = 0
            for try await (line, bytes) in LineReader(handle: input) {
                number += 1
                report(try await importer.add(line, line: number))
                progress.advance(lines: number, bytes: bytes, imported: importer.imported + importer.updated)
            }
            report(try await importer.finish())
            progress.finish(imported: importer.imported + importer.updated)
            try rejectsOut?.close()
            print("imported \(importer.imported + importer.updated), skipped \(skipped)")
            if skipped > 0 { throw ExitCode(2) }
        }
    }

    /// `broker account export`: every account as JSON Lines, hashes as stored.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export every account as JSON Lines (to FILE or stdout), hashes as stored.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Where to write; standard output when left out.") var file: String?

        func run() async throws {
            let config = try options.load()
            let store = try BrokerRuntime.openStore(config)
            try await store.migrate()
            let out: FileHandle
            if let file {
                guard FileManager.default.createFile(atPath: file, contents: nil), let handle = FileHandle(forWritingAtPath: file) else {
                    throw ValidationError("cannot write \(file)")
                }
                out = handle
            } else {
                out = .standardOutput
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            var after: String?
            var count = 0
            while true {
                let page = try await store.accountsPage(after: after, limit: 1000)
                guard let last = page.last else { break }
                var chunk = Data()
                for account in page {
                    chunk.append(try encoder.encode(ExportLine(account: account)))
                    chunk.append(0x0A)
                }
                out.write(chunk)
                count += page.count
                after = last.id
            }
            if file != nil { try out.close() }
            FileHandle.standardError.write(Data("exported \(count)\n".utf8))
        }
    }
}

/// One exported account: the contract's account object (`AccountDocument`) plus
/// `password_hash` as stored (Keycloak hashes go back to Keycloak's credential object).
struct ExportLine: Encodable {
    let account: Account

    enum Keys: String, CodingKey { case passwordHash = "password_hash" }
    enum KeycloakKeys: String, CodingKey { case algorithm, iterations, salt, value }

    func encode(to encoder: any Encoder) throws {
        try AccountDocument(account: account).encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        if let hash = account.passwordHash, let object = StoredHash.keycloakObject(hash) {
            var k = c.nestedContainer(keyedBy: KeycloakKeys.self, forKey: .passwordHash)
            try k.encode(object["algorithm"] as? String, forKey: .algorithm)
            try k.encode(object["iterations"] as? Int, forKey: .iterations)
            try k.encode(object["salt"] as? String, forKey: .salt)
            try k.encode(object["value"] as? String, forKey: .value)
        } else {
            try c.encode(account.passwordHash, forKey: .passwordHash)
        }
    }
}

/// Lines of a file or pipe, read in 1 MiB chunks: memory stays flat at any size.
struct LineReader: AsyncSequence {
    typealias Element = (String, Int)
    let handle: FileHandle

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle
        var buffer = Data()
        var offset = 0
        var bytesRead = 0
        var done = false

        mutating func next() async throws -> (String, Int)? {
            while true {
                if let newline = buffer[offset...].firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[offset..<newline], as: UTF8.self)
                    offset = newline + 1
                    return (line.hasSuffix("\r") ? String(line.dropLast()) : line, bytesRead)
                }
                if done {
                    guard offset < buffer.count else { return nil }
                    let line = String(decoding: buffer[offset...], as: UTF8.self)
                    offset = buffer.count
                    return (line, bytesRead)
                }
                let chunk = handle.readData(ofLength: 1 << 20)
                bytesRead += chunk.count
                buffer = Data(buffer[offset...]) + chunk
                offset = 0
                if chunk.isEmpty { done = true }
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: handle) }
}

/// A progress line on a terminal (count, accounts/s, ETA when the size is known); nothing otherwise.
struct Progress {
    let total: Int?
    let tty = isatty(STDERR_FILENO) == 1
    let start = Date()
    var last = Date.distantPast

    init(total: Int?) { self.total = total }

    mutating func advance(lines: Int, bytes: Int, imported: Int) {
        guard tty, Date().timeIntervalSince(last) > 0.5 else { return }
        last = Date()
        let elapsed = max(0.001, last.timeIntervalSince(start))
        var text = "\r\(lines) lines, \(imported) imported, \(Int(Double(imported) / elapsed)) accounts/s"
        if let total, total > 0, bytes > 0 {
            let eta = elapsed * Double(total - bytes) / Double(bytes)
            text += String(format: ", %d%%, ETA %ds", min(100, bytes * 100 / total), Int(eta))
        }
        FileHandle.standardError.write(Data((text + "   ").utf8))
    }

    func finish(imported: Int) {
        guard tty else { return }
        let elapsed = max(0.001, Date().timeIntervalSince(start))
        FileHandle.standardError.write(Data("\r\(imported) accounts in \(String(format: "%.1f", elapsed)) s (\(Int(Double(imported) / elapsed)) accounts/s)\n".utf8))
    }
}
