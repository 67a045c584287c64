import Testing

@Test func placeholderElasticsearch() {}
