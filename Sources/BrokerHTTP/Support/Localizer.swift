import BrokerCore
import Foundation
import Hummingbird
import Yams

/// Texts of error messages (and later pages) in every supported language,
/// loaded from `locales/*.yaml`; a missing key falls back to English.
public struct Localizer: Sendable {
    let tables: [String: [String: String]]

    public static let shared: Localizer = {
        var tables: [String: [String: String]] = [:]
        for locale in LocalePolicy.supported {
            guard let url = Bundle.module.url(forResource: locale, withExtension: "yaml", subdirectory: "locales"),
                  let text = try? String(contentsOf: url, encoding: .utf8),
                  let map = (try? Yams.load(yaml: text)) as? [String: Any]
            else { continue }
            tables[locale] = flatten(map, prefix: "")
        }
        return Localizer(tables: tables)
    }()

    static func flatten(_ map: [String: Any], prefix: String) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in map {
            let key = prefix.isEmpty ? k : prefix + "." + k
            if let nested = v as? [String: Any] { out.merge(flatten(nested, prefix: key)) { a, _ in a } } else { out[key] = "\(v)" }
        }
        return out
    }

    /// Every key of a language table; tests compare them across languages.
    public func keys(_ locale: String) -> Set<String> { Set(tables[locale]?.keys ?? [:].keys) }

    /// The text of `key` in `locale` with `{name}` placeholders filled.
    public func text(_ key: String, locale: String, _ values: [String: String] = [:]) -> String {
        var text = tables[locale]?[key] ?? tables[LocalePolicy.fallback]?[key] ?? key
        for (name, value) in values { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }

    /// The language of a request: `lang` in the query, then the `broker_lang` cookie, then Accept-Language.
    public static func locale(of request: Request) -> String {
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
        return LocalePolicy.fallback
    }
}
