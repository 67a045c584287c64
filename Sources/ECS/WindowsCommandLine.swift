/// Splits a Windows command line into arguments the way `CommandLineToArgvW` and the Microsoft C
/// runtime do, so `process.args` matches what the program itself received. Source: Microsoft's
/// "Parsing C command-line arguments" page of the C language reference.
///
/// The rules, as this splitter applies them:
/// - Spaces and tabs outside double quotes end an argument. A run of several of them counts as
///   one separator, so two spaces never make an empty argument. Leading and trailing ones are
///   ignored.
/// - The first argument (the program) is special: a double quote only switches quoting on or off
///   and is dropped, and backslashes are always literal, because the program is a path.
/// - In later arguments, a double quote switches quoting on or off and is dropped. `""` inside
///   quotes gives one literal quote, and quoting stays on. A quote left open runs to the end of
///   the line.
/// - Backslashes are literal unless a double quote follows them. Then each pair becomes one
///   backslash, and an odd one left over makes the quote a literal character instead of a switch.
/// - A quoted empty string (`""` outside quotes) is an empty argument.
///
/// NOTE: Windows hands every program the raw command line, and a program that parses it itself
/// (such as `cmd.exe`) may see different arguments than these.
enum WindowsCommandLine {
    /// Returns the arguments of `commandLine`, the program first, or `[]` for a blank line.
    static func arguments(_ commandLine: String) -> [String] {
        let bytes = Array(commandLine.utf8)
        var index = skipBlanks(bytes, from: 0)
        guard index < bytes.count else { return [] }

        var arguments: [String] = []
        let program = programName(bytes, from: &index)
        arguments.append(program)
        while true {
            index = skipBlanks(bytes, from: index)
            guard index < bytes.count else { break }
            arguments.append(argument(bytes, from: &index))
        }
        return arguments
    }

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    private static func skipBlanks(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        while index < bytes.count, isBlank(bytes[index]) { index += 1 }
        return index
    }

    private static func programName(_ bytes: [UInt8], from index: inout Int) -> String {
        var name: [UInt8] = []
        var quoted = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                quoted.toggle()
            } else if isBlank(byte) && !quoted {
                break
            } else {
                name.append(byte)
            }
            index += 1
        }
        return String(decoding: name, as: UTF8.self)
    }

    private static func argument(_ bytes: [UInt8], from index: inout Int) -> String {
        var text: [UInt8] = []
        var quoted = false
        while index < bytes.count {
            let byte = bytes[index]
            if isBlank(byte) && !quoted { break }
            if byte == backslash {
                var count = 0
                while index < bytes.count, bytes[index] == backslash {
                    count += 1
                    index += 1
                }
                guard index < bytes.count, bytes[index] == quote else {
                    text.append(contentsOf: repeatElement(backslash, count: count))
                    continue
                }
                text.append(contentsOf: repeatElement(backslash, count: count / 2))
                if count % 2 == 1 {
                    text.append(quote)
                    index += 1
                }
                // An even count leaves the quote for the next pass, which switches quoting.
                continue
            }
            if byte == quote {
                if quoted, index + 1 < bytes.count, bytes[index + 1] == quote {
                    text.append(quote)
                    index += 2
                    continue
                }
                quoted.toggle()
                index += 1
                continue
            }
            text.append(byte)
            index += 1
        }
        return String(decoding: text, as: UTF8.self)
    }
}
