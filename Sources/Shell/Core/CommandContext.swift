// CommandContext.swift — what a running command writes: checked output, volatile notes, progress, JSON.
import Foundation

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

    /// Ends a progress line on a terminal.
    public func endProgress() {
        if isTerminal && !json { write("\r\u{1B}[2K") }
    }

    /// Sets a field of the command's `--json` object.
    public func set(_ key: String, _ value: JSONValue) {
        result.removeAll { $0.0 == key }
        result.append((key, value))
    }
}
