// Procedure.swift — what every procedure (SOPHON, ELM, WHP, and the next one) offers the shell:
// its name, its settings declared once as flags, how they read, and the rules for changing them
// on a run in progress. The shell generates `NAME config` and `NAME reset` from this, and keeps
// runs in one registry; a new procedure is a folder here and one line in the shell's registry.

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
