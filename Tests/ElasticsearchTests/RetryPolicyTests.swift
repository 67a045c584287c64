import Elasticsearch
import Testing

@Suite struct RetryPolicyTests {
    @Test func ceilingDoublesUpToMaximum() {
        let policy = RetryPolicy()
        let ceilings = (0...8).map { policy.ceiling(forAttempt: $0) }
        #expect(ceilings == [1, 2, 4, 8, 16, 32, 60, 60, 60].map { Duration.seconds($0) })
    }

    @Test func ceilingSurvivesHugeAttempt() {
        #expect(RetryPolicy().ceiling(forAttempt: 10_000) == .seconds(60))
    }

    @Test func delayScalesCeilingByJitter() {
        let policy = RetryPolicy()
        #expect(policy.delay(forAttempt: 2, jitter: 0.5) == .seconds(2))
        #expect(policy.delay(forAttempt: 2, jitter: 0) == .zero)
        #expect(policy.delay(forAttempt: 2, jitter: 7) == .seconds(4))
    }

    @Test func retryAgeExpiresAtLimit() {
        let policy = RetryPolicy(maxRetryAge: .seconds(300))
        #expect(!policy.hasExpired(firstSent: .seconds(10), now: .seconds(309)))
        #expect(policy.hasExpired(firstSent: .seconds(10), now: .seconds(310)))
        #expect(!RetryPolicy().hasExpired(firstSent: .zero, now: .seconds(1_000_000)))
    }
}
