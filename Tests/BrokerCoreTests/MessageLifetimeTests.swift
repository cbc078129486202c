import BrokerCore
import Testing

@Suite("Lifetimes in messages")
struct MessageLifetimeTests {
    /// Any positive number of seconds is a valid lifetime; the message never says "0 minutes".
    @Test(arguments: [(1, 1), (3, 1), (59, 1), (60, 1), (61, 2), (90, 2), (600, 10), (3600, 60)])
    func roundedUpToWholeMinutes(seconds: Int, minutes: Int) {
        #expect(MessageContent.minutes(seconds) == minutes)
    }
}
