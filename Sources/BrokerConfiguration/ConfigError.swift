/// Why the broker refuses to start: always names the key (or file) at fault.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var key: String
    public var problem: String

    public init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String { "config: \(key): \(problem)" }
}
