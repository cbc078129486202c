/// Masked addresses for hints: the full address never appears.
public enum Mask {
    /// `maria@example.test` -> `m•••@example.test`
    public static func email(_ email: String) -> String {
        guard let at = email.firstIndex(of: "@"), let first = email.first else { return "•••" }
        return String(first) + "•••" + email[at...]
    }

    /// `+5511999990000` -> `+55•••0000`
    public static func phone(_ phone: String) -> String {
        guard phone.count > 7 else { return "•••" }
        return String(phone.prefix(3)) + "•••" + String(phone.suffix(4))
    }
}
