import Testing

@Test func placeholderDefenderAPI() {}
