// Arguments.swift — positionals and `--flag value` pairs, checked against a command's FlagInfo.
import GPT2
import Synchronization
import Procedures

public struct Arguments {
    public let command: String
    public let positionals: [String]
    /// The words as typed after the command's name.
    public let words: [String]
    private let firstPositionalIndex: Int?
    private let values: [String: String]
    private let switches: Set<String>
    /// The flags the command declared: reading any other is a programming error (a mistyped name
    /// would otherwise silently read as absent).
    private let declared: Set<String>

    /// Parses `words` (after the command's own words) for a command described by `info`.
    public init(_ words: [String], info: CommandInfo) throws {
        command = info.name
        self.words = words
        declared = Set(info.allFlags.map(\.name))
        var positionals: [String] = [], values: [String: String] = [:], switches = Set<String>()
        var firstPositionalIndex: Int?
        let known = Dictionary(info.allFlags.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var i = 0
        while i < words.count {
            let word = words[i]
            if word.hasPrefix("--") && word.count > 2 && Double(word) == nil {
                var name = String(word.dropFirst(2)), inlineValue: String? = nil
                if let eq = name.firstIndex(of: "=") { inlineValue = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
                guard let flag = known[name] else {
                    let list = info.allFlags.map { "--" + $0.name }.joined(separator: ", ")
                    let nearest = info.allFlags.map { ($0.name, EditDistance.between($0.name, name)) }
                        .filter { $0.1 <= max(2, name.count / 3) }.min { $0.1 < $1.1 }
                    throw UsageError("\(info.name): unknown flag --\(name)" + (nearest.map { " (did you mean --\($0.0)?)" } ?? "")
                                     + " (expected one of: \(list))")
                }
                if flag.value == nil {
                    guard inlineValue == nil else { throw UsageError("\(info.name): --\(name) takes no value") }
                    switches.insert(name)
                } else if let inlineValue {
                    values[name] = inlineValue
                } else {
                    guard i + 1 < words.count else { throw UsageError("\(info.name): --\(name) needs a value (\(flag.value ?? "value"))") }
                    values[name] = words[i + 1]
                    i += 1
                }
            } else {
                if positionals.isEmpty { firstPositionalIndex = i }
                if info.takesCommand { positionals = Array(words[i...]); break }
                positionals.append(word)
            }
            i += 1
        }
        self.positionals = positionals
        self.firstPositionalIndex = firstPositionalIndex
        self.values = values
        self.switches = switches
    }

    /// Reads of flags a command did not declare (`"command --flag"`), a programming error: the shell
    /// reports them as an error after the command, so a test that runs the command fails.
    private static let undeclaredReads = Mutex<[String]>([])

    /// The undeclared reads since the last call, and forgets them.
    public static func takeUndeclaredReads() -> [String] { undeclaredReads.withLock { reads in defer { reads = [] }; return reads } }

    private func declaredValue(_ flag: String) -> String? {
        noteIfUndeclared(flag)
        return values[flag]
    }

    private func noteIfUndeclared(_ flag: String) {
        guard !declared.contains(flag) else { return }
        let read = "\(command) --\(flag)"
        Arguments.undeclaredReads.withLock { $0.append(read) }
    }

    public func has(_ flag: String) -> Bool {
        noteIfUndeclared(flag)
        return switches.contains(flag) || values[flag] != nil
    }

    public func string(_ flag: String) -> String? { declaredValue(flag) }

    public func int(_ flag: String, default value: Int) throws -> Int {
        guard let text = declaredValue(flag) else { return value }
        guard let v = Int(text) else { throw UsageError("\(command): --\(flag) expects a whole number, got '\(text)'") }
        return v
    }

    public func float(_ flag: String, default value: Float) throws -> Float {
        guard let text = declaredValue(flag) else { return value }
        guard let v = Float(text), v.isFinite else { throw UsageError("\(command): --\(flag) expects a number, got '\(text)'") }
        return v
    }

    /// A seed: a non-negative whole number.
    public func seed(_ flag: String = "seed", default value: UInt64) throws -> UInt64 {
        guard let text = declaredValue(flag) else { return value }
        guard let v = UInt64(text) else { throw UsageError("\(command): --\(flag) expects a non-negative whole number, got '\(text)'") }
        return v
    }

    public func double(_ flag: String, default value: Double) throws -> Double {
        guard let text = declaredValue(flag) else { return value }
        guard let v = Double(text), v.isFinite else { throw UsageError("\(command): --\(flag) expects a number, got '\(text)'") }
        return v
    }

    /// A hook point by its TransformerLens name (nil when the flag is absent).
    func hookPoint(_ flag: String, layers: Int, for command: String) throws -> HookPoint? {
        guard let name = declaredValue(flag) else { return nil }
        guard let point = HookPoint(name, layers: layers) else {
            let names = HookPoint.all(layers: layers).map(\.description)
            let close = names.map { ($0, EditDistance.between($0, name)) }.filter { $0.1 <= max(3, name.count / 3) }
                .sorted { $0.1 < $1.1 }.prefix(3).map(\.0)
            let blocks = layers > 0 ? "blocks.N.{" + HookPoint.BlockHook.allCases.map(\.rawValue).joined(separator: ",") + "} for N in 0–\(layers - 1)" : "no blocks"
            throw UsageError("\(command): unknown hook \(name) (expected hook_embed, hook_pos_embed, ln_final.hook_normalized or \(blocks)"
                             + (close.isEmpty ? ")" : "; did you mean \(close.joined(separator: ", "))?)"))
        }
        return point
    }

    /// The single positional argument (e.g. the text of `tokenize TEXT`); several are joined by spaces.
    public func text(_ what: String) throws -> String {
        guard !positionals.isEmpty else { throw UsageError("\(command): expected \(what)") }
        return positionals.joined(separator: " ")
    }

    /// The command line with the first positional replaced (`sophon run 50 --every 5` → `sophon run 12 --every 5`).
    public func commandLine(replacingFirstPositionalWith value: String) -> String {
        var out = words
        if let i = firstPositionalIndex { out[i] = value } else { out.insert(value, at: 0) }
        return ([command] + out.map(LineSplitter.quote)).joined(separator: " ")
    }

    /// The command line with `--flag value` set (replaced when present, appended otherwise).
    public func commandLine(setting flag: String, to value: String) -> String {
        var out = words
        if let i = out.firstIndex(of: "--" + flag), i + 1 < out.count { out[i + 1] = value }
        else if let i = out.firstIndex(where: { $0.hasPrefix("--\(flag)=") }) { out[i] = "--\(flag)=\(value)" }
        else { out += ["--" + flag, value] }
        return ([command] + out.map(LineSplitter.quote)).joined(separator: " ")
    }

    public func positional(_ index: Int, _ what: String) throws -> String {
        guard index < positionals.count else { throw UsageError("\(command): expected \(what)") }
        return positionals[index]
    }
}
