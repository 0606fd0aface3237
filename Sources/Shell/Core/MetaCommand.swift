// MetaCommand.swift — the `%` meta-commands (after IPython's magics), declared once: the shell's
// dispatch, its error messages and tab completion all read this list.

enum MetaCommand: String, CaseIterable {
    case md, seed, history, save, record, notebook, run, time, quit

    var name: String { "%" + rawValue }

    var usage: String {
        switch self {
        case .md: return "%md TEXT"
        case .seed: return "%seed [N]"
        case .history: return "%history [N | A-B]"
        case .save: return "%save FILE [A-B]"
        case .record: return "%record [FILE|off]"
        case .notebook: return "%notebook FILE.ipynb"
        case .run: return "%run FILE"
        case .time: return "%time COMMAND"
        case .quit: return "%quit"
        }
    }

    /// `%md` and `%time` take the rest of the line verbatim (markdown, a command line).
    var takesRawRest: Bool { self == .md || self == .time }

    var maxArguments: Int {
        switch self {
        case .quit: return 0
        case .save: return 2
        default: return 1
        }
    }

    static let all = MetaCommand.allCases

    /// `%exit` is an alias of `%quit`.
    static func find(_ name: String) -> MetaCommand? {
        if name == "%exit" { return .quit }
        guard name.hasPrefix("%") else { return nil }
        return MetaCommand(rawValue: String(name.dropFirst()))
    }

    /// The closest meta-command within two edits, for "did you mean".
    static func suggestion(for name: String) -> String? {
        let ranked = all.map { ($0.name, EditDistance.between($0.name, name)) }.filter { $0.1 <= 2 }.sorted { $0.1 < $1.1 }
        return ranked.first?.0
    }
}

/// Edit distance with adjacent transpositions (optimal string alignment), for suggestions: a
/// swapped pair of letters, the commonest typo (`stpe`), costs 1 rather than 2.
enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var beforePrevious = [Int](repeating: 0, count: y.count + 1)
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { current[j] = min(current[j], beforePrevious[j - 2] + 1) }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[y.count]
    }
}
