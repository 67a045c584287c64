import Testing

@Test func placeholderShipper() {}
