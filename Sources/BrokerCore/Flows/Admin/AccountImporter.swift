import Foundation

/// Bulk import: lines arrive one at a time (the caller streams the file), are
/// validated, and are written in batches of one transaction each. A line that
/// fails validation, or whose login/email/phone/identity exists already, is
/// skipped whole and reported; with `update` it is merged into that account
/// instead. Memory stays bounded: only the current batch is held.
public final class AccountImporter {
    public struct Reject: Sendable, Equatable {
        public var line: Int
        public var text: String
        public var reason: String
    }

    let ports: BrokerPorts
    let providers: any ProviderDirectory
    let update: Bool
    let batchSize: Int
    let hashProblem: @Sendable (String) -> String?
    let keycloak: @Sendable ([String: Any]) -> String?
    let writer: BatchWriter
    private var inflight: Task<BatchWriter.Outcome, any Error>?
    private var batch: [(line: Int, text: String, record: ImportRecord)] = []
    private var batchKeys = Set<String>()
    public private(set) var imported = 0
    public private(set) var updated = 0

    public init(
        ports: BrokerPorts, providers: any ProviderDirectory, update: Bool, batchSize: Int = 1000,
        hashProblem: @escaping @Sendable (String) -> String?, keycloak: @escaping @Sendable ([String: Any]) -> String?
    ) {
        self.ports = ports
        self.providers = providers
        self.update = update
        self.batchSize = batchSize
        self.hashProblem = hashProblem
        self.keycloak = keycloak
        self.writer = BatchWriter(ports: ports, update: update)
    }

    /// Takes one line; returns the lines rejected so far by this call (validation, or a flushed batch's duplicates).
    public func add(_ text: String, line: Int) async throws -> [Reject] {
        guard !text.trimmingWhitespace().isEmpty else { return [] }
        let record: ImportRecord
        do {
            record = try ImportRecord.parse(text, id: ports.tokens.identifier(), now: ports.clock.now(), providers: providers,
                                            hashProblem: hashProblem, keycloak: keycloak)
        } catch let error as BrokerError {
            return [Reject(line: line, text: text, reason: Self.reason(error))]
        }
        var rejects: [Reject] = []
        if !batchKeys.isDisjoint(with: record.keys) {
            // A duplicate of a line in this very batch: write the batch first so it is checked against the database.
            rejects += try await flush()
        }
        batch.append((line, text, record))
        batchKeys.formUnion(record.keys)
        if batch.count >= batchSize { rejects += try await flush() }
        return rejects
    }

    /// Hands what is buffered to the writer and returns the rejects of the batch written before it.
    /// Parsing the next batch overlaps writing this one; the next flush waits for it first, so its
    /// uniqueness check sees this batch in the database.
    public func flush() async throws -> [Reject] {
        let previous = try await settle()
        guard !batch.isEmpty else { return previous }
        let current = batch
        batch = []
        batchKeys = []
        let writer = self.writer
        inflight = Task { try await writer.write(current) }
        return previous
    }

    /// Writes everything still buffered or in flight; returns the remaining rejects.
    public func finish() async throws -> [Reject] {
        let rejects = try await flush()
        return rejects + (try await settle())
    }

    private func settle() async throws -> [Reject] {
        guard let task = inflight else { return [] }
        inflight = nil
        let outcome = try await task.value
        imported += outcome.imported
        updated += outcome.updated
        return outcome.rejects
    }

    static func reason(_ error: BrokerError) -> String {
        if case .invalidRequest(let field, let reason) = error { return field.map { "\($0): \(reason.description)" } ?? reason.description }
        return error.message
    }
}

/// Writes one batch of validated lines: one uniqueness query per kind, then one transaction.
struct BatchWriter: Sendable {
    typealias Item = (line: Int, text: String, record: ImportRecord)
    struct Outcome: Sendable {
        var imported = 0
        var updated = 0
        var rejects: [AccountImporter.Reject] = []
    }

    let ports: BrokerPorts
    let update: Bool

    func write(_ current: [Item]) async throws -> Outcome {
        var outcome = Outcome()
        var keys = (logins: [String](), emails: [String](), phones: [String](), identities: [(provider: String, subject: String)]())
        for item in current {
            let a = item.record.account
            if let l = a.login { keys.logins.append(l) }
            if let e = a.email { keys.emails.append(e) }
            if let p = a.phone { keys.phones.append(p) }
            keys.identities += a.identities.map { ($0.provider, $0.subject) }
        }
        let existing = try await ports.store.existingKeys(logins: keys.logins, emails: keys.emails, phones: keys.phones, identities: keys.identities)
        var fresh: [Item] = []
        for item in current {
            let clash = item.record.keys.filter(existing.contains)
            if clash.isEmpty {
                fresh.append(item)
            } else if update {
                if let reject = try await merge(item.record, line: item.line, text: item.text) {
                    outcome.rejects.append(reject)
                } else {
                    outcome.updated += 1
                }
            } else {
                outcome.rejects.append(.init(line: item.line, text: item.text, reason: "already exists: " + clash.joined(separator: ", ")))
            }
        }
        guard !fresh.isEmpty else { return outcome }
        do {
            try await ports.store.commit(fresh.map { .insertAccount($0.record.account) } + [
                ports.audit("accounts_imported", account: nil, actor: "cli", ["count": String(fresh.count)]),
            ])
            outcome.imported += fresh.count
        } catch StoreError.conflict {
            // Someone wrote meanwhile: fall back to one transaction a line to find the culprits.
            for item in fresh {
                do {
                    try await ports.store.commit([.insertAccount(item.record.account)])
                    outcome.imported += 1
                } catch StoreError.conflict(let field) {
                    outcome.rejects.append(.init(line: item.line, text: item.text, reason: "already exists: \(field)"))
                }
            }
        }
        return outcome
    }

    /// `--update`: the fields the line gives go onto the one existing account it names; what the
    /// line leaves out stays as it was (a line without `state` does not unblock an account).
    func merge(_ record: ImportRecord, line: Int, text: String) async throws -> AccountImporter.Reject? {
        let incoming = record.account
        var owners: [Account] = []
        if let l = incoming.login, let a = try await ports.store.account(login: l) { owners.append(a) }
        if let e = incoming.email, let a = try await ports.store.account(email: e) { owners.append(a) }
        if let p = incoming.phone, let a = try await ports.store.account(phone: p) { owners.append(a) }
        for i in incoming.identities {
            if let a = try await ports.store.account(provider: i.provider, subject: i.subject) { owners.append(a) }
        }
        guard let target = owners.first, owners.allSatisfy({ $0.id == target.id }) else {
            return AccountImporter.Reject(line: line, text: text, reason: "matches more than one existing account")
        }
        let given = record.given
        var merged = target
        merged.login = incoming.login ?? target.login
        if let e = incoming.email {
            // Without the flag, the same address keeps its verification; another one is unverified.
            merged.emailVerified = given.contains(.emailVerified) ? incoming.emailVerified : e == target.email && target.emailVerified
            merged.email = e
        }
        if let p = incoming.phone {
            merged.phoneVerified = given.contains(.phoneVerified) ? incoming.phoneVerified : p == target.phone && target.phoneVerified
            merged.phone = p
        }
        merged.passwordHash = incoming.passwordHash ?? target.passwordHash
        if given.contains(.locale) { merged.locale = incoming.locale }
        if given.contains(.state) { merged.state = incoming.state }
        merged.updatedAt = ports.clock.now()
        let newIdentities = incoming.identities.filter { i in !target.identities.contains { $0.provider == i.provider && $0.subject == i.subject } }
        do {
            try await ports.store.commit([.updateAccount(merged)] + newIdentities.map { .insertIdentity(accountId: target.id, $0) } + [
                ports.audit("account_updated", account: target.id, actor: "cli", ["source": "import"]),
            ])
            return nil
        } catch StoreError.conflict(let field) {
            return AccountImporter.Reject(line: line, text: text, reason: "already exists: \(field)")
        } catch StoreError.stale {
            return AccountImporter.Reject(line: line, text: text, reason: "changed meanwhile; import the line again")
        }
    }
}
