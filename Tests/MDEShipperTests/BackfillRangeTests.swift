import MDECore
@testable import mde_shipper
import Testing

private let now = Timestamp("2024-06-30T12:00:00Z")!

@Test(arguments: [
    ("2024-06-01T00:00:00Z", "2024-06-01T00:00:00Z"),
    ("2024-06-01T02:00:00.1234567+02:00", "2024-06-01T00:00:00.1234567Z"),
    ("30d", "2024-05-31T12:00:00Z"),
    ("12h", "2024-06-30T00:00:00Z"),
    ("1h30m", "2024-06-30T10:30:00Z"),
    ("90", "2024-06-30T11:58:30Z"),
])
func backfillBoundParsesTimeOrDuration(text: String, expected: String) throws {
    #expect(try BackfillCommand.parseBound(text, option: "--since", now: now).raw == expected)
}

@Test(arguments: ["", "yesterday", "2024-13-01T00:00:00Z", "-5h", "5 weeks", "36500d", "99999999d", "1969-12-31T23:59:59Z"])
func backfillBoundRejectsInvalidText(text: String) {
    #expect(throws: ConfigurationError.self) {
        try BackfillCommand.parseBound(text, option: "--since", now: now)
    }
}

@Test func backfillBoundErrorNamesOptionAndValue() {
    do {
        _ = try BackfillCommand.parseBound("soon", option: "--until", now: now)
        Issue.record("expected an error for \"soon\"")
    } catch {
        #expect("\(error)".contains("invalid --until \"soon\""))
        #expect("\(error)".contains("30d"))
    }
}

@Test func backfillWarnsBeyondRetention() throws {
    #expect(BackfillCommand.startsBeforeRetention(try BackfillCommand.parseBound("181d", option: "--since", now: now), now: now))
    #expect(!BackfillCommand.startsBeforeRetention(try BackfillCommand.parseBound("180d", option: "--since", now: now), now: now))
    #expect(!BackfillCommand.startsBeforeRetention(try BackfillCommand.parseBound("30d", option: "--since", now: now), now: now))
}

@Test func backfillOptionsResolveToSettings() throws {
    let resolver = OptionResolver(environment: ["MDE_BACKFILL_WINDOW": "4h"]) { _ in [] }
    let (request, options) = try resolver.resolve(arguments: ["backfill", "--since", "36h", "--until=2024-06-30T00:00:00Z"])
    let settings = try Settings(options, home: "/home/test")
    #expect(request.command == "backfill")
    #expect(settings.backfillSince == "36h")
    #expect(settings.backfillUntil == "2024-06-30T00:00:00Z")
    #expect(settings.backfillWindow == .seconds(4 * 3600))
}

@Test func backfillWindowDefaultsToOneHour() throws {
    let (_, options) = try OptionResolver(environment: [:]) { _ in [] }.resolve(arguments: ["backfill"])
    let settings = try Settings(options, home: "/home/test")
    #expect(settings.backfillWindow == .seconds(3600))
    #expect(settings.backfillSince == nil)
    #expect(settings.backfillUntil == nil)
}

@Test func helpListsBackfillCommand() {
    let help = HelpText.render(version: "test")
    #expect(help.contains("mde-shipper backfill --since T [--until T]"))
    #expect(help.contains("--backfill-window DURATION"))
}
