import Foundation
import Testing

@testable import BrokerCore

struct SecureTokenGeneratorTests {
    @Test func identifiersSortByTheTimeTheyWereMade() async throws {
        let generator = SecureTokenGenerator()
        var made: [String] = []
        for _ in 0..<5 {
            made.append(generator.identifier())
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(made == made.sorted(), "a later id sorts after an earlier one, byte for byte as SQL compares them")
        #expect(Set(made).count == made.count)
        for id in made {
            #expect(id.utf8.count == 22)
            #expect(id.utf8.allSatisfy { Base64Groups.url.contains($0) }, "ids keep base64url's characters: \(id)")
            #expect(id.hasPrefix("0"), "never '-', which a command line would read as an option: \(id)")
        }
    }

    @Test func identifiersMadeInTheSameMillisecondStillDiffer() {
        let generator = SecureTokenGenerator()
        let many = (0..<10_000).map { _ in generator.identifier() }
        #expect(Set(many).count == many.count)
    }

    @Test func theSortableAlphabetIsBase64URLsCharactersInASCIIOrder() {
        #expect(SecureTokenGenerator.sortableAlphabet == SecureTokenGenerator.sortableAlphabet.sorted())
        #expect(Set(SecureTokenGenerator.sortableAlphabet) == Set(Base64Groups.url))
    }
}
