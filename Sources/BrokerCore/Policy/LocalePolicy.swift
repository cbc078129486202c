/// The languages the broker speaks, and how a requested tag maps onto them.
public enum LocalePolicy {
    public static let supported = ["en", "pt-BR", "es", "ru", "de", "fr"]
    public static let fallback = "en"

    /// The supported locale a tag means ("pt", "pt-br", "pt_BR" -> "pt-BR"; "en-GB" -> "en"), or nil.
    public static func match(_ tag: String) -> String? {
        let t = tag.trimmingWhitespace().replacingUnderscores().lowercased()
        if let exact = supported.first(where: { $0.lowercased() == t }) { return exact }
        let language = t.split(separator: "-").first.map(String.init) ?? t
        return supported.first { $0.lowercased().split(separator: "-").first.map(String.init) == language }
    }

    /// A locale from a request field: a supported one, or 400 naming the field.
    public static func validate(_ tag: String, field: String = "locale") throws -> String {
        guard let locale = match(tag) else {
            throw BrokerError.invalidRequest(field: field, reason: .oneOf(supported))
        }
        return locale
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? "-" : $0 }) }
}
