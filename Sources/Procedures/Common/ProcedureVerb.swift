// ProcedureVerb.swift — a procedure's own commands beyond the generated ones (`whp anchors`,
// `elm merge`, `sophon calibrate`), declared beside the procedure: name, help and flags as values,
// and a body that reaches the shell only through `VerbArguments` and `VerbContext`. The shell
// generates one command per verb, so a new procedure is a folder here and one line in its registry.
// Flags (`FlagInfo`) and usage errors (`UsageError`) are declared here, for the shell's commands and the verbs alike.
import GPT2

/// One `--flag` a command accepts. `value == nil` makes it a switch. A command reads only the flags
/// it declares (``Arguments`` enforces it), so help, usage, completion and parsing share this list.
public struct FlagInfo: Sendable {
    public let name: String
    public let value: String?
    /// Shown without brackets in the usage line (the command says so when it is missing).
    public let isRequired: Bool
    public let help: String

    public init(_ name: String, value: String? = nil, required: Bool = false, _ help: String) {
        self.name = name
        self.value = value
        self.isRequired = required
        self.help = help
    }

    /// `--name VALUE`, or `--name` for a switch.
    public var synopsis: String { "--" + name + (value.map { " " + $0 } ?? "") }
}

extension FlagInfo {
    /// `--plot FILE.svg`, as every command with a figure declares it.
    public static func plot(_ what: String) -> FlagInfo { FlagInfo("plot", value: "FILE.svg", "write \(what) as an SVG figure") }
}

/// A mistake in how a command was typed; the message says what was expected.
public struct UsageError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public protocol ProcedureVerb {
    associatedtype Owner: Procedure
    /// The word after the procedure's name: `anchors` in `whp anchors`.
    static var verb: String { get }
    static var abstract: String { get }
    /// The positional arguments as the usage line shows them (`[TEXT]`); empty for none.
    static var arguments: String { get }
    static var flags: [FlagInfo] { get }
    static var examples: [String] { get }
    static var discussion: String? { get }
    static func run(_ a: VerbArguments, _ context: VerbContext) throws
}

extension ProcedureVerb {
    public static var arguments: String { "" }
    public static var flags: [FlagInfo] { [] }
    public static var discussion: String? { nil }
}

/// Where a checked `--plot` goes: the path to write and the path as the user typed it.
public struct FigureDestination: Sendable {
    public let path: String
    public let shown: String
    public init(path: String, shown: String) { self.path = path; self.shown = shown }
}

/// A verb's arguments: its positionals and its declared flags (reading an undeclared one is a
/// programming error the shell reports).
public protocol VerbArguments {
    /// The command's words, for messages (`whp finetune`).
    var command: String { get }
    var positionals: [String] { get }
    func string(_ flag: String) -> String?
    func int(_ flag: String, default value: Int) throws -> Int
    func float(_ flag: String, default value: Float) throws -> Float
    func double(_ flag: String, default value: Double) throws -> Double
    func seed(_ flag: String, default value: UInt64) throws -> UInt64
    /// The positionals as one text, or an error naming `what` was expected.
    func text(_ what: String) throws -> String
}

/// What a verb may use of the shell: its output (recorded lines, progress, `--json` fields) and the
/// session (models, runs, settings, the tokenizer, where it may write).
public protocol VerbContext: AnyObject {
    /// A line of output, recorded and compared on replay.
    func print(_ text: String)
    /// A progress bar with an ETA, never recorded.
    func progress(_ label: String, done: Int, of total: Int, detail: String)
    func endProgress()
    /// A field of the command's `--json` object.
    func set(_ key: String, _ value: JSONValue)

    /// `P`'s run in progress, or a new one on the current model with `NAME config`'s settings.
    func run<P: Procedure>(_ kind: P.Type) throws -> P
    /// `P`'s run in progress, with the model it is bound to; nil when none is.
    func runInProgress<P: Procedure>(_ kind: P.Type) -> (modelName: String, procedure: P)?
    /// Forgets `P`'s run (its models stay in the session).
    func closeRun<P: Procedure>(_ kind: P.Type)
    /// `NAME config`'s settings for `P`'s next run.
    func settings<P: Procedure>(for kind: P.Type) -> P.Settings

    /// The current model (the bundled one on first use) and its name.
    func model() throws -> GPT2Model
    var currentModelName: String? { get }
    /// A model of the session by name, or else a shipped `models/NAME` (read, not added).
    func model(named name: String, for command: String) throws -> GPT2Model
    /// Adds `model` as `name`; it becomes current.
    func add(_ model: GPT2Model, name: String)
    func use(_ name: String) throws
    func tokenizer() throws -> BPETokenizer
    /// `path` if the session may write there (a replay is confined to its folder), else an error.
    func writablePath(_ path: String, for command: String) throws -> String
    /// Where `--plot` writes, checked before any work; nil without the flag.
    func figureDestination(_ a: VerbArguments) throws -> FigureDestination?
    /// Draws `figure` as the charts draw and writes it to `destination`, if there is one.
    func write(_ figure: ProcedureFigure, to destination: FigureDestination?, what: String) throws
}
