// CommandContext.swift — what a running command writes: checked output, volatile notes, progress, JSON.
import Procedures
import Foundation
import GPT2

/// One line a command produced, as recorded: `#>` lines are compared on replay, `#~` lines are not.
public enum OutputLine: Equatable, Sendable {
    case checked(String)
    case volatile(String)

    public var text: String {
        switch self { case .checked(let s), .volatile(let s): return s }
    }
}

public final class CommandContext {
    public let session: Session
    public let json: Bool
    public let isTerminal: Bool
    public private(set) var lines: [OutputLine] = []
    private(set) var result: [(String, JSONValue)] = []
    /// Set by a command that Ctrl-C stopped part-way with its work kept: the command line that does
    /// exactly what ran (replayed, unchecked, in place of the interrupted one).
    public var replayAs: String?
    private var streamed = ""
    private var lastProgress = Date.distantPast
    /// When the current counted task (``progress(_:done:of:)``) started, and how much of it was done
    /// then (a command that continues earlier work starts part-way), for its ETA.
    private var taskStart: (label: String, date: Date, done: Int)?
    private let write: (String) -> Void

    init(session: Session, json: Bool, isTerminal: Bool, write: @escaping (String) -> Void) {
        self.session = session
        self.json = json
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Output that a replay compares (numbers with a tolerance, text exactly).
    public func print(_ text: String) {
        finishStream()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lines.append(.checked(String(line)))
            if !json { write(String(line) + "\n") }
        }
    }

    /// Output that depends on the machine (timings, throughput): shown and recorded, never compared.
    public func note(_ text: String) {
        finishStream()
        lines.append(.volatile(text))
        if !json { write(text + "\n") }
    }

    /// Text shown as it is produced (generated tokens); becomes checked lines when the command ends.
    public func stream(_ piece: String) {
        streamed += piece
        if !json { write(piece) }
    }

    func finishStream() {
        guard !streamed.isEmpty else { return }
        for line in streamed.split(separator: "\n", omittingEmptySubsequences: false) { lines.append(.checked(String(line))) }
        streamed = ""
        if !json { write("\n") }
    }

    /// A progress line: rewritten in place on a terminal, a plain line every few seconds otherwise.
    /// Never recorded.
    public func progress(_ text: String, force: Bool = false) {
        guard !json else { return }
        if isTerminal {
            write("\r\u{1B}[2K" + text)
        } else if force || Date().timeIntervalSince(lastProgress) > 5 {
            write(text + "\n")
            lastProgress = Date()
        }
    }

    /// A one-line bar with an ETA for `done` of `total` units of `label`'s work (the ETA extrapolates
    /// from this task's elapsed time), followed by `detail` (e.g. the latest loss), which may change
    /// from call to call without restarting the ETA. Never recorded, never in `--json`.
    public func progress(_ label: String, done: Int, of total: Int, detail: String = "") {
        if taskStart?.label != label || done == 0 || done < (taskStart?.done ?? 0) { taskStart = (label, Date(), done) }
        guard total > 0, let start = taskStart else { return }
        let fraction = min(1, Double(done) / Double(total))
        let width = 24, filled = Int((fraction * Double(width)).rounded(.down))
        let elapsed = Date().timeIntervalSince(start.date), doneHere = done - start.done
        let eta = doneHere > 0 ? elapsed / Double(doneHere) * Double(total - done) : .nan
        let etaText = eta.isFinite ? (eta >= 60 ? String(format: "%dm%02ds", Int(eta) / 60, Int(eta) % 60) : String(format: "%.0fs", eta)) : "…"
        progress("\(label) [" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + "] \(done)/\(total)  ETA \(etaText)" + (detail.isEmpty ? "" : "  " + detail))
    }

    /// Ends a progress line on a terminal.
    public func endProgress() {
        if isTerminal && !json { write("\r\u{1B}[2K") }
    }

    /// Writes an SVG figure (creating its folder) and says where, in the words notebooks look for
    /// (`… written to PATH.svg`) so an exported cell carries the picture.
    /// `path` is where to write (already checked by the session's write policy), `shown` the path as the user gave it.
    public func writeFigure(_ svg: String, to path: String, shown: String, what: String) throws {
        let url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(Data(svg.utf8), to: url.path)
        } catch { throw UsageError("cannot write \(path): \(error)") }
        print("\(what) written to \(shown)")
        set("plot", .string(shown))
    }

    /// Sets a field of the command's `--json` object.
    public func set(_ key: String, _ value: JSONValue) {
        result.removeAll { $0.0 == key }
        result.append((key, value))
    }
}
