@testable import mde_shipper
import Testing

private struct MissingFile: Error {}

private func resolver(
    environment: [String: String] = [:], files: [String: String] = [:]
) -> OptionResolver {
    OptionResolver(environment: environment) { path in
        guard let text = files[path] else { throw MissingFile() }
        return Array(text.utf8)
    }
}

@Test func resolverAppliesDefaults() throws {
    let (request, options) = try resolver().resolve(arguments: ["run"])
    #expect(request == CommandRequest(command: "run", positionals: []))
    #expect(options.integer("batch-size") == 1000)
    #expect(options.byteSize("batch-bytes") == 8 * 1024 * 1024)
    #expect(options.duration("lag") == .seconds(60))
    #expect(options.source("batch-size") == .defaultValue)
    #expect(options.flag("once") == false)
}

@Test func resolverPrefersFlagOverEnvironmentOverFile() throws {
    let files = ["/c.json": #"{"workers": 3, "page-size": 500, "tags": ["a", "b"]}"#]
    let environment = ["MDE_SHIPPER_CONFIG": "/c.json", "MDE_SHIPPER_WORKERS": "5"]
    let (_, options) = try resolver(environment: environment, files: files)
        .resolve(arguments: ["run", "--workers", "7"])
    #expect(options.integer("workers") == 7)
    #expect(options.source("workers") == .flag)
    #expect(options.integer("page-size") == 500)
    #expect(options.source("page-size") == .configFile("/c.json"))
    #expect(options.list("tags") == ["a", "b"])
}

@Test func resolverReadsEnvironmentOverFile() throws {
    let files = ["/c.json": #"{"workers": 3}"#]
    let (_, options) = try resolver(environment: ["MDE_SHIPPER_WORKERS": "5"], files: files)
        .resolve(arguments: ["run", "--config=/c.json"])
    #expect(options.integer("workers") == 5)
    #expect(options.source("workers") == .environment("MDE_SHIPPER_WORKERS"))
}

@Test func resolverParsesFlagsAndPositionals() throws {
    let (request, options) = try resolver().resolve(arguments: ["replay", "--once", "alerts.json", "--index=demo"])
    #expect(request.command == "replay")
    #expect(request.positionals == ["alerts.json"])
    #expect(options.flag("once"))
    #expect(options.text("index") == "demo")
}

@Test func resolverReadsSecretFromFile() throws {
    let environment = ["MDE_CLIENT_SECRET_FILE": "/run/secrets/mde"]
    let (_, options) = try resolver(environment: environment, files: ["/run/secrets/mde": "s3cret-value\n"])
        .resolve(arguments: ["run"])
    #expect(options.text("client-secret") == "s3cret-value")
}

@Test func resolverRejectsSecretAndFileTogether() {
    let environment = ["MDE_CLIENT_SECRET": "old-value", "MDE_CLIENT_SECRET_FILE": "/run/secrets/mde"]
    let thrown = #expect(throws: ConfigurationError.self) {
        try resolver(environment: environment, files: ["/run/secrets/mde": "new-value"]).resolve(arguments: ["run"])
    }
    #expect(thrown?.description.contains("MDE_CLIENT_SECRET_FILE") == true)
    #expect(thrown?.description.contains("old-value") == false)
}

@Test func resolverRejectsSecretFlag() {
    #expect(throws: ConfigurationError.self) {
        try resolver().resolve(arguments: ["run", "--client-secret", "x"])
    }
}

@Test(arguments: [
    (["run", "--workers", "0"], "a whole number from 1 to 64"),
    (["run", "--lag", "soon"], "a duration"),
    (["run", "--batch-bytes", "8 parsecs"], "a size"),
    (["run", "--cloud", "mars"], "one of commercial, gcc, gcc-high, dod"),
    (["run", "--bogus"], "unknown option --bogus"),
    (["run", "--index"], "missing value for --index"),
    (["run", "--hosts", ""], "empty value for hosts from command line"),
    (["run", "--index="], "empty value for index from command line"),
])
func resolverExplainsInvalidValues(arguments: [String], expected: String) {
    do {
        _ = try resolver().resolve(arguments: arguments)
        Issue.record("expected an error for \(arguments)")
    } catch {
        #expect("\(error)".contains(expected))
    }
}

@Test func resolverHidesSecretInErrors() {
    do {
        _ = try resolver(environment: ["MDE_SHIPPER_CONFIG": "/c.json"], files: ["/c.json": #"{"password": {"x": 1}}"#])
            .resolve(arguments: ["run"])
        Issue.record("expected an error")
    } catch {
        #expect("\(error)".contains("password"))
    }
}

@Test func resolverRejectsUnknownConfigKey() {
    #expect(throws: ConfigurationError.self) {
        try resolver(files: ["/c.json": #"{"wokers": 2}"#]).resolve(arguments: ["run", "--config", "/c.json"])
    }
}

@Test func resolverRejectsListForSingleValueKey() {
    let thrown = #expect(throws: ConfigurationError.self) {
        try resolver(files: ["/c.json": #"{"password": ["a", "b"]}"#]).resolve(arguments: ["run", "--config", "/c.json"])
    }
    #expect(thrown?.description.contains("a list is accepted only for list options") == true)
}

@Test func resolverAcceptsListForHosts() throws {
    let (_, options) = try resolver(files: ["/c.json": #"{"hosts": ["http://a:9200", "http://b:9200"]}"#])
        .resolve(arguments: ["run", "--config", "/c.json"])
    #expect(options.list("hosts") == ["http://a:9200", "http://b:9200"])
}

@Test func resolverRejectsMalformedConfigFile() {
    do {
        _ = try resolver(files: ["/c.json": "{\"workers\": "]).resolve(arguments: ["run", "--config", "/c.json"])
        Issue.record("expected an error")
    } catch {
        #expect("\(error)".contains("invalid config file /c.json"))
    }
}

@Test func helpListsEveryOptionWithVariable() {
    let help = HelpText.render(version: "test")
    for spec in OptionTable.all {
        #expect(help.contains(spec.name))
        if let variable = spec.environment {
            #expect(help.contains(variable))
        }
    }
}

@Test(arguments: [("90s", 90), ("5m", 300), ("24h", 86_400), ("1h30m", 5_400), ("15", 15)])
func durationParsesUnits(text: String, seconds: Int64) {
    #expect(ValueParsers.duration(text) == .seconds(seconds))
}

@Test func durationAcceptsMaximum() {
    #expect(ValueParsers.duration("36500d") == ValueParsers.maximumDuration)
    #expect(ValueParsers.duration("36499d24h") == ValueParsers.maximumDuration)
}

@Test func durationParsesMilliseconds() {
    #expect(ValueParsers.duration("1500ms") == .milliseconds(1500))
}

@Test(arguments: ["", "m", "5x", "-5s", "5 m", "99999999d", "36501d", "3153600001", "9223372036854775807ms"])
func durationRejectsInvalid(text: String) {
    #expect(ValueParsers.duration(text) == nil)
}

@Test(arguments: [("8MiB", 8_388_608), ("512KiB", 524_288), ("10MB", 10_000_000), ("1024", 1024), ("2 GiB", 2_147_483_648)])
func byteSizeParsesUnits(text: String, bytes: Int) {
    #expect(ValueParsers.byteSize(text) == bytes)
}

@Test func resolverTreatsEmptyEnvironmentAsUnset() throws {
    let (_, options) = try resolver(environment: ["ELASTICSEARCH_HOSTS": ""]).resolve(arguments: ["run"])
    #expect(options.text("hosts") == nil)
}
