// SteppedProcedure.swift — a procedure that advances one iteration at a time (SOPHON, ELM): the shell
// generates `NAME step` and `NAME run N` (progress, --every, checkpoints with --out, Ctrl-C, --plot)
// from this, so each procedure says only what one iteration is and how it reads.

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
    /// Settings flags (by name) that `NAME step` and `NAME run` also take, for a run they start.
    static var startFlags: [String] { get }

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
    /// The run so far as a figure (`NAME run --plot`).
    var figure: ProcedureFigure { get }
}

extension SteppedProcedure {
    public func prepareToStep(progress: (String) -> Void) throws {}
    public func runLine(_ window: [Report]) -> String { window.last.map(line) ?? "" }
    public func progressNote(_ report: Report) -> String { "" }
}
