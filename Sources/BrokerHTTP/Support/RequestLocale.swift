import BrokerCore
import Foundation
import Hummingbird
import BrokerLocales

extension Localizer {
    /// The language of a request: `lang` in the query, then the `broker_lang` cookie, then Accept-Language.
    public static func locale(of request: Request) -> String {
        chosenLocale(of: request) ?? LocalePolicy.fallback
    }

    /// The language the request asks for, if it asks for one it can have.
    public static func chosenLocale(of request: Request) -> String? {
        if let lang = request.uri.queryParameters.get("lang"), let match = LocalePolicy.match(lang) { return match }
        if let cookie = request.cookies["broker_lang"]?.value, let match = LocalePolicy.match(cookie) { return match }
        if let header = request.headers[.acceptLanguage] {
            let ranked = header.split(separator: ",").compactMap { part -> (String, Double)? in
                let pieces = part.split(separator: ";")
                guard let tag = pieces.first?.trimmingWhitespace(), !tag.isEmpty else { return nil }
                let q = pieces.dropFirst().compactMap { p -> Double? in
                    let kv = p.trimmingWhitespace()
                    return kv.hasPrefix("q=") ? Double(kv.dropFirst(2)) : nil
                }.first ?? 1
                return (tag, q)
            }.sorted { $0.1 > $1.1 }
            for (tag, q) in ranked where q > 0 {
                if let match = LocalePolicy.match(tag) { return match }
            }
        }
        return nil
    }
}
