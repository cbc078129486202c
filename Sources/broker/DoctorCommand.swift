import ArgumentParser
import BrokerRuntime

/// `broker doctor`: what is wrong with a configuration before it goes live, in plain words.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check a configuration before it goes live: exits 1 when something must be fixed."
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let findings = await Doctor(config: try options.load()).run()
        for finding in findings { print(finding) }
        let problems = findings.filter { $0.level == .problem }.count
        let warnings = findings.filter { $0.level == .warning }.count
        print("\(problems) problems, \(warnings) warnings")
        if problems > 0 { throw ExitCode(1) }
    }
}
