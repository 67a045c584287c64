import Elasticsearch
import Testing

@Suite struct BulkClusterEndpointTests {
    @Test func hostListSplitsAndTrims() throws {
        let endpoint = try ClusterEndpoint(hostList: " http://127.0.0.1:9200/ , https://es2:9243,")
        #expect(endpoint.hosts == ["http://127.0.0.1:9200", "https://es2:9243"])
        #expect(endpoint.hostPool.state(of: "http://127.0.0.1:9200") == .healthy)
    }

    @Test(arguments: [
        "", "es1:9200", "ftp://es1", "http://", "http://es1:9200?x=1", "http://[127.0.0.1", "http://es1:notaport",
        "http://es1:0", "http://es1:70000", "http://:9200", "http://[::1]x",
    ])
    func invalidHostListIsRejected(_ hostList: String) {
        #expect(throws: ClusterEndpointError.self) { try ClusterEndpoint(hostList: hostList) }
    }

    @Test(arguments: ["http://127.0.0.1:9200", "https://[::1]:9243", "http://[::1]", "https://es1/prefix/", "http://es1"])
    func validHostIsAccepted(_ host: String) throws {
        #expect(try ClusterEndpoint(hosts: [host]).hosts.count == 1)
    }

    @Test func credentialsInHostAreNotEchoed() {
        #expect {
            try ClusterEndpoint(hosts: ["https://elastic:s3cret@es1:9243"])
        } throws: { error in
            !String(describing: error).contains("s3cret")
        }
    }
}
