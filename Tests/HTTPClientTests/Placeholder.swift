import Testing

@Test func placeholderHTTPClient() {}
