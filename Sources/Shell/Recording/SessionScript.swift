// SessionScript.swift — the `.lethe` session format: a replayable script that reads like a notebook.
//
//   ## A heading            markdown (also `%md any text`)
//   %seed 0                 meta-command (only %seed and %md are recorded)
//   generate "Hi" --max-tokens 3
//   #> Hi there, friend     output compared on replay (numbers with a tolerance, text exactly)
//   #~ 812 tokens/s         output shown but never compared (timings)
//   #! error message        the command failed with this message
//   #^ finetune --epochs 3  a command Ctrl-C stopped: never replayed (its outputs follow, unchecked)
//   #^= sophon run 12       …or replayed, unchecked, as this command (what had run when it stopped)
//   # anything else         a comment
//
// Control characters in outputs are written as `\u{D}` escapes, so one output is always one line.
import Autograd
import Foundation
import Procedures

public struct ScriptItem: Equatable {
    public enum Kind: Equatable { case markdown, meta, command, interrupted }
    public let kind: Kind
    public let source: String
    public let line: Int
    /// Expected outputs of a command, with their line numbers.
    public var expected: [(line: Int, output: OutputLine)] = []
    public var expectedError: (line: Int, message: String)?
    /// For an interrupted command: what replay runs in its place (nil: nothing).
    public var replayAs: String?

    public static func == (a: ScriptItem, b: ScriptItem) -> Bool {
        a.kind == b.kind && a.source == b.source && a.line == b.line && a.expected.map(\.output) == b.expected.map(\.output)
            && a.expectedError?.message == b.expectedError?.message && a.replayAs == b.replayAs
    }
}

public enum SessionScript {
    public static func parse(_ text: String) throws -> [ScriptItem] {
        var items: [ScriptItem] = []
        // Windows (CRLF) and old Mac (CR) line ends read as Unix ones. In Swift "\r\n" is one Character,
        // so it must be replaced before splitting on "\n".
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        // Split and match prefixes by Unicode scalars, not Characters: an output that begins with a
        // combining mark would otherwise fuse with the space of "#> " (or with the line end) into one Character.
        for (index, rawLine) in normalized.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = String(String.UnicodeScalarView(rawLine))
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if line.hasScalarPrefix("#^= ") {
                guard let last = items.indices.last, items[last].kind == .interrupted, items[last].replayAs == nil else {
                    throw UsageError("line \(number): #^= without an interrupted command (#^) before it")
                }
                items[last].replayAs = line.droppingScalars(4)
            } else if line.hasScalarPrefix("#^ ") {
                items.append(ScriptItem(kind: .interrupted, source: line.droppingScalars(3), line: number))
            } else if let output = outputLine(line) {
                guard let last = items.indices.last, items[last].kind == .command || items[last].kind == .interrupted else {
                    throw UsageError("line \(number): output line without a command before it")
                }
                switch output {
                case .error(let message): items[last].expectedError = (number, message)
                case .output(let o): items[last].expected.append((number, o))
                }
            } else if trimmed.isEmpty || (trimmed.hasPrefix("#") && !trimmed.hasPrefix("## ") && trimmed != "##") {
                continue
            } else if trimmed.hasPrefix("## ") || trimmed == "##" || trimmed.hasPrefix("%md") {
                items.append(ScriptItem(kind: .markdown, source: trimmed, line: number))
            } else if trimmed.hasPrefix("%") {
                items.append(ScriptItem(kind: .meta, source: trimmed, line: number))
            } else {
                items.append(ScriptItem(kind: .command, source: trimmed, line: number))
            }
        }
        return items
    }

    private enum Parsed { case output(OutputLine), error(String) }

    /// The header comment that says which BLAS kernels and thread count a session was recorded with.
    public static let numericalSettingPrefix = "# recorded with "

    /// The thread count the header records (`…, 2 threads`).
    public static func recordedThreads(of text: String) -> Int? {
        guard let setting = numericalSetting(of: text), let range = setting.range(of: #"(\d+) threads?$"#, options: .regularExpression) else { return nil }
        return Int(setting[range].prefix { $0.isNumber })
    }

    /// That setting, if the session's header gives it.
    public static func numericalSetting(of text: String) -> String? {
        for line in text.unicodeScalars.split(separator: "\n").prefix(5).map({ String(String.UnicodeScalarView($0)) }) where line.hasPrefix(numericalSettingPrefix) {
            return String(line.dropFirst(numericalSettingPrefix.count)).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nil
    }

    private static func outputLine(_ line: String) -> Parsed? {
        if line == "#>" { return .output(.checked("")) }
        if line.hasScalarPrefix("#> ") { return .output(.checked(line.droppingScalars(3))) }
        if line == "#~" { return .output(.volatile("")) }
        if line.hasScalarPrefix("#~ ") { return .output(.volatile(line.droppingScalars(3))) }
        if line.hasScalarPrefix("#! ") { return .error(line.droppingScalars(3)) }
        return nil
    }

    /// One cell in script form.
    public static func render(_ cell: Cell) -> String {
        switch cell {
        case let .markdown(_, source): return source
        case let .meta(source): return source
        case let .command(source, _, lines, error, _):
            var out = [source]
            for l in lines {
                switch l {
                case .checked(let s): out.append(s.isEmpty ? "#>" : "#> " + escapeControls(s))
                case .volatile(let s): out.append(s.isEmpty ? "#~" : "#~ " + escapeControls(s))
                }
            }
            if let error { out.append("#! " + escapeControls(error)) }
            return out.joined(separator: "\n")
        case let .interrupted(source, _, lines, message, replayAs):
            // Everything it printed is kept, never compared: a stopped command's output depends on when it stopped.
            var out = ["#^ " + source]
            if let replayAs { out.append("#^= " + replayAs) }
            for l in lines { out.append(l.text.isEmpty ? "#~" : "#~ " + escapeControls(l.text)) }
            out.append("#! " + escapeControls(message))
            return out.joined(separator: "\n")
        }
    }

    /// Control characters (line ends, escapes, NUL, Unicode line separators) as `\u{HEX}`, tabs kept:
    /// a recorded output line stays one line of the file, and a replay compares escaped with escaped.
    public static func escapeControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) { out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}" }
            else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" { return false }
        return scalar.properties.generalCategory == .control || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    public static func render(cells: [Cell], seed: UInt64) -> String {
        "# Lethe session\n\(numericalSettingPrefix)\(Threads.numericalSetting)\n%seed \(seed)\n" + cells.map(render).joined(separator: "\n") + "\n"
    }

    // MARK: - Markdown text of a cell

    static func markdownText(_ source: String) -> String {
        if source.hasPrefix("%md") { return String(source.dropFirst(3)).trimmingCharacters(in: .whitespaces) }
        return source   // "## heading" is already markdown
    }
}

private extension String {
    func hasScalarPrefix(_ prefix: String) -> Bool { unicodeScalars.starts(with: prefix.unicodeScalars) }
    func droppingScalars(_ count: Int) -> String { String(String.UnicodeScalarView(unicodeScalars.dropFirst(count))) }
}
