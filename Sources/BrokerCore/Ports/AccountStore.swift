import Foundation

/// The persistence port of the broker. Reads are single queries; every write
/// goes through `commit`, which applies a list of changes atomically.
public protocol AccountStore: Sendable {
    func account(id: String) async throws -> Account?
    /// Login names are unique ignoring case; `login` is matched that way.
    func account(login: String) async throws -> Account?
    func account(email: String) async throws -> Account?
    func account(phone: String) async throws -> Account?
    func account(provider: String, subject: String) async throws -> Account?
    /// Accounts whose login, email or phone contains `text` (case-insensitive), at most `limit`.
    func searchAccounts(_ text: String, limit: Int) async throws -> [Account]

    func session(tokenHash: String) async throws -> Session?

    /// Audit events of one account, newest first.
    func auditEvents(accountId: String, limit: Int) async throws -> [AuditEvent]

    /// The check word whose secret hashes to `secretHash` (link tokens).
    func checkWord(secretHash: String) async throws -> CheckWord?
    /// The open word of the account for a purpose and kind, else the newest whatever its state.
    func latestCheckWord(accountId: String, purpose: CheckWordPurpose, kind: CheckWord.Kind) async throws -> CheckWord?

    func oauthState(stateHash: String) async throws -> OAuthState?

    /// The code, access or refresh token whose SHA-256 is `hash`.
    func appToken(hash: String) async throws -> AppToken?
    /// Every id_token signing key kept, oldest first.
    func signingKeys() async throws -> [SigningKeyRecord]

    /// Which of these unique values already exist, as keys "login:<lower-cased>", "email:<e>",
    /// "phone:<p>", "identity:<provider> <subject>" (one query per kind: import checks a batch at once).
    func existingKeys(logins: [String], emails: [String], phones: [String], identities: [(provider: String, subject: String)]) async throws -> Set<String>
    /// Accounts ordered by id, after `after` (exclusive), at most `limit`: export pages through them.
    func accountsPage(after: String?, limit: Int) async throws -> [Account]

    /// Applies every change in one transaction, or none.
    func commit(_ changes: [StoreChange]) async throws

    /// `changes` behind `gate`: the gate's limits are counted first and kept; past one the unit
    /// stops (`.refused`). SQLite takes the counts in the unit's transaction, PostgreSQL commits
    /// them each on its own just before it (a shared counter's row lock held through the unit
    /// would queue every request behind it); either way each count is atomic and decides first.
    /// Then, in one transaction, the window is opened (already open: the unit stops,
    /// `.windowTaken`), the resets cleared, and the changes committed, or rehearsed when
    /// `rehearsal` (the window and resets are kept, the changes rolled back). Should the changes
    /// fail, the window and resets go with them, the counts stay, and the error is thrown.
    ///
    /// A rehearsal costs the statements, index work and wait for the writer of a commit, and
    /// keeps nothing of the changes: a request for an unknown identifier goes through it with the
    /// unit a known one commits, so that both answer after the same work.
    func commit(_ changes: [StoreChange], behind gate: UnitGate, rehearsal: Bool) async throws -> GateOutcome

    /// Succeeds when the database answers a trivial query.
    func ping() async throws
}

extension AccountStore {
    /// The account whose email or phone (by channel) is `address`.
    public func account(address: String, on channel: Channel) async throws -> Account? {
        switch channel {
        case .email: try await account(email: address)
        case .sms: try await account(phone: address)
        }
    }

    /// The account an identifier names, and the identifier as it matched: digits typed
    /// without '+' that are no login name are tried as a phone (so "5511999990000" finds
    /// the account of +5511999990000 on sign-in and recovery alike).
    public func account(identifiedBy identifier: Identifier) async throws -> (account: Account, matched: Identifier)? {
        switch identifier {
        case .email(let email): return try await account(email: email).map { ($0, identifier) }
        case .phone(let phone): return try await account(phone: phone).map { ($0, identifier) }
        case .login(let login):
            if let found = try await account(login: login) { return (found, identifier) }
            guard let phone = identifier.phoneReading else { return nil }
            return try await account(phone: phone).map { ($0, .phone(phone)) }
        }
    }
}
