// CommandInfo.swift — command metadata as values (after swift-argument-parser's CommandConfiguration):
// help, usage errors and tab completion are all generated from it.
import Procedures

public struct CommandInfo: Sendable {
    /// The words that name the command: `generate`, or `load model`.
    public let name: String
    public let abstract: String
    /// The positional arguments, as the usage line shows them: `TEXT`, `[N]`, `A B`.
    public let arguments: String
    public let flags: [FlagInfo]
    public let examples: [String]
    public let discussion: String?
    /// The words from its first positional on are another command, with that command's own flags
    /// (`compare --models a,b perplexity --sources holmes`): parsed by that command, not this one.
    public let takesCommand: Bool

    public init(name: String, abstract: String, arguments: String = "", flags: [FlagInfo] = [], examples: [String] = [], discussion: String? = nil,
                takesCommand: Bool = false) {
        self.takesCommand = takesCommand
        self.name = name
        self.abstract = abstract
        self.arguments = arguments
        self.flags = flags
        self.examples = examples
        self.discussion = discussion
    }

    public var words: [String] { name.split(separator: " ").map(String.init) }

    /// Flags every command accepts.
    static let globalFlags = [FlagInfo("json", "print exactly one JSON object on one line")]

    public var allFlags: [FlagInfo] { flags + CommandInfo.globalFlags }

    /// The usage line, generated: the name, the positionals, required flags, then optional ones
    /// (the first few, and a count of the rest that `help` lists).
    public var usage: String {
        let shown = 6
        let optional = flags.filter { !$0.isRequired }
        var parts = [name] + (arguments.isEmpty ? [] : [arguments]) + flags.filter(\.isRequired).map(\.synopsis)
        parts += optional.prefix(shown).map { "[" + $0.synopsis + "]" }
        if optional.count > shown { parts.append("[… \(optional.count - shown) more flags]") }
        return parts.joined(separator: " ")
    }
}

/// A domain command of the shell. One type per file in `Shell/Commands/`.
public protocol Command: Sendable {
    static var info: CommandInfo { get }
    static func run(_ arguments: Arguments, _ context: CommandContext) throws
}
