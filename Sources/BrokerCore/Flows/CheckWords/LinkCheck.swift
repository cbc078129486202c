import Foundation

/// The one way a link token is checked, for every purpose (recovery, "this wasn't me",
/// email verification, identity link), always in the same order: a token of the wrong
/// shape, unknown, or of another purpose is `incorrect_check_word`; a used one
/// `token_used`; a superseded one, or one whose account no longer agrees (`bound`),
/// `incorrect_check_word`; an old one `token_expired`. Nothing is consumed here: a GET
/// of a link (a mail scanner) must not burn it.
struct LinkCheck: Sendable {
    let ports: BrokerPorts

    /// The live word `token` names for `purpose`, with its account. `bound` says whether the
    /// word still belongs to the account as it is now (its address, its state).
    func live(
        _ token: String, purpose: CheckWordPurpose, bound: (CheckWord, Account) -> Bool = { _, _ in true }
    ) async throws -> (CheckWord, Account) {
        let token = token.trimmingWhitespace()
        guard !token.isEmpty, token.utf8.count <= 256,
              let word = try await ports.store.checkWord(secretHash: TokenHash.of(token)),
              word.purpose == purpose, word.kind == .link
        else { throw BrokerError.incorrectCheckWord }
        if word.usedAt != nil { throw BrokerError.tokenUsed }
        if word.revokedAt != nil { throw BrokerError.incorrectCheckWord }
        guard let account = try await ports.store.account(id: word.accountId), bound(word, account) else {
            throw BrokerError.incorrectCheckWord
        }
        if word.expiresAt <= ports.clock.now() { throw BrokerError.tokenExpired }
        return (word, account)
    }
}
