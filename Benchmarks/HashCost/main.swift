import BrokerCore
import BrokerCrypto
import Foundation

// Times Argon2id with the default (OWASP) parameters: the floor under every
// password sign-in, printed beside the HTTP figures by scripts/bench.sh.
let hasher = Argon2PasswordHasher()
let rounds = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 20
let password = Secret("benchmark-password")
let hash = try await hasher.hash(password)
var samples: [Double] = []
for _ in 0..<rounds {
    let start = DispatchTime.now().uptimeNanoseconds
    _ = try await hasher.verify(password, against: hash)
    samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
}
samples.sort()
let median = samples[samples.count / 2]
print(String(format: "argon2id m=19456 t=2 p=1: median %.1f ms per hash (%d rounds, min %.1f, max %.1f)", median, rounds, samples.first!, samples.last!))
