import Foundation

/// "Your account was changed" notices: one to each verified address the account had
/// before the change (the old email included), each with its own "this wasn't me"
/// link, written in the same unit of work as the change itself.
struct ChangeNotice: Sendable {
    let ports: BrokerPorts
    let composer: any MessageComposer
    let secrets: CheckWordSecrets
    let publicURL: String
    let notMeTTLSeconds: Int

    /// The not-me words and messages telling `account` (as it was before the change) about `change`.
    func changes(_ change: AccountChange, account: Account) throws -> [StoreChange] {
        let now = ports.clock.now()
        var changes: [StoreChange] = []
        for channel in Channel.allCases {
            guard let address = account.verifiedAddress(on: channel) else { continue }
            let notMeWord = ports.words(secrets).issue(.notMe, .link, accountId: account.id, channel: channel, address: address, ttlSeconds: notMeTTLSeconds)
            changes.append(.insertCheckWord(notMeWord.word))
            let notMe = publicURL + "/recover/not-me?token=" + notMeWord.placeholder
            let composed = try composer.compose(.accountChanged(change, notMeLink: notMe), locale: account.locale, channel: channel)
            changes.append(.enqueueMessage(OutboxMessage(
                id: ports.tokens.identifier(), accountId: account.id, channel: channel, recipient: address, subject: composed.subject,
                text: composed.text, html: channel.carriesHTML ? composed.html : nil, createdAt: now
            )))
        }
        return changes
    }
}

extension Account {
    /// The verified address of the account on a channel, or nil: messages go to verified addresses only.
    public func verifiedAddress(on channel: Channel) -> String? {
        switch channel {
        case .email: emailVerified ? email : nil
        case .sms: phoneVerified ? phone : nil
        }
    }
}

extension CheckWordPurpose {
    /// Every purpose whose word proves something (recovery, address verification, identity link):
    /// what a password reset or change ends. "This wasn't me" links stay, so a notice of the
    /// change can still be answered.
    public static let proofs: [CheckWordPurpose] = allCases.filter { $0 != .notMe }
}
