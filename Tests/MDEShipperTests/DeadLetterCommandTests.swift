@testable import mde_shipper
import Shipper
import Testing

@Test func remainingMessageNamesBothKinds() {
    var summary = DeadLetterReplaySummary()
    summary.failedAgain = 2
    summary.malformed = 1
    let message = DeadLetterCommand.remainingMessage(summary, path: "/s/dead-letter.ndjson")
    #expect(message.contains("2 documents failed again (see the error fields of their lines)"))
    #expect(message.contains("1 line is not a readable dead letter"))
    #expect(message.hasSuffix("/s/dead-letter.ndjson now holds only those lines: fix the cause and replay again"))
}

@Test func remainingMessageOmitsZeroCounts() {
    var summary = DeadLetterReplaySummary()
    summary.malformed = 3
    let message = DeadLetterCommand.remainingMessage(summary, path: "f")
    #expect(message.hasPrefix("3 lines are not a readable dead letter; "))
    #expect(!message.contains("failed again"))
}
