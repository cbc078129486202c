import BrokerCore
import Foundation
import Yams

/// Texts of messages, pages and errors in every supported language, loaded from
/// `locales/*.yaml`; a missing key falls back to English (and a test fails when
/// any language lacks a key English has).
public struct Localizer: Sendable {
    let tables: [String: [String: String]]

    /// Reads every supported language's file; a missing or broken one stops start-up with its name,
    /// rather than pages and messages quietly falling back to English or to raw keys.
    public static func load() throws -> Localizer {
        var tables: [String: [String: String]] = [:]
        for locale in LocalePolicy.supported {
            guard let url = Bundle.module.url(forResource: locale, withExtension: "yaml", subdirectory: "locales") else {
                throw LocalizerError(file: "locales/\(locale).yaml", problem: "is missing from the bundle")
            }
            let text = try String(contentsOf: url, encoding: .utf8)
            guard let map = try Yams.load(yaml: text) as? [String: Any] else {
                throw LocalizerError(file: "locales/\(locale).yaml", problem: "is not a YAML mapping")
            }
            tables[locale] = flatten(map, prefix: "")
        }
        return Localizer(tables: tables)
    }

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

    /// A refusal's reason in `locale`: `reason.<code>` with its values; a reason without a
    /// translation (`detail`) stays in English.
    public func reason(_ reason: Reason, locale: String) -> String {
        guard tables[locale]?["reason." + reason.code] != nil || tables[LocalePolicy.fallback]?["reason." + reason.code] != nil else {
            return reason.description
        }
        return text("reason." + reason.code, locale: locale, reason.values)
    }

    /// Every text under `prefix.` in `locale` (keys without the prefix), English filling gaps.
    public func section(_ prefix: String, locale: String, _ values: [String: String] = [:]) -> [String: String] {
        let p = prefix + "."
        var out: [String: String] = [:]
        for key in (tables[LocalePolicy.fallback] ?? [:]).keys where key.hasPrefix(p) {
            out[String(key.dropFirst(p.count))] = text(key, locale: locale, values)
        }
        return out
    }
}

/// A language file that cannot be used.
public struct LocalizerError: Error, CustomStringConvertible {
    public var file: String
    public var problem: String
    public var description: String { "\(file) \(problem)" }
}
