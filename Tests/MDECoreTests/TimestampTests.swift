import MDECore
import Testing

@Test(arguments: [
    ("1970-01-01T00:00:00Z", Int64(0), 0),
    ("1970-01-01T00:00:01.5Z", Int64(15_000_000), 1),
    ("2021-01-26T20:33:59.2Z", Int64(16_116_932_392_000_000), 1),
    ("2023-04-25T22:52:11.5648315Z", Int64(16_824_631_315_648_315), 7),
    ("2023-04-25T22:52:11.56483159Z", Int64(16_824_631_315_648_315), 8),
    ("2023-04-26T00:52:11.5648315+02:00", Int64(16_824_631_315_648_315), 7),
    ("2023-04-25T20:52:11.5648315-02:00", Int64(16_824_631_315_648_315), 7),
    ("1969-12-31T23:59:59.9999999Z", Int64(-1), 7),
])
func timestampParsesTicks(raw: String, ticks: Int64, digits: Int) throws {
    let timestamp = try #require(Timestamp(raw))
    #expect(timestamp.ticks == ticks)
    #expect(timestamp.fractionDigits == digits)
    #expect(timestamp.raw == raw)
}

@Test(arguments: [
    "", "2023-04-25", "2023-04-25T22:52:11", "2023-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
    "2023-04-25T24:00:00Z", "2023-04-25T22:52:11.Z", "2023-04-25T22:52:11Zjunk", "not a date",
    "2023-04-25T22:52:11+0200",
])
func timestampRejectsInvalid(raw: String) {
    #expect(Timestamp(raw) == nil)
}

@Test func timestampAcceptsLeapDay() {
    #expect(Timestamp("2024-02-29T12:00:00Z") != nil)
}

@Test(arguments: [
    ("2023-04-25T22:52:11.5648315Z", "2023-04-25T22:52:11.5648315Z"),
    ("2023-04-25T22:52:11Z", "2023-04-25T22:52:11Z"),
    ("2023-04-25T22:52:11.50Z", "2023-04-25T22:52:11.50Z"),
    ("2023-04-26T00:52:11.123+02:00", "2023-04-25T22:52:11.123Z"),
])
func timestampWritesUTCWithSourcePrecision(raw: String, expected: String) throws {
    #expect(try #require(Timestamp(raw)).utcString == expected)
}

@Test func timestampFromTicksTrimsZeros() {
    #expect(Timestamp(ticks: 16_824_631_315_000_000).raw == "2023-04-25T22:52:11.5Z")
    #expect(Timestamp(ticks: 16_824_631_310_000_000).raw == "2023-04-25T22:52:11Z")
}

@Test func timestampOrdersByTicks() throws {
    let earlier = try #require(Timestamp("2023-04-25T22:52:11.5648315Z"))
    let later = try #require(Timestamp("2023-04-25T22:52:11.5648316Z"))
    #expect(earlier < later)
}

@Test func timestampRoundTripsFarDates() throws {
    for raw in ["0001-01-01T00:00:00Z", "2400-02-29T23:59:59.9999999Z", "1900-03-01T00:00:00Z"] {
        let parsed = try #require(Timestamp(raw))
        #expect(Timestamp(ticks: parsed.ticks).raw == raw)
    }
}
