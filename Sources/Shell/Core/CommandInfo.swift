// CommandInfo.swift — command metadata as values (after swift-argument-parser's CommandConfiguration):
// help, usage errors and tab completion are all generated from it.

/// One `--flag` a command accepts. `value == nil` makes it a switch.
public struct FlagInfo: Sendable {
    public let name: String
    public let value: String?
    public let help: String

    public init(_ name: String, value: String? = nil, _ help: String) {
        self.name = name
        self.value = value
        self.help = help
    }
}

public struct CommandInfo: Sendable {
    /// The words that name the command: `generate`, or `load model`.
    public let name: String
    public let abstract: String
    public let usage: String
    public let flags: [FlagInfo]
    public let examples: [String]
    public let discussion: String?

    public init(name: String, abstract: String, usage: String, flags: [FlagInfo] = [], examples: [String] = [], discussion: String? = nil) {
        self.name = name
        self.abstract = abstract
        self.usage = usage
        self.flags = flags
        self.examples = examples
        self.discussion = discussion
    }

    public var words: [String] { name.split(separator: " ").map(String.init) }

    /// Flags every command accepts.
    static let globalFlags = [FlagInfo("json", "print exactly one JSON object on one line")]

    public var allFlags: [FlagInfo] { flags + CommandInfo.globalFlags }
}

/// A domain command of the shell. One type per file in `Shell/Commands/`.
public protocol Command: Sendable {
    static var info: CommandInfo { get }
    static func run(_ arguments: Arguments, _ context: CommandContext) throws
}

/// A mistake in how a command was typed; the message says what was expected.
public struct UsageError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
