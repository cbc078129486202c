/// Argon2id cost parameters. The default is OWASP's minimum for Argon2id
/// (19 MiB, 2 passes, 1 lane).
public struct Argon2Parameters: Sendable, Equatable {
    public var memoryKiB: Int
    public var iterations: Int
    public var parallelism: Int

    public init(memoryKiB: Int = 19_456, iterations: Int = 2, parallelism: Int = 1) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
    }

    /// The parameters written in a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`), or nil.
    public init?(phc: String) {
        let fields = phc.split(separator: "$", omittingEmptySubsequences: true)
        guard fields.count >= 4, fields[0].hasPrefix("argon2") else { return nil }
        var m: Int?, t: Int?, p: Int?
        for pair in fields[2].split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, let value = Int(kv[1]) else { return nil }
            switch kv[0] {
            case "m": m = value
            case "t": t = value
            case "p": p = value
            default: return nil
            }
        }
        guard let m, let t, let p else { return nil }
        self.init(memoryKiB: m, iterations: t, parallelism: p)
    }
}
