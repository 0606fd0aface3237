// Replay.swift — re-runs a recorded session and, with --check, compares what it prints with what
// was recorded: numbers within a tolerance, text exactly; differences are reported by line number.
import Foundation
import Procedures

public struct ReplayDifference: CustomStringConvertible, Equatable {
    public let line: Int
    public let expected: String
    public let actual: String
    public var description: String { "line \(line): expected «\(expected)», got «\(actual)»" }
}

public enum Replay {
    /// Runs `items` through `shell`. With `check`, returns every difference from the recording.
    public static func run(_ items: [ScriptItem], in shell: Shell, check: Bool, relativeTolerance: Double = 2e-3) -> [ReplayDifference] {
        var differences: [ReplayDifference] = []
        for item in items {
            if shell.quitRequested || Interrupt.isRequested { break }
            if item.kind == .interrupted {
                // Stopped by Ctrl-C when recorded: redo exactly what ran (unchecked), or nothing.
                if let replayAs = item.replayAs { shell.execute(replayAs) }
                continue
            }
            guard let cell = shell.execute(item.source) else { continue }
            guard check, item.kind == .command else { continue }
            guard case let .command(_, _, lines, error, _) = cell else {
                if case let .interrupted(_, _, _, message, _) = cell {
                    differences.append(ReplayDifference(line: item.line, expected: "success", actual: "error: " + message))
                }
                continue
            }
            let actual = lines.compactMap { if case .checked(let s) = $0 { return SessionScript.escapeControls(s) } else { return nil } }
            let expected = item.expected.compactMap { e -> (Int, String)? in
                if case .checked(let s) = e.output { return (e.line, s) } else { return nil }
            }
            for (i, (lineNumber, want)) in expected.enumerated() {
                let got = i < actual.count ? actual[i] : "(no output)"
                if !matches(want, got, relativeTolerance: relativeTolerance) {
                    differences.append(ReplayDifference(line: lineNumber, expected: want, actual: got))
                }
            }
            if actual.count > expected.count {
                let after = item.expected.last?.line ?? item.line
                for extra in actual[expected.count...] {
                    differences.append(ReplayDifference(line: after, expected: "(nothing more)", actual: extra))
                }
            }
            switch (item.expectedError, error.map(SessionScript.escapeControls)) {
            case (nil, nil): break
            case let (want?, got?) where want.message == got: break
            case let (want?, got):
                differences.append(ReplayDifference(line: want.line, expected: "error: " + want.message, actual: got.map { "error: " + $0 } ?? "success"))
            case let (nil, got?):
                differences.append(ReplayDifference(line: item.line, expected: "success", actual: "error: " + got))
            }
        }
        return differences
    }

    /// Text equal outside numbers; integers exact; decimals within `relativeTolerance` or about one unit
    /// of their last printed digit.
    public static func matches(_ expected: String, _ actual: String, relativeTolerance: Double) -> Bool {
        if expected == actual { return true }
        let a = pieces(expected), b = pieces(actual)
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            switch (x, y) {
            case let (.text(s), .text(t)): if s != t { return false }
            case let (.number(u, ulpU), .number(v, ulpV)):
                if ulpU == 0 || ulpV == 0 { if u != v { return false } else { continue } }   // integers: exact
                let allowed = max(relativeTolerance * max(abs(u), abs(v)), 1.5 * max(ulpU, ulpV))
                if abs(u - v) > allowed { return false }
            default: return false
            }
        }
        return true
    }

    private enum Piece { case text(String), number(Double, ulp: Double) }

    /// Splits into text and numbers; each number carries the size of its last printed digit.
    private static func pieces(_ s: String) -> [Piece] {
        var out: [Piece] = []
        var text = ""
        let chars = Array(s)
        var i = 0
        func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
        while i < chars.count {
            let c = chars[i]
            let startsNumber = isDigit(c) || ((c == "-" || c == ".") && i + 1 < chars.count && isDigit(chars[i + 1])
                                               && (i == 0 || !(chars[i - 1].isLetter || isDigit(chars[i - 1]))))
            guard startsNumber else { text.append(c); i += 1; continue }
            var j = i
            if chars[j] == "-" { j += 1 }
            while j < chars.count && isDigit(chars[j]) { j += 1 }
            var decimals = 0
            if j < chars.count && chars[j] == "." && j + 1 < chars.count && isDigit(chars[j + 1]) {
                j += 1
                while j < chars.count && isDigit(chars[j]) { j += 1; decimals += 1 }
            }
            var exponent = 0
            if j + 1 < chars.count && (chars[j] == "e" || chars[j] == "E") && (isDigit(chars[j + 1]) || ((chars[j + 1] == "-" || chars[j + 1] == "+") && j + 2 < chars.count && isDigit(chars[j + 2]))) {
                var k = j + 1
                if chars[k] == "-" || chars[k] == "+" { k += 1 }
                while k < chars.count && isDigit(chars[k]) { k += 1 }
                exponent = Int(String(chars[(j + 1)..<k])) ?? 0
                j = k
            }
            if !text.isEmpty { out.append(.text(text)); text = "" }
            let value = Double(String(chars[i..<j])) ?? 0
            // Integers (counts, steps, ids) must match exactly; decimals may differ in their last printed digit.
            let ulp = decimals == 0 && exponent == 0 ? 0 : pow(10, Double(exponent - decimals))
            out.append(.number(value, ulp: ulp))
            i = j
        }
        if !text.isEmpty { out.append(.text(text)) }
        return out
    }
}
