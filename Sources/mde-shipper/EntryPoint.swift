#if canImport(Glibc)
import Glibc
#endif
import DefenderAPI
import Elasticsearch
import HTTPClient
import MDECore

/// The version printed by `--version` and stored in the templates' `_meta`.
let productVersion = "0.1.0"

@main
enum EntryPoint {
    static func main() async {
        let environment = ProcessEnvironment.variables()
        let resolver = OptionResolver(environment: environment, readFile: ProcessEnvironment.readFile)
        let request: CommandRequest
        let settings: Settings
        do {
            let (parsed, options) = try resolver.resolve(arguments: Array(CommandLine.arguments.dropFirst()))
            request = parsed
            settings = try Settings(options, home: environment["HOME"])
        } catch {
            printError("mde-shipper: \(error)")
            exit(2)
        }

        switch request.command {
        case "help":
            print(HelpText.render(version: productVersion))
            exit(0)
        case "version":
            print("mde-shipper \(productVersion)")
            exit(0)
        default:
            break
        }

        let logger = Logger(sink: .standardError(format: settings.logFormat), minimumLevel: settings.logLevel)
        do {
            try await dispatch(request, settings: settings, logger: logger)
            exit(0)
        } catch where isConfigurationError(error) {
            logger.error("invalid configuration", [("error.message", .string("\(error)"))])
            exit(2)
        } catch {
            logger.error("\(request.command) failed", [("error.message", .string("\(error)"))])
            exit(1)
        }
    }

    private static func dispatch(_ request: CommandRequest, settings: Settings, logger: Logger) async throws {
        switch request.command {
        case "run":
            try expectNoArguments(request)
            try await RunCommand(settings: settings, logger: logger).execute()
        case "replay":
            guard request.positionals.count == 1, let source = request.positionals.first else {
                throw ConfigurationError("replay needs exactly one input: a file path, or - for standard input")
            }
            try await ReplayCommand(settings: settings, logger: logger).execute(source: source)
        case "backfill":
            try expectNoArguments(request)
            try await BackfillCommand(settings: settings, logger: logger).execute()
        case "template":
            try await TemplateCommand(settings: settings, logger: logger).execute(request.positionals)
        case "dead-letter":
            try await DeadLetterCommand(settings: settings, logger: logger).execute(request.positionals)
        case "check":
            try expectNoArguments(request)
            try await CheckCommand(settings: settings, logger: logger).execute()
        default:
            throw ConfigurationError("unknown command \"\(request.command)\"; commands are run, backfill, replay, template, dead-letter and check (see mde-shipper --help)")
        }
    }

    private static func expectNoArguments(_ request: CommandRequest) throws {
        guard request.positionals.isEmpty else {
            throw ConfigurationError("\(request.command) takes no arguments, but got \(request.positionals.joined(separator: " "))")
        }
    }

    /// Whether `error` comes from a setting that the user must change, as opposed to a failure
    /// at run time; configuration errors exit with status 2.
    static func isConfigurationError(_ error: any Error) -> Bool {
        switch error {
        case is ConfigurationError, is ClusterEndpointError, is HTTPClientConfigurationError:
            return true
        case let error as ClusterError:
            return [.invalidAuthConfiguration, .invalidIndexName, .invalidNamespace].contains(error.code)
        case let error as DefenderError:
            // Rejected credentials and missing permissions are fixed in the app registration or
            // the secret, not by running again.
            return [.invalidConfiguration, .tokenRejected, .forbidden].contains(error.code)
        default:
            return false
        }
    }

    static func printError(_ message: String) {
        var bytes = Array(message.utf8)
        bytes.append(0x0A)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
