import Shipper
import Testing

private let failedLine = Array("{\"_id\":\"a\"}\n".utf8)
private let brokenLine = MalformedDeadLetterLine(lineNumber: 4, reason: "invalid JSON", bytes: Array("{broken".utf8))

@Test func rewriteRemovesFileWhenNothingLeft() {
    let rewrite = DeadLetterRewrite.decide(allResolved: true, inputUnchanged: true, failedAgain: [], malformed: [])
    #expect(rewrite == .remove)
}

@Test func rewriteKeepsFailedAgainThenMalformed() {
    let rewrite = DeadLetterRewrite.decide(allResolved: true, inputUnchanged: true, failedAgain: failedLine, malformed: [brokenLine])
    #expect(rewrite == .replace(failedLine + Array("{broken\n".utf8)))
}

@Test func rewriteKeepsOnlyMalformedLines() {
    let rewrite = DeadLetterRewrite.decide(allResolved: true, inputUnchanged: true, failedAgain: [], malformed: [brokenLine])
    #expect(rewrite == .replace(Array("{broken\n".utf8)))
}

@Test func rewriteEndsUnterminatedFailedLine() {
    let rewrite = DeadLetterRewrite.decide(
        allResolved: true, inputUnchanged: true, failedAgain: Array("{}".utf8), malformed: [brokenLine])
    #expect(rewrite == .replace(Array("{}\n{broken\n".utf8)))
}

@Test(arguments: [(false, true), (true, false), (false, false)])
func rewriteKeepsFileWhenUnsafe(allResolved: Bool, inputUnchanged: Bool) {
    let rewrite = DeadLetterRewrite.decide(
        allResolved: allResolved, inputUnchanged: inputUnchanged, failedAgain: failedLine, malformed: [])
    guard case .keep = rewrite else {
        Issue.record("expected keep, got \(rewrite)")
        return
    }
}

@Test func rewriteKeepsUnresolvedEvenWhenEmpty() {
    let rewrite = DeadLetterRewrite.decide(allResolved: false, inputUnchanged: true, failedAgain: [], malformed: [])
    #expect(rewrite != .remove)
}
