import BrokerCore
import BrokerDelivery
import BrokerLocales
import Foundation
import Testing

@Suite("Message rendering")
struct ComposerTests {
    static let localizer = try! Localizer.load()
    let composer = try! MustacheMessageComposer(localizer: Self.localizer)

    @Test(arguments: LocalePolicy.supported)
    func recoveryLinkHasLinkLifetimeAndNotMe(locale: String) throws {
        let m = try composer.compose(.recoveryLink(link: "https://b.example/recover/reset?token=[[link:abc]]",
                                                   notMeLink: "https://b.example/recover/not-me?token=[[link:def]]", minutes: 60),
                                     locale: locale, channel: .email)
        #expect(m.text.contains("https://b.example/recover/reset?token=[[link:abc]]"))
        #expect(m.text.contains("60"))
        #expect(m.text.contains("https://b.example/recover/not-me?token=[[link:def]]"))
        #expect(m.text.contains(Self.localizer.text("message.not_asked", locale: locale)))
        let html = try #require(m.html)
        #expect(html.contains("href=\"https://b.example/recover/reset?token=[[link:abc]]\""))
        #expect(html.contains("lang=\"\(locale)\""))
        #expect(!m.subject.isEmpty)
    }

    @Test func portugueseSubject() throws {
        let m = try composer.compose(.passwordChanged(when: "2026-11-26T10:00:00Z"), locale: "pt-BR", channel: .email)
        #expect(m.subject == "Sua senha foi alterada")
    }

    @Test func htmlIsEscaped() throws {
        let m = try composer.compose(.loginReminder(login: "<script>", password: true, providers: []), locale: "en", channel: .email)
        #expect(m.html?.contains("<script>") == false)
        #expect(m.text.contains("<script>"), "the text part is not HTML")
    }

    /// The sign-in methods are said in the message's language, the providers by their names.
    @Test(arguments: [("pt-BR", "senha"), ("ru", "пароль"), ("de", "Passwort"), ("fr", "mot de passe")])
    func loginReminderSaysPasswordInItsLanguage(locale: String, word: String) throws {
        let m = try composer.compose(.loginReminder(login: "maria", password: true, providers: ["Google"]), locale: locale, channel: .email)
        #expect(m.text.contains(word + ", Google"), "\(m.text)")
        #expect(!m.text.contains("password"))
    }

    @Test func smsIsOneShortLine() throws {
        let m = try composer.compose(.recoveryCode(code: "123456", notMeLink: "https://b.example/n", minutes: 10), locale: "en", channel: .sms)
        #expect(m.html == nil)
        #expect(m.text.contains("123456"))
        #expect(!m.text.contains("\n"))
        #expect(m.text.count < 320)
    }

    @Test func socialRecoveryListsProviders() throws {
        let m = try composer.compose(.socialRecovery(
            providers: [ProviderLinks(name: "Google", recoveryURL: "https://accounts.google.com/signin/recovery", signInURL: "https://b.example/auth/google/start")],
            setPasswordLink: "https://b.example/recover/reset?token=x", notMeLink: "https://b.example/n", minutes: 60
        ), locale: "en", channel: .email)
        #expect(m.text.contains("https://accounts.google.com/signin/recovery"))
        #expect(m.text.contains("https://b.example/auth/google/start"))
        #expect(m.text.contains("https://b.example/recover/reset?token=x"))
    }

    /// Every reason a refusal can give has its translation: none falls back to English unnoticed.
    @Test func everyReasonIsTranslated() {
        let reasons: [Reason] = [
            .required, .empty, .tooLong, .invalidJSON, .notJSONObject, .unreadableForm, .cannotChange, .listedTwice, .isoTime,
            .email, .phone, .loginLength, .loginCharacters, .loginStart, .reserved, .notAllowedAddress, .minLength(8), .maxBytes(1024),
            .onlySpaces, .oneCharacter, .passwordNeedsIdentifier, .accountNeedsIdentifier, .unknownProvider("x"), .subjectLength,
            .needsProviderAndSubject, .noVerifiedAddress(.email), .noVerifiedAddress(.sms), .oneOf(["a", "b"]),
        ] + ["string", "boolean", "number", "list", "object"].flatMap { [Reason.type($0), Reason.type($0, null: true)] }
        for reason in reasons {
            #expect(Self.localizer.keys("en").contains("reason." + reason.code), "reason.\(reason.code) is missing")
            #expect(Self.localizer.reason(reason, locale: "en") == reason.description, "the English text is the code's own")
        }
        #expect(Self.localizer.reason(.minLength(12), locale: "pt-BR") == "use pelo menos 12 caracteres")
        #expect(Self.localizer.reason(.detail("bcrypt cost above 14"), locale: "es") == "bcrypt cost above 14", "details stay as they are")
    }

    @Test func everyLanguageHasEveryKey() {
        let english = Self.localizer.keys("en")
        #expect(english.count > 40)
        for locale in LocalePolicy.supported {
            let missing = english.subtracting(Self.localizer.keys(locale))
            #expect(missing.isEmpty, "\(locale) lacks \(missing.sorted())")
        }
    }
}

@Suite("Check-word secrets")
struct CheckWordSecretsTests {
    let secrets = CheckWordSecrets(key: Data(repeating: 7, count: 32))

    @Test func placeholdersAreReplaced() {
        let id = "AbC_d-9"
        let text = "link " + CheckWordSecrets.placeholder(.link, id: id) + " code " + CheckWordSecrets.placeholder(.code, id: id) + " [[other]] [[link:bad id]]"
        let out = secrets.reveal(text)
        #expect(out == "link \(secrets.token(for: id)) code \(secrets.code(for: id)) [[other]] [[link:bad id]]")
        #expect(secrets.code(for: id).count == 6)
        #expect(secrets.token(for: id).count == 43)
        #expect(CheckWordSecrets(key: Data(repeating: 8, count: 32)).token(for: id) != secrets.token(for: id))
    }

    @Test func revealKeepsEveryOtherCharacter() {
        let text = "Olá, não é você? ➜ " + CheckWordSecrets.placeholder(.code, id: "w1") + " — até [[ e ]] [[code:]] fim [["
        #expect(secrets.reveal(text) == "Olá, não é você? ➜ \(secrets.code(for: "w1")) — até [[ e ]] [[code:]] fim [[")
        #expect(secrets.reveal("sem nada") == "sem nada")
        #expect(secrets.reveal("") == "")
    }
}
