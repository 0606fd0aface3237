// SteppedProcedure.swift — a procedure that advances one iteration at a time (SOPHON, ELM): the shell
// generates `NAME step` and `NAME run N` (progress, --every, checkpoints with --out, Ctrl-C, --plot)
// from this, so each procedure says only what one iteration is and how it reads; and `NAME save` and
// `NAME resume`, from how it writes a checkpoint and continues one.
import GPT2

/// What one iteration did: completed with its report, or undone by the procedure (a guard), which
/// then stops the run, with the sentence that says why.
public enum StepOutcome<Report> {
    case completed(Report)
    case undone(String)
}

/// A figure as data, drawn by the shell: curves over iterations, dashed reference lines.
public struct ProcedureFigure {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [(label: String, points: [(x: Double, y: Double)])]
    public var references: [(y: Double, label: String)] = []
    /// The y range to show at least (values outside it are still drawn where they are).
    public var preferredY: ClosedRange<Double>?
    public init(title: String, xLabel: String, yLabel: String, series: [(label: String, points: [(x: Double, y: Double)])],
                references: [(y: Double, label: String)] = [], preferredY: ClosedRange<Double>? = nil) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
        self.references = references; self.preferredY = preferredY
    }
}

/// A flag of `NAME resume` that names a data file the run trains on, for when it is not where the run
/// started (SOPHON's `--restricted`): data are files the user has, not part of the checkpoint.
public struct ResumeDataFlag: Sendable {
    public let name: String
    public let help: String
    public init(_ name: String, _ help: String) { self.name = name; self.help = help }
}

public protocol SteppedProcedure: Procedure {
    associatedtype Report
    /// `NAME step` and `NAME run`'s help.
    static var stepHelp: ProcedureHelp { get }
    static var runHelp: ProcedureHelp { get }
    /// What `NAME run --plot` draws, in a few words.
    static var figureHelp: String { get }
    /// `NAME run`'s default `--every` (lines printed) and `--save-every` (checkpoints with --out).
    static var defaultEvery: Int { get }
    static var defaultSaveEvery: Int { get }
    /// Settings flags (among `Settings.flags`) that `NAME step` and `NAME run` also take, for a run they start.
    static var startSettingFlags: [SettingFlag<Settings>] { get }

    /// Iterations done so far.
    var iteration: Int { get }
    /// Work a first iteration needs that is worth its own progress line (ELM's fluency data).
    func prepareToStep(progress: (String) -> Void) throws
    /// One iteration. Ctrl-C (``Interrupt``) may stop it with `Interrupted`, the iteration undone.
    func advance(progress: (Int, Int) -> Void) throws -> StepOutcome<Report>
    /// The iteration as `NAME step` prints it, and its `--json` fields.
    func line(_ report: Report) -> String
    func fields(_ report: Report) -> [(String, JSONValue)]
    /// `NAME run`'s line every `--every` iterations, from the reports since the last one.
    func runLine(_ window: [Report]) -> String
    /// A few numbers of the last iteration for `NAME run`'s progress line.
    func progressNote(_ report: Report) -> String
    /// Writes a checkpoint that `NAME resume` continues exactly.
    func saveCheckpoint(to path: String) throws
    /// `NAME save` and `NAME resume`'s help.
    static var saveHelp: ProcedureHelp { get }
    static var resumeHelp: ProcedureHelp { get }
    /// What `NAME save --weights-only` leaves out, or nil when the procedure has no such file.
    static var weightsOnlyHelp: String? { get }
    /// The weights to share, without the training state (only when ``weightsOnlyHelp`` is not nil).
    func saveWeights(to path: String) throws
    /// `NAME resume`'s data flag, or nil when the checkpoint and its settings name all the run's data.
    static var resumeDataFlag: ResumeDataFlag? { get }
    /// Continues a run saved by ``saveCheckpoint(to:)``, its model named `name` in the session; `data`
    /// is the value of ``resumeDataFlag``, when given.
    static func resume(from path: String, as name: String, data: String?, tokenizer: BPETokenizer) throws -> StartedRun<Self>
    /// The run so far as a figure (`NAME run --plot`).
    var figure: ProcedureFigure { get }
}

extension SteppedProcedure {
    public func prepareToStep(progress: (String) -> Void) throws {}
    public func runLine(_ window: [Report]) -> String { window.last.map(line) ?? "" }
    public func progressNote(_ report: Report) -> String { "" }
    public static var weightsOnlyHelp: String? { nil }
    public func saveWeights(to path: String) throws { throw GPT2Error("\(Self.name) save: \(Self.title) has no weights-only file") }
    public static var resumeDataFlag: ResumeDataFlag? { nil }
}
