/// Ids made before ids were time-ordered are random base64url, and 1 in 64 of them starts with
/// '-', which the argument parser reads as an option ("Unknown option '-x'"). An argument that is
/// exactly such an id (one '-' and 21 more characters of base64url) is no option or flag of the
/// broker, and every command that takes an id takes it as its one positional argument: such an
/// argument is moved after a "--" at the end, where the parser reads it as that argument.
/// Arguments that already hold a "--" are left as typed.
enum DashedIds {
    static func escaped(_ arguments: [String]) -> [String] {
        guard !arguments.contains("--"), arguments.contains(where: isDashedId) else { return arguments }
        return arguments.filter { !isDashedId($0) } + ["--"] + arguments.filter(isDashedId)
    }

    static func isDashedId(_ argument: String) -> Bool {
        let bytes = Array(argument.utf8)
        return bytes.count == 22 && bytes[0] == UInt8(ascii: "-") && bytes[1] != UInt8(ascii: "-")
            && bytes.dropFirst().allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                     UInt8(ascii: "-"), UInt8(ascii: "_"): true
                default: false
                }
            }
    }
}
