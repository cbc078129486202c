// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "recovery-broker",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "broker", targets: ["broker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: ["YAML"]),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CArgon2",
            pkgConfig: "libargon2",
            providers: [.apt(["libargon2-dev"])]
        ),
        .systemLibrary(name: "CGlibc"),
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        .target(
            name: "BrokerLocales",
            dependencies: ["BrokerCore", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Resources/locales")]
        ),
        .target(
            name: "BrokerDelivery",
            dependencies: [
                "BrokerCore",
                "BrokerLocales",
                "CCurl",
                "CGlibc",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/templates")]
        ),
        .target(
            name: "BrokerCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "BrokerCrypto",
            dependencies: [
                "BrokerCore",
                "CArgon2",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "BrokerSigning",
            dependencies: [
                "BrokerCore",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "BrokerConfiguration",
            dependencies: [
                "BrokerCore",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "BrokerStore",
            dependencies: [
                "BrokerCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "BrokerProviders",
            dependencies: [
                "BrokerCore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "BrokerHTTP",
            dependencies: [
                "BrokerCore",
                "BrokerConfiguration",
                "BrokerLocales",
                "BrokerDelivery",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/templates"), .copy("Resources/assets")]
        ),
        .target(
            name: "BrokerRuntime",
            dependencies: [
                "CGlibc",
                "BrokerCore",
                "BrokerCrypto",
                "BrokerConfiguration",
                "BrokerStore",
                "BrokerProviders",
                "BrokerHTTP",
                "BrokerDelivery",
                "BrokerSigning",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "broker",
            dependencies: [
                "BrokerCore",
                "BrokerCrypto",
                "BrokerConfiguration",
                "BrokerStore",
                "BrokerProviders",
                "BrokerRuntime",
                "BrokerSigning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "bench-bare-hummingbird",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Benchmarks/BareHummingbird"
        ),
        .executableTarget(
            name: "broker-hash-cost",
            dependencies: ["BrokerCore", "BrokerCrypto"],
            path: "Benchmarks/HashCost"
        ),
        .target(
            name: "BrokerTestSupport",
            dependencies: ["BrokerCore"],
            path: "Tests/BrokerTestSupport"
        ),
        .testTarget(name: "BrokerCoreTests", dependencies: ["BrokerCore", "BrokerCrypto", "BrokerTestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "BrokerCryptoTests", dependencies: ["BrokerCrypto", "BrokerCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "BrokerConfigurationTests", dependencies: ["BrokerConfiguration"]),
        .testTarget(name: "BrokerStoreTests", dependencies: ["BrokerStore", "BrokerCore", "BrokerCrypto", "BrokerTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "BrokerProvidersTests", dependencies: ["BrokerProviders", "BrokerCore", .product(name: "JWTKit", package: "jwt-kit")]),
        .testTarget(name: "BrokerDeliveryTests", dependencies: ["BrokerDelivery", "BrokerCore", "BrokerLocales", "BrokerTestSupport"]),
        .testTarget(
            name: "BrokerHTTPTests",
            dependencies: [
                "BrokerHTTP", "BrokerCore", "BrokerCrypto", "BrokerStore", "BrokerProviders", "BrokerConfiguration", "BrokerRuntime", "BrokerSigning",
                "BrokerTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ]
)
