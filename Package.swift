// swift-tools-version:6.0
import PackageDescription

// The only outside dependencies are three C libraries from Debian packages, linked as
// system-library targets: no outside Swift package can be fetched on the build machines.
let package = Package(
    name: "mde-shipper",
    products: [
        .executable(name: "mde-shipper", targets: ["mde-shipper"]),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "MDECore",
            dependencies: ["CCrypto"]
        ),
        .target(
            name: "HTTPClient",
            dependencies: ["CCurl", "CCrypto", "CZlib", "MDECore"]
        ),
        .target(
            name: "DefenderAPI",
            dependencies: ["HTTPClient", "MDECore"]
        ),
        .executableTarget(
            name: "TemplateEmbedder"
        ),
        .plugin(
            name: "EmbedTemplates",
            capability: .buildTool(),
            dependencies: ["TemplateEmbedder"]
        ),
        .target(
            name: "ECS",
            dependencies: ["MDECore"],
            plugins: ["EmbedTemplates"]
        ),
        .target(
            name: "Elasticsearch",
            dependencies: ["HTTPClient", "MDECore", "ECS"]
        ),
        .target(
            name: "Shipper",
            dependencies: ["HTTPClient", "MDECore", "DefenderAPI", "ECS", "Elasticsearch"]
        ),
        .executableTarget(
            name: "mde-shipper",
            dependencies: ["Shipper", "HTTPClient", "MDECore", "DefenderAPI", "ECS", "Elasticsearch"]
        ),
        .target(
            name: "TestSupport",
            dependencies: ["HTTPClient", "MDECore"]
        ),
        .testTarget(name: "MDECoreTests", dependencies: ["MDECore"]),
        .testTarget(
            name: "HTTPClientTests",
            dependencies: ["HTTPClient", "TestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "DefenderAPITests", dependencies: ["DefenderAPI", "TestSupport"]),
        .testTarget(
            name: "ECSTests",
            dependencies: ["ECS", "MDECore", "TestSupport"],
            exclude: ["Golden"]
        ),
        .testTarget(name: "ElasticsearchTests", dependencies: ["Elasticsearch", "ECS", "TestSupport"]),
        .testTarget(name: "ShipperTests", dependencies: ["Shipper", "TestSupport"]),
        .testTarget(name: "MDEShipperTests", dependencies: ["mde-shipper", "MDECore"]),
    ]
)
