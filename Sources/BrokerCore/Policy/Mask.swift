/// Masked addresses for hints: the full address never appears, and at least as much of it is
/// hidden as shown.
public enum Mask {
    /// `maria@example.test` -> `m•••@example.test`; a local part of one or two characters is
    /// hidden whole (`•••@example.test`), since its first character would be half of it or all.
    public static func email(_ email: String) -> String {
        guard let at = email.firstIndex(of: "@") else { return "•••" }
        let local = email[..<at]
        let shown = local.count > 2 ? String(local.prefix(1)) : ""
        return shown + "•••" + email[at...]
    }

    /// `+5511999990000` -> `+55•••0000`; a phone of fewer than 10 digits shows its last two only
    /// (`+1234567` -> `+•••67`), so that at least four digits stay hidden.
    public static func phone(_ phone: String) -> String {
        let digits = phone.filter(\.isASCIIDigit)
        guard digits.count >= 4 else { return "•••" }
        guard digits.count >= 10 else { return "+•••" + String(digits.suffix(2)) }
        return "+" + String(digits.prefix(2)) + "•••" + String(digits.suffix(4))
    }
}
