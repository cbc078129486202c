import BrokerCore
import Testing

@Suite("Identifier rules")
struct IdentifierPolicyTests {
    @Test(arguments: [
        ("  Maria@Example.COM ", "maria@example.com"),
        ("a.b+tag@sub.example.org", "a.b+tag@sub.example.org"),
    ])
    func emailsAreTrimmedAndLowerCased(raw: String, expected: String) throws {
        #expect(try IdentifierPolicy.email(raw) == expected)
    }

    @Test(arguments: ["", "maria", "@example.com", "maria@", "maria@example", "a@b@example.com", "ma ria@example.com", "m@.example.com", "m@example..com"])
    func badEmailsAreRefused(raw: String) {
        #expect(throws: BrokerError.invalidRequest(field: "email", reason: .email)) { try IdentifierPolicy.email(raw) }
    }

    @Test(arguments: [
        ("+55 (11) 99999-0000", "+5511999990000"),
        ("+1.415.555.0100", "+14155550100"),
        ("5511999990000", "+5511999990000"),
        ("(+55) 11.99999-0000", "+5511999990000"),
        ("+(55)11999990000", "+5511999990000"),
    ])
    func phonesBecomeE164(raw: String, expected: String) throws {
        #expect(try IdentifierPolicy.phone(raw) == expected)
    }

    @Test(arguments: ["011999990000", "+0 11 9999", "++5511999990000", "+55 11 9999x0000", "+1234567890123456", "+55/11", "12345", "55+11999990000", "(55)+11999990000"])
    func badPhonesAreRefused(raw: String) {
        #expect(throws: BrokerError.self) { try IdentifierPolicy.phone(raw) }
    }

    @Test(arguments: ["maria", "Maria.Silva", "m_s-1", "007", String(repeating: "a", count: 64)])
    func goodLogins(raw: String) throws {
        #expect(try IdentifierPolicy.login(raw) == raw)
    }

    @Test(arguments: ["ab", String(repeating: "a", count: 65), ".maria", "-maria", "maria silva", "maría", "admin", "Root", "support"])
    func badLogins(raw: String) {
        #expect(throws: BrokerError.self) { try IdentifierPolicy.login(raw) }
    }

    /// Hints hide at least as much as they show, and never the whole address.
    @Test(arguments: [
        ("maria@example.test", "m•••@example.test"),
        ("abc@b.test", "a•••@b.test"),
        ("ab@b.test", "•••@b.test"),
        ("a@b.test", "•••@b.test"),
        ("+5511999990000", "+55•••0000"),
        ("+14155550100", "+14•••0100"),
        ("+123456789", "+•••89"),
        ("+1234567", "+•••67"),
    ])
    func hintsAreMasked(address: String, hint: String) {
        #expect(address.contains("@") ? Mask.email(address) == hint : Mask.phone(address) == hint)
    }

    @Test func classifyPicksTheKind() throws {
        #expect(try IdentifierPolicy.classify("Maria@Example.com") == .email("maria@example.com"))
        #expect(try IdentifierPolicy.classify("+55 11 99999 0000") == .phone("+5511999990000"))
        #expect(try IdentifierPolicy.classify("Maria") == .login("Maria"))
        #expect(try IdentifierPolicy.classify("Maria").key == "login:maria")
        // Digits alone could be a login name (sign-in and recovery then also try them as a phone);
        // with spaces or dashes they can only be a phone typed without '+'.
        #expect(try IdentifierPolicy.classify("5511999990000") == .login("5511999990000"))
        // ...and count against the phone's limits however they are typed.
        for typed in ["5511999990000", "5-511999990000", "55.11999990000", "+55 11 99999-0000"] {
            #expect(try IdentifierPolicy.classify(typed).key == "phone:+5511999990000", "\(typed)")
        }
        #expect(try IdentifierPolicy.classify("55 11 99999-0000") == .phone("+5511999990000"))
        #expect(throws: BrokerError.self) { try IdentifierPolicy.classify("maria silva") }
        #expect(throws: BrokerError.self) { try IdentifierPolicy.classify("011 9999 0000") }
    }

    @Test func localesMapOntoSupportedOnes() throws {
        #expect(LocalePolicy.match("pt") == "pt-BR")
        #expect(LocalePolicy.match("pt_br") == "pt-BR")
        #expect(LocalePolicy.match("en-GB") == "en")
        #expect(LocalePolicy.match("es-AR") == "es")
        #expect(LocalePolicy.match("de-AT") == "de")
        #expect(LocalePolicy.match("ja") == nil)
        #expect(throws: BrokerError.self) { try LocalePolicy.validate("klingon") }
    }

    @Test func passwordPolicy() throws {
        let policy = PasswordPolicy(minLength: 8)
        try policy.validate(Secret("long enough"), confirmation: Secret("long enough"))
        #expect(throws: BrokerError.passwordMismatch) { try policy.validate(Secret("long enough"), confirmation: Secret("long enougH")) }
        #expect(throws: BrokerError.self) { try policy.validate(Secret("short")) }
        #expect(throws: BrokerError.self) { try policy.validate(Secret("        ")) }
        #expect(throws: BrokerError.self) { try policy.validate(Secret("aaaaaaaaaa")) }
        #expect(throws: BrokerError.self) { try policy.validate(Secret(String(repeating: "ab", count: 600))) }
    }

    @Test func secretsRedactThemselves() {
        let s = Secret("hunter2")
        #expect("\(s)" == "<redacted>")
        #expect(String(reflecting: s) == "<redacted>")
    }

    @Test func constantTimeCompare() {
        #expect(TokenHash.constantTimeEquals("abc", "abc"))
        #expect(!TokenHash.constantTimeEquals("abc", "abd"))
        #expect(!TokenHash.constantTimeEquals("abc", "abcd"))
        #expect(TokenHash.of("x").count == 64)
    }
}
