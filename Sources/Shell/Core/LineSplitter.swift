// LineSplitter.swift — splits a command line into words: double-quoted strings with escapes, `#` comments.
import Procedures

public enum LineSplitter {
    /// `generate "Hello\n world" --max-tokens 5  # note` → `["generate", "Hello\n world", "--max-tokens", "5"]`.
    public static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false, inQuotes = false
        var chars = Array(line)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if inQuotes {
                if c == "\\" {
                    guard i + 1 < chars.count else { throw UsageError("unfinished escape at the end of the line") }
                    i += 1
                    switch chars[i] {
                    case "n": current.append("\n")
                    case "t": current.append("\t")
                    case "r": current.append("\r")
                    case "\"": current.append("\"")
                    case "\\": current.append("\\")
                    case "0": current.append("\0")
                    default: throw UsageError("unknown escape \\\(chars[i]) in a quoted string (expected \\n, \\t, \\r, \\\", \\\\)")
                    }
                } else if c == "\"" {
                    inQuotes = false
                } else {
                    current.append(c)
                }
            } else if c == "\"" {
                inQuotes = true
                inWord = true
            } else if c == "#" && !inWord {
                break   // comment to the end of the line
            } else if c == " " || c == "\t" {
                if inWord { words.append(current); current = ""; inWord = false }
            } else {
                current.append(c)
                inWord = true
            }
            i += 1
        }
        if inQuotes { throw UsageError("unclosed double quote") }
        if inWord { words.append(current) }
        chars.removeAll()
        return words
    }

    /// Quotes a word so `split` gives it back unchanged (used when recording commands).
    public static func quote(_ word: String) -> String {
        // By Unicode scalars: "\r\n" is one Character and would slip past a per-Character match.
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { !$0.properties.isWhitespace && $0 != "\"" && $0 != "#" && $0 != "\\" && $0 != "\0" }
        if plain { return word }
        var out = "\""
        for scalar in word.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
