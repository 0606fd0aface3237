// SessionScript.swift — the `.lethe` session format: a replayable script that reads like a notebook.
//
//   ## A heading            markdown (also `%md any text`)
//   %seed 0                 meta-command (only %seed and %md are recorded)
//   generate "Hi" --max-tokens 3
//   #> Hi there, friend     output compared on replay (numbers with a tolerance, text exactly)
//   #~ 812 tokens/s         output shown but never compared (timings)
//   #! error message        the command failed with this message
//   # anything else         a comment
import Foundation

public struct ScriptItem: Equatable {
    public enum Kind: Equatable { case markdown, meta, command }
    public let kind: Kind
    public let source: String
    public let line: Int
    /// Expected outputs of a command, with their line numbers.
    public var expected: [(line: Int, output: OutputLine)] = []
    public var expectedError: (line: Int, message: String)?

    public static func == (a: ScriptItem, b: ScriptItem) -> Bool {
        a.kind == b.kind && a.source == b.source && a.line == b.line && a.expected.map(\.output) == b.expected.map(\.output)
            && a.expectedError?.message == b.expectedError?.message
    }
}

public enum SessionScript {
    public static func parse(_ text: String) throws -> [ScriptItem] {
        var items: [ScriptItem] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = String(rawLine)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let output = outputLine(line) {
                guard let last = items.indices.last, items[last].kind == .command else {
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

    private static func outputLine(_ line: String) -> Parsed? {
        if line == "#>" { return .output(.checked("")) }
        if line.hasPrefix("#> ") { return .output(.checked(String(line.dropFirst(3)))) }
        if line == "#~" { return .output(.volatile("")) }
        if line.hasPrefix("#~ ") { return .output(.volatile(String(line.dropFirst(3)))) }
        if line.hasPrefix("#! ") { return .error(String(line.dropFirst(3))) }
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
                case .checked(let s): out.append(s.isEmpty ? "#>" : "#> " + s)
                case .volatile(let s): out.append(s.isEmpty ? "#~" : "#~ " + s)
                }
            }
            if let error { out.append("#! " + error.replacingOccurrences(of: "\n", with: " ")) }
            return out.joined(separator: "\n")
        }
    }

    public static func render(cells: [Cell], seed: UInt64) -> String {
        "# Lethe session\n%seed \(seed)\n" + cells.map(render).joined(separator: "\n") + "\n"
    }

    // MARK: - Markdown text of a cell

    static func markdownText(_ source: String) -> String {
        if source.hasPrefix("%md") { return String(source.dropFirst(3)).trimmingCharacters(in: .whitespaces) }
        return source   // "## heading" is already markdown
    }
}
