/// `GET /` bodies as the named releases return them (node names, ids and hashes are examples).
enum ClusterProbeFixtures {
    static let elasticsearch7_10 = """
        {
          "name" : "es-node-1",
          "cluster_name" : "docker-cluster",
          "cluster_uuid" : "Ex2zW3YfSpqk5CqAe5qZHQ",
          "version" : {
            "number" : "7.10.2",
            "build_flavor" : "default",
            "build_type" : "docker",
            "build_hash" : "747e1cc71def077253878a59143c1f785afa92b9",
            "build_date" : "2021-01-13T00:42:12.435326Z",
            "build_snapshot" : false,
            "lucene_version" : "8.7.0",
            "minimum_wire_compatibility_version" : "6.8.0",
            "minimum_index_compatibility_version" : "6.0.0-beta1"
          },
          "tagline" : "You Know, for Search"
        }
        """

    static let elasticsearch7_10OSS = """
        {
          "name" : "es-oss-1",
          "cluster_name" : "legacy",
          "cluster_uuid" : "q1dW9v3sRBqN0tYtTnGz3A",
          "version" : {
            "number" : "7.10.2",
            "build_flavor" : "oss",
            "build_type" : "tar",
            "build_hash" : "747e1cc71def077253878a59143c1f785afa92b9",
            "build_date" : "2021-01-13T00:42:12.435326Z",
            "build_snapshot" : false,
            "lucene_version" : "8.7.0",
            "minimum_wire_compatibility_version" : "6.8.0",
            "minimum_index_compatibility_version" : "6.0.0-beta1"
          },
          "tagline" : "You Know, for Search"
        }
        """

    static let elasticsearch8 = """
        {
          "name" : "instance-0000000001",
          "cluster_name" : "5d3c8b1e2f4a4c6e8f0a1b2c3d4e5f60",
          "cluster_uuid" : "hZ3bVbVwQ4OeM5K2dYxW8g",
          "version" : {
            "number" : "8.15.3",
            "build_flavor" : "default",
            "build_type" : "docker",
            "build_hash" : "f97532e680b555c3a05e73a74c28afb666923018",
            "build_date" : "2024-10-09T22:08:00.328917561Z",
            "build_snapshot" : false,
            "lucene_version" : "9.11.1",
            "minimum_wire_compatibility_version" : "7.17.0",
            "minimum_index_compatibility_version" : "7.0.0"
          },
          "tagline" : "You Know, for Search"
        }
        """

    static let elasticsearch9 = """
        {
          "name" : "es01",
          "cluster_name" : "docker-cluster",
          "cluster_uuid" : "3uS0xJ1bT7a9cPzVbN2mKQ",
          "version" : {
            "number" : "9.1.0",
            "build_flavor" : "default",
            "build_type" : "docker",
            "build_hash" : "5b2c7d0e1f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c",
            "build_date" : "2025-07-24T10:03:38.140578221Z",
            "build_snapshot" : false,
            "lucene_version" : "10.2.2",
            "minimum_wire_compatibility_version" : "8.19.0",
            "minimum_index_compatibility_version" : "8.0.0"
          },
          "tagline" : "You Know, for Search"
        }
        """

    static let elasticsearch6_8 = """
        {
          "name" : "old-node",
          "cluster_name" : "elasticsearch",
          "cluster_uuid" : "m1Xo3kY6R0u0YbE0n0cKfw",
          "version" : {
            "number" : "6.8.23",
            "build_flavor" : "default",
            "build_type" : "tar",
            "build_hash" : "4f67856",
            "build_date" : "2022-01-06T22:36:47.233567Z",
            "build_snapshot" : false,
            "lucene_version" : "7.7.3",
            "minimum_wire_compatibility_version" : "5.6.0",
            "minimum_index_compatibility_version" : "5.0.0"
          },
          "tagline" : "You Know, for Search"
        }
        """

    static let elasticsearch7_9 = """
        {"name":"n","cluster_name":"c","version":{"number":"7.9.3","build_flavor":"default",\
        "lucene_version":"8.6.2"},"tagline":"You Know, for Search"}
        """

    static let openSearch1 = """
        {
          "name" : "opensearch-node1",
          "cluster_name" : "opensearch-cluster",
          "cluster_uuid" : "b8pD2K3yS1mYt0Xn3uW4rQ",
          "version" : {
            "distribution" : "opensearch",
            "number" : "1.3.19",
            "build_type" : "tar",
            "build_hash" : "2b8b8d3e8b2c4d2a9f5e6b7c8d9e0f1a2b3c4d5e",
            "build_date" : "2024-09-05T20:06:48.712227Z",
            "build_snapshot" : false,
            "lucene_version" : "8.10.1",
            "minimum_wire_compatibility_version" : "6.8.0",
            "minimum_index_compatibility_version" : "6.0.0-beta1"
          },
          "tagline" : "The OpenSearch Project: https://opensearch.org/"
        }
        """

    static let openSearch2 = """
        {
          "name" : "opensearch-node1",
          "cluster_name" : "opensearch-cluster",
          "cluster_uuid" : "Pq4v0yWZS7O1x2n3b4c5dQ",
          "version" : {
            "distribution" : "opensearch",
            "number" : "2.17.1",
            "build_type" : "tar",
            "build_hash" : "1893d20797e30110e5877170e44d42275ce5951e",
            "build_date" : "2024-09-26T21:59:52.691008096Z",
            "build_snapshot" : false,
            "lucene_version" : "9.11.1",
            "minimum_wire_compatibility_version" : "7.10.0",
            "minimum_index_compatibility_version" : "7.0.0"
          },
          "tagline" : "The OpenSearch Project: https://opensearch.org/"
        }
        """

    /// As `osmem-server` returns it.
    static let openSearch3 = """
        {"cluster_name":"osmem","cluster_uuid":"osmem-cluster","name":"osmem-node",\
        "tagline":"The OpenSearch Project: https://opensearch.org/","version":{\
        "build_date":"2026-01-01T00:00:00.000000000Z","build_hash":"osmem","build_snapshot":false,\
        "build_type":"tar","distribution":"opensearch","lucene_version":"10.5.0",\
        "minimum_index_compatibility_version":"2.0.0","minimum_wire_compatibility_version":"2.19.0",\
        "number":"3.8.0"}}
        """

    /// OpenSearch 2.x with `compatibility.override_main_response_version: true`, as on an
    /// Amazon OpenSearch Service domain: no `distribution`, version 7.10.2, OpenSearch tagline.
    static let openSearch2CompatibilityMode = """
        {
          "name" : "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
          "cluster_name" : "123456789012:mde-logs",
          "cluster_uuid" : "Yk8Vv2eHQ9m1cN3bF5tA0w",
          "version" : {
            "number" : "7.10.2",
            "build_type" : "tar",
            "build_hash" : "unknown",
            "build_date" : "2024-05-09T08:49:01.585285Z",
            "build_snapshot" : false,
            "lucene_version" : "9.10.0",
            "minimum_wire_compatibility_version" : "7.10.0",
            "minimum_index_compatibility_version" : "7.0.0"
          },
          "tagline" : "The OpenSearch Project: https://opensearch.org/"
        }
        """

    /// OpenSearch 1.x in compatibility mode.
    static let openSearch1CompatibilityMode = """
        {"name":"n","cluster_name":"123456789012:old","version":{"number":"7.10.2",\
        "build_type":"tar","build_hash":"unknown","build_snapshot":false,"lucene_version":"8.10.1",\
        "minimum_wire_compatibility_version":"6.8.0","minimum_index_compatibility_version":"6.0.0-beta1"},\
        "tagline":"The OpenSearch Project: https://opensearch.org/"}
        """

    static let kibanaLoginPage = """
        <!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/><title>Elastic</title></head>\
        <body><div id="kibana-body"></div></body></html>
        """

    static let unauthorized = """
        {"error":{"root_cause":[{"type":"security_exception","reason":"unable to authenticate user \
        [elastic] for REST request [/]","header":{"WWW-Authenticate":["Basic realm=\\"security\\" \
        charset=\\"UTF-8\\"","ApiKey"]}}],"type":"security_exception","reason":"unable to \
        authenticate user [elastic] for REST request [/]","header":{"WWW-Authenticate":["Basic \
        realm=\\"security\\" charset=\\"UTF-8\\"","ApiKey"]}},"status":401}
        """

    static let forbidden = """
        {"error":{"root_cause":[{"type":"security_exception","reason":"action [cluster:monitor/main] \
        is unauthorized for API key id [VuaCfGcBCdbkQm-e5aOx] of user [shipper]"}],"type":\
        "security_exception","reason":"action [cluster:monitor/main] is unauthorized for API key \
        id [VuaCfGcBCdbkQm-e5aOx] of user [shipper]"},"status":403}
        """
}
