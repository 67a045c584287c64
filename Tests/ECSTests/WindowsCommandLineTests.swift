import Testing

@testable import ECS

struct WindowsCommandLineTests {
    @Test(arguments: [
        ("cmd.exe /c dir", ["cmd.exe", "/c", "dir"]),
        ("rundll32.exe  c:\\temp\\suspicious.dll,RepeatAfterMe", ["rundll32.exe", "c:\\temp\\suspicious.dll,RepeatAfterMe"]),
        ("  a.exe \t b   c  ", ["a.exe", "b", "c"]),
        ("\"C:\\Program Files\\App\\app.exe\" --flag", ["C:\\Program Files\\App\\app.exe", "--flag"]),
        ("\"C:\\Program Files\\\" x", ["C:\\Program Files\\", "x"]),
        ("a.exe \"two words\" three", ["a.exe", "two words", "three"]),
        ("a.exe x\"y z\"w", ["a.exe", "xy zw"]),
        ("a.exe \"\" b", ["a.exe", "", "b"]),
        ("a.exe \\\"quoted\\\"", ["a.exe", "\"quoted\""]),
        ("a.exe \\\\\"x y\"", ["a.exe", "\\x y"]),
        ("a.exe \\\\\\\"x", ["a.exe", "\\\"x"]),
        ("a.exe C:\\dir\\ next", ["a.exe", "C:\\dir\\", "next"]),
        ("a.exe \"C:\\dir\\\\\" next", ["a.exe", "C:\\dir\\", "next"]),
        ("a.exe \"say \"\"hi\"\"\"", ["a.exe", "say \"hi\""]),
        ("a.exe \"unterminated arg", ["a.exe", "unterminated arg"]),
        ("powershell.exe -enc SQBFAFgA", ["powershell.exe", "-enc", "SQBFAFgA"]),
        ("/usr/bin/python3 -c 'print(1)'", ["/usr/bin/python3", "-c", "'print(1)'"]),
        ("\"spaced name.exe\"suffix arg", ["spaced name.exesuffix", "arg"]),
        ("naïve.exe ünïcode", ["naïve.exe", "ünïcode"]),
    ])
    func argumentsSplitByWindowsRules(commandLine: String, expected: [String]) {
        #expect(WindowsCommandLine.arguments(commandLine) == expected)
    }

    @Test(arguments: ["", " ", "\t \t"])
    func blankCommandLineHasNoArguments(commandLine: String) {
        #expect(WindowsCommandLine.arguments(commandLine).isEmpty)
    }
}
