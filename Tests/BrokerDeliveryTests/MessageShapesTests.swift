import BrokerCore
@testable import BrokerDelivery
import BrokerLocales
import Testing

/// The recovery messages made from kept shapes are, character for character, the messages the
/// templates render, in every language and channel, including for values the shapes must not take.
@Suite("Message shapes")
struct MessageShapesTests {
    static let composer = try! MustacheMessageComposer(localizer: try! Localizer.load())

    static let values: [(String, String)] = [
        ("https://b.example/recover/reset?token=[[link:abc]]", "https://b.example/recover/not-me?token=[[link:def]]"),
        ("https://b.example/recover/reset?token=[[link:xyz]]", "https://b.example/recover/not-me?token=[[link:uvw]]"),
        ("[[code:c1]]", "https://b.example/recover/not-me?token=[[link:n1]]"),
        // Not shapes: escaping changes `&`, `<`, quotes; these are rendered in full.
        ("https://b.example/recover/reset?token=[[link:a]]&return_to=https%3A%2F%2Fshop.example%2F", "https://b.example/n?x=1&y=\"2\""),
    ]

    @Test(arguments: LocalePolicy.supported)
    func shapesGiveExactlyWhatTheTemplatesRender(locale: String) throws {
        for channel in Channel.allCases {
            for minutes in [1, 10, 60] {
                for (first, notMe) in Self.values {
                    for message in [MessageContent.recoveryLink(link: first, notMeLink: notMe, minutes: minutes),
                                    .recoveryCode(code: first, notMeLink: notMe, minutes: minutes)] {
                        let rendered = try Self.composer.render(message, locale: locale, channel: channel)
                        #expect(try Self.composer.compose(message, locale: locale, channel: channel) == rendered, "\(message) \(locale) \(channel)")
                        #expect(try Self.composer.compose(message, locale: locale, channel: channel) == rendered, "from the kept shape")
                    }
                }
            }
        }
    }

    @Test func onlyValuesEscapingLeavesAloneAreShaped() {
        #expect(MessageShapes.isInvariant("https://b.example/recover/reset?token=[[link:abc]]"))
        #expect(!MessageShapes.isInvariant("https://b.example/r?a=1&b=2"))
        #expect(!MessageShapes.isInvariant("<script>"))
        #expect(!MessageShapes.isInvariant("two words"))
        #expect(!MessageShapes.isInvariant(""))
    }
}
