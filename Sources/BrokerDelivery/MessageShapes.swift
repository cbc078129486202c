import BrokerCore
import Synchronization

/// The rendered form of the recovery messages with markers where their link, code and "not me"
/// link go, per kind, lifetime, language and channel. A recovery request then costs a few string
/// replacements instead of a Mustache render (a fifth of the broker's time on that request).
/// It is exact only for values that HTML escaping leaves alone and that carry no whitespace:
/// the broker's own links and placeholders. Any other value (a link with `&return_to=`) is
/// rendered in full, so the cache can change no message, only how fast it is made.
final class MessageShapes: Sendable {
    /// Private-use characters: Mustache does not escape them and `tidy` does not trim them.
    static func marker(_ index: Int) -> String { "\u{E000}\(index)\u{E001}" }

    /// A rendered part cut at its markers once, so that filling it in is appending, not searching
    /// (a search for a non-ASCII marker through a 4 kB message costs as much as the render).
    struct Part: Sendable {
        enum Piece: Sendable { case text(String), value(Int) }
        let pieces: [Piece]

        init(_ rendered: String, markers: Int) {
            var pieces: [Piece] = [.text(rendered)]
            for index in 0..<markers {
                let marker = MessageShapes.marker(index)
                pieces = pieces.flatMap { piece -> [Piece] in
                    guard case .text(let text) = piece else { return [piece] }
                    let cut = text.components(separatedBy: marker)
                    return cut.enumerated().flatMap { offset, part in offset == 0 ? [Piece.text(part)] : [.value(index), .text(part)] }
                }
            }
            self.pieces = pieces
        }

        func fill(_ values: [String]) -> String {
            var out = ""
            out.reserveCapacity(pieces.reduce(0) { size, piece in
                switch piece {
                case .text(let t): size + t.utf8.count
                case .value(let i): size + values[i].utf8.count
                }
            })
            for piece in pieces {
                switch piece {
                case .text(let t): out += t
                case .value(let i): out += values[i]
                }
            }
            return out
        }
    }

    struct Shape: Sendable {
        let subject: Part
        let text: Part
        let html: Part?
    }

    private let shapes = Mutex<[String: Shape]>([:])

    /// The message, when it is one of the kinds kept as shapes and its values allow it; else nil.
    func compose(_ message: MessageContent, locale: String, channel: Channel,
                 render: (MessageContent) throws -> ComposedMessage) rethrows -> ComposedMessage? {
        let key: String
        let values: [String]
        let shapeContent: MessageContent
        switch message {
        case .recoveryLink(let link, let notMe, let minutes):
            (key, values) = ("link|\(minutes)", [link, notMe])
            shapeContent = .recoveryLink(link: Self.marker(0), notMeLink: Self.marker(1), minutes: minutes)
        case .recoveryCode(let code, let notMe, let minutes):
            (key, values) = ("code|\(minutes)", [code, notMe])
            shapeContent = .recoveryCode(code: Self.marker(0), notMeLink: Self.marker(1), minutes: minutes)
        default:
            return nil
        }
        guard values.allSatisfy(Self.isInvariant) else { return nil }
        let fullKey = key + "|" + locale + "|" + channel.rawValue
        let shape: Shape
        if let cached = shapes.withLock({ $0[fullKey] }) {
            shape = cached
        } else {
            let rendered = try render(shapeContent)
            shape = Shape(subject: Part(rendered.subject, markers: values.count), text: Part(rendered.text, markers: values.count),
                          html: rendered.html.map { Part($0, markers: values.count) })
            shapes.withLock { $0[fullKey] = shape }
        }
        return ComposedMessage(subject: shape.subject.fill(values), text: shape.text.fill(values), html: shape.html?.fill(values))
    }

    /// Printable ASCII that HTML escaping leaves as it is: what is true of the marker is then true of the value.
    static func isInvariant(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x26 && $0 != 0x3C && $0 != 0x3E && $0 != 0x22 && $0 != 0x27 }
    }
}
