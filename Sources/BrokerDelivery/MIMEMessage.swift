import BrokerCore
import Foundation

/// RFC 5322 / MIME rendering of an outbox message: multipart/alternative with
/// a plain-text and an HTML part in UTF-8, the subject RFC 2047-encoded. Parts go
/// as they are (7bit or 8bit), so the links stand verbatim in the raw message for
/// any filter or sink that looks for them; base64 only if a line would be too long.
enum MIMEMessage {
    static func render(_ m: OutboxMessage, from: String) -> String {
        let boundary = "=_broker_" + m.id
        var lines = [
            "From: " + from,
            "To: " + m.recipient,
            "Subject: " + encodedWord(m.subject),
            "Date: " + rfc2822(m.createdAt),
            "Message-ID: <" + m.id + "@" + (address(in: from).split(separator: "@").last.map(String.init) ?? "broker") + ">",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
        ]
        if let html = m.html {
            lines += ["Content-Type: multipart/alternative; boundary=\"\(boundary)\"", "", "--" + boundary]
            lines += part("text/plain", m.text) + ["--" + boundary] + part("text/html", html) + ["--" + boundary + "--", ""]
        } else {
            lines += part("text/plain", m.text)
        }
        return lines.joined(separator: "\r\n")
    }

    static func part(_ type: String, _ body: String) -> [String] {
        let lines = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = "Content-Type: \(type); charset=utf-8"
        // RFC 5322: at most 998 octets a line.
        guard lines.allSatisfy({ $0.utf8.count <= 998 }) else {
            let encoded = Data(body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            return [header, "Content-Transfer-Encoding: base64", "", encoded, ""]
        }
        let encoding = body.utf8.allSatisfy { $0 < 0x80 } ? "7bit" : "8bit"
        return [header, "Content-Transfer-Encoding: " + encoding, ""] + lines + [""]
    }

    static func encodedWord(_ text: String) -> String {
        text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 32 }) ? text : "=?UTF-8?B?" + Data(text.utf8).base64EncodedString() + "?="
    }

    /// The bare address of `Name <addr>` or `addr`.
    static func address(in mailbox: String) -> String {
        if let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close {
            return String(mailbox[mailbox.index(after: open)..<close]).trimmingWhitespace()
        }
        return mailbox.trimmingWhitespace()
    }

    static func rfc2822(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return f.string(from: date)
    }
}
