import BrokerCore
import BrokerTestSupport
import Foundation
import Synchronization
import Testing

/// Composes a one-line message: what is under test here is when the flow sends, not what it says.
struct PlainComposer: MessageComposer {
    func compose(_ message: MessageContent, locale: String, channel: Channel) throws -> ComposedMessage {
        ComposedMessage(subject: "recovery", text: "\(message)", html: nil)
    }
}

@Suite("Recovery flow")
struct RecoveryFlowTests {
    func flow(_ h: FlowHarness) -> RecoveryFlow {
        RecoveryFlow(ports: h.ports, settings: RecoverySettings(publicURL: "https://accounts.example"), security: h.security,
                     limits: h.limits, providers: h.providers, composer: PlainComposer(), secrets: CheckWordSecrets(key: Data(count: 32)))
    }

    /// A send that wrote nothing (the database was down) does not open the resend cooldown,
    /// so the person's retry a moment later is sent, not silently swallowed.
    @Test func aFailedSendLeavesNoCooldown() async throws {
        let h = FlowHarness()
        _ = try await h.admin.create(NewAccountInput(login: "maria", email: "maria@example.com"))
        let recovery = flow(h)
        h.store.setUnavailable(true)
        await #expect(throws: StoreError.self) {
            try await recovery.request(identifier: "maria@example.com", channel: nil, locale: nil, clientAddress: nil)
        }
        h.store.setUnavailable(false)
        try await recovery.request(identifier: "maria@example.com", channel: nil, locale: nil, clientAddress: nil)
        #expect(try await h.store.undelivered(limit: 10).count == 1, "the retry went out")
        try await recovery.request(identifier: "maria@example.com", channel: nil, locale: nil, clientAddress: nil)
        #expect(try await h.store.undelivered(limit: 10).count == 1, "and now the cooldown holds")
    }

    /// An unknown identifier does a send's work (the store sees the same unit, rolled back), not a
    /// wait; it leaves no word, no message and no audit event. A known one commits and rehearses nothing.
    @Test func anUnknownIdentifierRehearsesTheSendAndKeepsNothing() async throws {
        let h = FlowHarness()
        _ = try await h.admin.create(NewAccountInput(login: "maria", email: "maria@example.com"))
        let recovery = flow(h)
        try await recovery.request(identifier: "nobody@example.com", channel: nil, locale: nil, clientAddress: nil)
        #expect(h.store.rehearsals.withLock { $0 } == 1)
        #expect(try await h.store.undelivered(limit: 10).isEmpty)
        #expect(try await h.store.account(email: "nobody@example.com") == nil)
        try await recovery.request(identifier: "maria@example.com", channel: nil, locale: nil, clientAddress: nil)
        #expect(h.store.rehearsals.withLock { $0 } == 1, "a known identifier's send is committed, not rehearsed")
        #expect(try await h.store.undelivered(limit: 10).map(\.recipient) == ["maria@example.com"])
        try await recovery.loginReminder(identifier: "nobody@example.com", clientAddress: nil)
        #expect(h.store.rehearsals.withLock { $0 } == 2, "the reminder for nobody is rehearsed as well")
        #expect(try await h.store.undelivered(limit: 10).count == 1)
        // A known account with nothing verified on the channel asked for: the same rehearsal.
        try await recovery.request(identifier: "maria@example.com", channel: "sms", locale: nil, clientAddress: nil)
        #expect(h.store.rehearsals.withLock { $0 } == 3)
        #expect(try await h.store.undelivered(limit: 10).count == 1)
    }

    /// The send limits are counted in the send's own unit: past `send_per_identifier` the request
    /// is 429 and nothing is written, for a known identifier and an unknown one alike.
    @Test func pastTheSendLimitNothingIsWrittenForKnownOrUnknown() async throws {
        let h = FlowHarness()
        _ = try await h.admin.create(NewAccountInput(login: "maria", email: "maria@example.com"))
        let recovery = RecoveryFlow(
            ports: h.ports, settings: RecoverySettings(publicURL: "https://id.example", resendCooldownSeconds: 0), security: h.security,
            limits: RateLimitSettings(sendPerIdentifier: 2), providers: h.providers, composer: PlainComposer(), secrets: CheckWordSecrets(key: Data(count: 32))
        )
        for who in ["maria@example.com", "nobody@example.com"] {
            for _ in 0..<2 { try await recovery.request(identifier: who, channel: nil, locale: nil, clientAddress: nil) }
            await #expect(throws: BrokerError.tooManyRequests(retryAfter: 900)) {
                try await recovery.request(identifier: who, channel: nil, locale: nil, clientAddress: nil)
            }
        }
        #expect(try await h.store.undelivered(limit: 10).count == 2, "two sends to maria, none past the limit")
        #expect(h.store.rehearsals.withLock { $0 } == 2, "two rehearsals for nobody, none past the limit")
    }
}
