import Foundation

/// The one way a check word is made: a random id, the secret derived from it (never
/// stored), its stored hash, and the placeholder a message carries until the delivery
/// worker puts the secret in at send time.
struct WordIssuer: Sendable {
    let ports: BrokerPorts
    let secrets: CheckWordSecrets

    struct Issued: Sendable {
        var word: CheckWord
        /// What a message carries instead of the secret (`[[link:ID]]`, `[[code:ID]]`).
        var placeholder: String
    }

    func issue(
        _ purpose: CheckWordPurpose, _ kind: CheckWord.Kind, accountId: String, channel: Channel, address: String,
        ttlSeconds: Int, payload: String? = nil, now: Date? = nil
    ) -> Issued {
        let id = ports.tokens.identifier()
        let now = now ?? ports.clock.now()
        let word = CheckWord(
            id: id, accountId: accountId, purpose: purpose, kind: kind, channel: channel, secretHash: secrets.storedHash(of: kind, id: id),
            address: address, createdAt: now, expiresAt: now.addingTimeInterval(TimeInterval(ttlSeconds)), payload: payload
        )
        return Issued(word: word, placeholder: CheckWordSecrets.placeholder(kind, id: id))
    }
}
