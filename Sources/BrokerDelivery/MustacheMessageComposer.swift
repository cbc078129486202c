import BrokerCore
import BrokerLocales
import Foundation
import Mustache

/// Renders messages with the Mustache layouts in `templates/messages` and the
/// texts of `locales/*.yaml`: an HTML and a plain-text part for email, one line for SMS.
public struct MustacheMessageComposer: MessageComposer {
    let library: MustacheLibrary
    let localizer: Localizer
    let shapes = MessageShapes()

    public init(localizer: Localizer) throws {
        var library = MustacheLibrary()
        for name in ["message.html", "message.txt"] {
            guard let url = Bundle.module.url(forResource: name, withExtension: "mustache", subdirectory: "templates/messages") else {
                throw DeliveryError.template("missing template \(name)")
            }
            try library.register(String(contentsOf: url, encoding: .utf8), named: name)
        }
        self.library = library
        self.localizer = localizer
    }

    enum Block {
        case paragraph(String)
        case button(String, url: String)
        case link(String, url: String)
        case code(String)

        var context: [String: Any] {
            switch self {
            case .paragraph(let t): ["isParagraph": true, "text": t]
            case .button(let t, let url): ["isButton": true, "text": t, "url": url]
            case .link(let t, let url): ["isLink": true, "text": t, "url": url]
            case .code(let t): ["isCode": true, "text": t]
            }
        }
    }

    public func compose(_ message: MessageContent, locale: String, channel: Channel) throws -> ComposedMessage {
        if let fast = try shapes.compose(message, locale: locale, channel: channel, render: { try render($0, locale: locale, channel: channel) }) {
            return fast
        }
        return try render(message, locale: locale, channel: channel)
    }

    /// The message rendered from the templates, every time.
    func render(_ message: MessageContent, locale: String, channel: Channel) throws -> ComposedMessage {
        func t(_ key: String, _ values: [String: String] = [:]) -> String { localizer.text("message." + key, locale: locale, values) }
        guard channel.carriesHTML else { return ComposedMessage(subject: "", text: sms(message, t), html: nil) }
        var blocks: [Block] = []
        let subject: String
        var notMe: String?
        // A notice of a change already made: "ignore this message" would be the wrong advice.
        var notAsked = t("not_asked")
        var notMeTextKey = "not_me_text"
        switch message {
        case .recoveryLink(let link, let notMeLink, let minutes):
            subject = t("recovery_link.subject")
            blocks = [.paragraph(t("recovery_link.intro")), .button(t("recovery_link.action"), url: link),
                      .paragraph(t("recovery_link.expires", ["minutes": String(minutes)]))]
            notMe = notMeLink
        case .recoveryCode(let code, let notMeLink, let minutes):
            subject = t("recovery_link.subject")
            blocks = [.code(code), .paragraph(t("recovery_code.text", ["code": code, "minutes": String(minutes)]))]
            notMe = notMeLink
        case .socialRecovery(let providers, let setPassword, let notMeLink, let minutes):
            subject = t("social_recovery.subject")
            blocks = [.paragraph(t("social_recovery.intro"))]
            for p in providers {
                blocks.append(.link(t("social_recovery.recover_at", ["provider": p.name]), url: p.recoveryURL))
                if let signIn = p.signInURL { blocks.append(.link(t("social_recovery.sign_in_with", ["provider": p.name]), url: signIn)) }
            }
            if let setPassword {
                if setPassword.hasPrefix("http") {
                    blocks += [.paragraph(t("social_recovery.set_password")), .button(t("social_recovery.set_password_action"), url: setPassword),
                               .paragraph(t("social_recovery.expires", ["minutes": String(minutes)]))]
                } else {
                    blocks.append(.paragraph(t("social_recovery.set_password_code", ["code": setPassword])))
                }
            }
            notMe = notMeLink
        case .loginReminder(let login, let password, let providers):
            let methods = (password ? [t("login_reminder.password")] : []) + providers
            subject = t("login_reminder.subject")
            blocks = [.paragraph(t("login_reminder.intro")),
                      .paragraph(login.map { t("login_reminder.login", ["login": $0]) } ?? t("login_reminder.no_login")),
                      .paragraph(t("login_reminder.methods", ["methods": methods.joined(separator: ", ")]))]
        case .passwordChanged(let when):
            subject = t("password_changed.subject")
            blocks = [.paragraph(t("password_changed.text", ["when": when])), .paragraph(t("password_changed.not_you"))]
        case .verifyAddress(let link, let code, let minutes):
            subject = t("verify_address.subject")
            blocks = [.paragraph(t("verify_address.intro"))]
            if let link { blocks.append(.button(t("verify_address.action"), url: link)) }
            blocks += [.paragraph(t("verify_address.code")), .code(code), .paragraph(t("verify_address.expires", ["minutes": String(minutes)]))]
        case .addressInUse:
            subject = t("address_in_use.subject")
            blocks = [.paragraph(t("address_in_use.text"))]
        case .accountChanged(let change, let notMeLink):
            subject = t("account_changed.subject")
            blocks = [.paragraph(t("account_changed." + change.text.key, change.text.values)), .paragraph(t("account_changed.not_you"))]
            notMe = notMeLink
            notAsked = ""
            notMeTextKey = "account_changed.not_me_text"
        case .linkConfirmation(let provider, let link, let minutes):
            subject = t("link_confirmation.subject", ["provider": provider])
            blocks = [.paragraph(t("link_confirmation.intro", ["provider": provider])),
                      .button(t("link_confirmation.action", ["provider": provider]), url: link),
                      .paragraph(t("link_confirmation.expires", ["minutes": String(minutes)])),
                      .paragraph(t("link_confirmation.not_you"))]
        }
        let context: [String: Any] = [
            "lang": locale, "subject": subject, "greeting": t("greeting"), "blocks": blocks.map(\.context),
            "notAsked": notAsked, "notMe": t("not_me"), "notMeURL": notMe ?? "",
            "notMeText": notMe.map { t(notMeTextKey, ["link": $0]) } ?? "", "signature": t("signature"),
        ]
        guard let html = library.render(context, withTemplate: "message.html"),
              let text = library.render(context, withTemplate: "message.txt")
        else { throw DeliveryError.template("rendering failed") }
        return ComposedMessage(subject: subject, text: Self.tidy(text), html: html)
    }

    /// One short SMS text per message.
    func sms(_ message: MessageContent, _ t: (String, [String: String]) -> String) -> String {
        switch message {
        case .recoveryCode(let code, let notMeLink, let minutes):
            return t("recovery_code.text", ["code": code, "minutes": String(minutes)]) + " " + t("not_me_text", ["link": notMeLink])
        case .recoveryLink(let link, let notMeLink, _):
            return t("recovery_link.action", [:]) + ": " + link + " " + t("not_me_text", ["link": notMeLink])
        case .socialRecovery(let providers, let setPassword, let notMeLink, let minutes):
            var parts = providers.map { t("social_recovery.recover_at", ["provider": $0.name]) + " " + $0.recoveryURL }
            if let setPassword {
                parts.append(setPassword.hasPrefix("http") ? t("social_recovery.set_password_action", [:]) + ": " + setPassword
                             : t("recovery_code.text", ["code": setPassword, "minutes": String(minutes)]))
            }
            parts.append(t("not_me_text", ["link": notMeLink]))
            return parts.joined(separator: " ")
        case .loginReminder(let login, let password, let providers):
            let methods = (password ? [t("login_reminder.password", [:])] : []) + providers
            return t("login_reminder.sms", ["login": login ?? "-", "methods": methods.joined(separator: ", ")])
        case .passwordChanged(let when):
            return t("password_changed.sms", ["when": when])
        case .verifyAddress(_, let code, let minutes):
            return t("verify_address.sms", ["code": code, "minutes": String(minutes)])
        case .addressInUse:
            return t("address_in_use.text", [:])
        case .accountChanged(let change, let notMeLink):
            return t("account_changed." + change.text.key, change.text.values) + " " + t("account_changed.not_me_text", ["link": notMeLink])
        case .linkConfirmation(let provider, let link, _):
            return t("link_confirmation.action", ["provider": provider]) + ": " + link
        }
    }

    /// Collapses the blank lines Mustache sections leave behind.
    static func tidy(_ text: String) -> String {
        var lines: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let blank = line.allSatisfy(\.isWhitespace)
            if blank, lines.last?.allSatisfy(\.isWhitespace) ?? true { continue }
            lines.append(blank ? "" : line)
        }
        return lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
    }
}
