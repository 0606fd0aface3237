// Procedure.swift — what every procedure (SOPHON, ELM, WHP, and the next one) offers the shell:
// its name, its settings declared once as flags, how they read, and the rules for changing them
// on a run in progress, how a run starts from the session's current model, and how it reports where
// it is. The shell generates `NAME config`, `NAME status` and `NAME reset` from this, and keeps runs
// in one registry; a new procedure is a folder here and one line in the shell's registry.
import Autograd
import GPT2

/// A procedure's settings: saved with its checkpoints, compared for fixed flags, checked as a whole.
public protocol ProcedureSettings: Codable, Equatable, Sendable {
    /// The defaults.
    init()
    /// Every setting as a flag of `NAME config`.
    static var flags: [SettingFlag<Self>] { get }
    /// Throws when the values cannot make a run (a non-positive learning rate, …).
    func validate() throws
}

public protocol Procedure: AnyObject {
    associatedtype Settings: ProcedureSettings
    /// The word its commands start with: `sophon`, `elm`, `whp`.
    static var name: String { get }
    /// How the shell names it in sentences: `SOPHON`.
    static var title: String { get }
    /// `NAME config`'s help: what it does, examples, and a longer discussion.
    static var configHelp: ProcedureHelp { get }
    /// The settings as `NAME config` and `NAME status` print them.
    static func describe(_ settings: Settings) -> [String]

    var settings: Settings { get }
    /// New settings for the run in progress; refuses fixed ones (`SettingError`) and returns what
    /// the change did beyond the settings (e.g. "labels discarded"), to be told to the user.
    func apply(_ settings: Settings) throws -> [String]
    /// Where the run is, in a few words (`at iteration 12`).
    var position: String { get }

    /// A new run with `settings` on the session's current model (`start.model`). It loads its own
    /// data (``DataLayout``) and tells the user what it set up through `start.say`.
    static func start(_ start: ProcedureStart, settings: Settings) throws -> StartedRun<Self>
    /// True when the run trains the model it started on in place (SOPHON): it continues only while
    /// that model is current. False when it trains its own copy (ELM) or makes new models (WHP).
    static var trainsInPlace: Bool { get }
    /// `NAME status` with no run: how one starts, and what it would start with.
    static func noRunLines(_ settings: Settings) -> [String]
    /// `NAME status`: where the run is, with the last `last` lines of its log.
    func statusLines(modelName: String, last: Int) -> [String]
    /// `NAME status --json`: the same as fields.
    var statusFields: [(String, JSONValue)] { get }
    /// Its own commands beyond the generated ones (`whp anchors`), in the order `help` lists them.
    static var verbs: [any ProcedureVerb.Type] { get }
}

extension Procedure {
    public static var verbs: [any ProcedureVerb.Type] { [] }
}

/// What the shell hands a procedure starting a run.
public struct ProcedureStart {
    /// The current model and its name in the session.
    public let model: GPT2Model
    public let modelName: String
    public let tokenizer: BPETokenizer
    /// The classification head the session keeps with the current model, if any ([classes, dModel]).
    public let classifierHead: Tensor?
    /// Prints a line of the command's output (recorded); `progress` shows a transient progress line.
    public let say: (String) -> Void
    public let progress: (String) -> Void
    public init(model: GPT2Model, modelName: String, tokenizer: BPETokenizer, classifierHead: Tensor?,
                say: @escaping (String) -> Void, progress: @escaping (String) -> Void) {
        self.model = model; self.modelName = modelName; self.tokenizer = tokenizer; self.classifierHead = classifierHead
        self.say = say; self.progress = progress
    }
}

/// A run just started: the procedure; the name of the model it is bound to; a model it made, for the
/// session to add under that name (ELM trains a copy); a classification head for the session to keep
/// with the current model (SOPHON's).
public struct StartedRun<P: Procedure> {
    public let procedure: P
    public let modelName: String
    public let newModel: GPT2Model?
    public let classifierHead: Tensor?
    public init(_ procedure: P, modelName: String, newModel: GPT2Model? = nil, classifierHead: Tensor? = nil) {
        self.procedure = procedure; self.modelName = modelName; self.newModel = newModel; self.classifierHead = classifierHead
    }
}

/// Help text a procedure gives its generated commands.
public struct ProcedureHelp: Sendable {
    public let abstract: String
    public let examples: [String]
    public let discussion: String?
    public init(abstract: String, examples: [String], discussion: String? = nil) {
        self.abstract = abstract; self.examples = examples; self.discussion = discussion
    }
}
