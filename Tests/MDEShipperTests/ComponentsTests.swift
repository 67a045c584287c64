@testable import mde_shipper
import Testing

@Test func rotatedStartsAtProbedHost() {
    let hosts = ["http://a:9200", "http://b:9200/", "http://c:9200"]
    #expect(Components.rotated(hosts, toStartAt: "http://b:9200") == ["http://b:9200/", "http://c:9200", "http://a:9200"])
}

@Test func rotatedKeepsOrderWithoutMatch() {
    let hosts = ["http://a:9200", "http://b:9200"]
    #expect(Components.rotated(hosts, toStartAt: "http://z:9200") == hosts)
}
