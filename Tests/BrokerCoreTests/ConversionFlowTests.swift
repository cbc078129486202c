import BrokerCore
import BrokerTestSupport
import Foundation
import Testing

/// The conversion rules against the in-memory store and a manual clock: what a social
/// account may change, when, and who hears of it.
@Suite("Conversion flow")
struct ConversionFlowTests {
    static let secrets = CheckWordSecrets(key: Data(repeating: 7, count: 32))

    func flow(_ h: FlowHarness) -> ConversionFlow {
        ConversionFlow(ports: h.ports, security: h.security, recovery: RecoverySettings(publicURL: "https://accounts.example"),
                       limits: h.limits, composer: PlainComposer(), secrets: Self.secrets, providers: h.providers)
    }

    func socialAccount(_ h: FlowHarness, email: String? = nil) async throws -> (Account, Session) {
        let account = try await h.admin.create(NewAccountInput(email: email, identities: [IdentityInput(provider: "google", subject: "g-1")]))
        let issued = try await h.signIn().newSession(for: account, methods: ["provider:google"], now: h.clock.now())
        try await h.store.commit([.insertSession(issued.session)])
        return (account, issued.session)
    }

    /// The message text to `to`, secrets revealed as the delivery worker would.
    func message(_ h: FlowHarness, to: String) async throws -> String? {
        try await h.store.undelivered(limit: 100).last { $0.recipient == to }.map { Self.secrets.reveal($0.text) }
    }

    static func code(_ text: String) -> String? {
        text.range(of: #"code: "[0-9]{6}""#, options: .regularExpression).map { String(text[$0].dropFirst(7).dropLast()) }
    }

    @Test func attachAndVerifyAnEmailByCode() async throws {
        let h = FlowHarness()
        let (account, session) = try await socialAccount(h)
        let conversion = flow(h)
        try await conversion.attachEmail("Me@Example.com", account: account, session: session, clientAddress: nil)
        let text = try #require(try await message(h, to: "me@example.com"))
        let code = try #require(Self.code(text))
        let verified = try await conversion.verifyEmail(token: code, account: account)
        #expect(verified.email == "me@example.com")
        #expect(verified.emailVerified)
        await #expect(throws: BrokerError.self, "a used code is spent") { try await conversion.verifyEmail(token: code, account: verified) }
    }

    @Test func aTakenAddressGetsTheSameWordsButTheOwnerGetsTheMessage() async throws {
        let h = FlowHarness()
        let owner = try await h.admin.create(NewAccountInput(email: "taken@example.com", password: Secret("owner-password")))
        let (account, session) = try await socialAccount(h)
        try await flow(h).attachEmail("taken@example.com", account: account, session: session, clientAddress: nil)
        let word = try #require(try await h.store.latestCheckWord(accountId: account.id, purpose: .verifyEmail, kind: .code))
        #expect(word.isOpen, "a word exists, as for a free address, so later answers are alike")
        let sent = try #require(try await h.store.undelivered(limit: 10).first { $0.recipient == "taken@example.com" })
        #expect(sent.accountId == owner.id)
        #expect(Self.code(Self.secrets.reveal(sent.text)) == nil, "the owner is told, and no code travels")
    }

    @Test func changesNeedARecentSignIn() async throws {
        let h = FlowHarness()
        let (account, session) = try await socialAccount(h, email: "me@example.com")
        let conversion = flow(h)
        h.clock.advance(seconds: Double(h.security.reauthenticationSeconds + 1))
        await #expect(throws: BrokerError.reauthenticationRequired) {
            try await conversion.attachEmail("new@example.com", account: account, session: session, clientAddress: nil)
        }
        await #expect(throws: BrokerError.reauthenticationRequired) {
            try await conversion.attachPhone("+5511999990000", account: account, session: session, clientAddress: nil)
        }
        await #expect(throws: BrokerError.reauthenticationRequired) { try await conversion.setLogin("maria", account: account, session: session) }
        await #expect(throws: BrokerError.reauthenticationRequired) {
            try await conversion.setPassword(Secret("own-password-1"), confirmation: Secret("own-password-1"), current: nil, account: account, session: session)
        }
    }

    @Test func wrongCodesAreSignInFailures() async throws {
        let h = FlowHarness()  // login_per_account: 3
        let (account, session) = try await socialAccount(h)
        let conversion = flow(h)
        try await conversion.attachPhone("+5511999990000", account: account, session: session, clientAddress: nil)
        var refusals: [BrokerError] = []
        for _ in 0..<5 {
            do { _ = try await conversion.verifyPhone(code: "000000", account: account) } catch let e as BrokerError { refusals.append(e) }
        }
        #expect(refusals.prefix(3).allSatisfy { $0 == .invalidCode }, "\(refusals)")
        #expect(refusals.dropFirst(3).allSatisfy { if case .tooManyAttempts = $0 { true } else { false } }, "\(refusals)")
    }

    @Test func unlinkingTheLastWayInIsRefusedAndAnUnlinkIsAnnounced() async throws {
        let h = FlowHarness()
        let (account, session) = try await socialAccount(h)
        await #expect(throws: BrokerError.lastCredential) { try await flow(h).unlink(provider: "google", account: account, session: session) }

        let withEmail = try await h.admin.create(NewAccountInput(
            email: "two@example.com", password: Secret("two-password"),
            identities: [IdentityInput(provider: "google", subject: "g-2"), IdentityInput(provider: "github", subject: "h-2")]
        ))
        let issued = try await h.signIn().newSession(for: withEmail, methods: ["password"], now: h.clock.now())
        try await h.store.commit([.insertSession(issued.session)])
        try await flow(h).unlink(provider: "github", account: withEmail, session: issued.session)
        let notice = try #require(try await message(h, to: "two@example.com"))
        #expect(notice.contains("providerUnlinked"))
        #expect(notice.contains("/recover/not-me?token="), "with its own not-me link")
    }
}
