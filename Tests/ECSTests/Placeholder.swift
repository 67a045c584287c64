import Testing

@Test func placeholderECS() {}
