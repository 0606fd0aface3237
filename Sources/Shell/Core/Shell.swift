// Shell.swift — runs one line: a domain command, a `%` meta-command, or a markdown note; records it.
import Autograd
import Foundation
import GPT2
import Procedures

/// One executed entry of a session, as recorded and as exported to a notebook.
public enum Cell: Equatable {
    case markdown(String, source: String)
    case command(source: String, count: Int, lines: [OutputLine], error: String?, elapsedMs: Int)
    /// A command stopped by Ctrl-C. Replay skips it, or runs `replayAs` (the command that does exactly
    /// what ran, e.g. `sophon run 12` for a `sophon run 50` stopped after 12 iterations) unchecked.
    case interrupted(source: String, count: Int, lines: [OutputLine], message: String, replayAs: String?)
    case meta(source: String)
}

public final class Shell {
    public let session: Session
    public private(set) var cells: [Cell] = []
    public private(set) var executionCount = 0
    public private(set) var quitRequested = false
    public private(set) var errorCount = 0
    var recorder: Recorder?
    let isTerminal: Bool
    let write: (String) -> Void
    /// Where relative paths in scripts resolve (the folder of the script being run, else the current folder).
    var scriptDirectory: String?
    /// How deep `%run` scripts are nested now; a script that runs itself stops at ``maxRunDepth``.
    private var runDepth = 0
    static let maxRunDepth = 8

    public init(session: Session = Session(), isTerminal: Bool = false,
                write: @escaping (String) -> Void = { try? FileHandle.standardOutput.write(contentsOf: Data($0.utf8)) }) {
        self.session = session
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Starts recording every cell to `path` (appending; created with a header if new).
    public func startRecording(to path: String) throws {
        // A replayed session may start a new record but never append to an existing file.
        recorder = try Recorder(path: path, seed: session.seed, exclusive: session.writePolicy != .anywhere)
    }

    /// Starts recording to a new file with a unique name in `folder` (interactive sessions).
    public func startRecording(inFolder folder: String, now: Date = Date()) throws {
        recorder = try Recorder.createUnique(in: folder, seed: session.seed, now: now)
    }

    public var recordingPath: String? { recorder?.path }

    /// Appends a cell to the record. The first failed write is reported once and recording stops
    /// (a half-written cell must not be followed by more); the session itself goes on.
    private func record(_ cell: Cell) {
        guard let recorder else { return }
        if let failure = recorder.append(cell) {
            write("warning: \(failure); the session goes on, no longer recorded (%record FILE starts a new record)\n")
            self.recorder = nil
        }
    }

    /// Executes one line and returns its cell (nil for blank lines and comments).
    @discardableResult
    public func execute(_ rawLine: String) -> Cell? {
        let line = rawLine.trimmingCharacters(in: .whitespaces)
        if line.isEmpty { return nil }
        var cell: Cell?
        if line.hasPrefix("## ") || line == "##" {
            cell = .markdown(line, source: line)
        } else if line.hasPrefix("#") {
            return nil
        } else if line.hasPrefix("%") {
            cell = runMeta(line)
        } else if line == "exit" || line == "quit" {
            quitRequested = true   // as in IPython
            return nil
        } else if (line.hasPrefix("?") || line.hasSuffix("?")), case let name = line.trimmingCharacters(in: CharacterSet(charactersIn: "? ")),
                  name.isEmpty || CommandRegistry.all.contains(where: { $0.info.name == name }) {
            // IPython's `generate?` and `?generate`: help on a command (only an exact command name, so
            // `tokenize why?` still tokenizes).
            cell = runCommand(name.isEmpty ? "help" : "help " + name)
        } else {
            cell = runCommand(line)
        }
        if let cell {
            cells.append(cell)
            record(cell)
        }
        return cell
    }

    // MARK: - Domain commands

    func runCommand(_ line: String) -> Cell {
        executionCount += 1
        Interrupt.reset()
        let started = Date()
        // A line that does not split (an unclosed quote) still answers in JSON when it asked to.
        var json = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).contains { $0 == "--json" || $0.hasPrefix("--json\"") }
        let context: CommandContext
        var errorMessage: String?
        var interruption: Interrupted?
        do {
            let words = try LineSplitter.split(line)
            json = words.contains("--json")
            context = CommandContext(session: session, json: json, isTerminal: isTerminal, write: write)
            do {
                guard let found = CommandRegistry.find(words) else {
                    let family = CommandRegistry.all.contains { $0.info.words.count > 1 && $0.info.words[0] == words.first }
                    let typed = words.prefix(family ? 2 : 1).joined(separator: " ")
                    let hint = CommandRegistry.suggestions(for: words).prefix(4).joined(separator: ", ")
                    throw UsageError("unknown command '\(typed)'" + (hint.isEmpty ? " (type help)" : " (did you mean: \(hint)?)"))
                }
                let arguments = try Arguments(Array(words.dropFirst(found.wordCount)), info: found.command.info)
                _ = Arguments.takeUndeclaredReads()
                try found.command.run(arguments, context)
                context.finishStream()
                // A flag read that the command never declared is Lethe's bug, said as an error so tests see it.
                let undeclared = Arguments.takeUndeclaredReads()
                if !undeclared.isEmpty {
                    throw UsageError("internal error: \(undeclared.joined(separator: ", ")) read but not declared in the command's flags (please report)")
                }
            } catch {
                context.finishStream()
                context.endProgress()
                errorMessage = Shell.message(for: error)
                interruption = error as? Interrupted
            }
        } catch {
            context = CommandContext(session: session, json: json, isTerminal: isTerminal, write: write)
            errorMessage = Shell.message(for: error)
        }
        if json {
            let object: JSONValue = errorMessage.map { .object([("error", .string($0))]) } ?? .object(context.result)
            write(object.serialized() + "\n")
        } else if let errorMessage {
            write("error: \(errorMessage)\n")
        }
        if errorMessage != nil { errorCount += 1 }
        let elapsed = Int(Date().timeIntervalSince(started) * 1000)
        if let interruption {
            return .interrupted(source: line, count: executionCount, lines: context.lines, message: interruption.description,
                                replayAs: context.replayAs)
        }
        return .command(source: line, count: executionCount, lines: context.lines, error: errorMessage, elapsedMs: elapsed)
    }

    /// The one line a user sees for an error: control characters typed into a quoted word (a newline,
    /// say) are shown escaped, so an echoed input never breaks the line.
    public static func message(for error: Error) -> String {
        SessionScript.escapeControls(rawMessage(for: error))
    }

    private static func rawMessage(for error: Error) -> String {
        switch error {
        case let e as UsageError: return e.description
        case let e as GPT2Error: return e.description
        case let e as Interrupted: return e.description
        case let e as OptimizerStateError: return e.description
        default: return "\(error)"
        }
    }

    // MARK: - Meta-commands

    func runMeta(_ line: String) -> Cell? {
        func say(_ s: String) { write(s + "\n") }
        func fail(_ s: String) -> Cell? { say("error: " + s); errorCount += 1; return nil }
        let name = String(line.prefix { !$0.isWhitespace })
        let rest = line.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        guard let meta = MetaCommand.find(name) else {
            let hint = MetaCommand.suggestion(for: name).map { " (did you mean \($0)?)" } ?? ""
            return fail("unknown meta-command \(name)\(hint); expected one of \(MetaCommand.all.map(\.name).joined(separator: ", "))")
        }
        // Arguments split like a command's (quotes, escapes); `%md` and `%time` take the rest of the line as it is.
        let words: [String]
        do { words = meta.takesRawRest ? [] : Array(try LineSplitter.split(line).dropFirst()) } catch {
            return fail("\(name): \(Shell.message(for: error))")
        }
        if !meta.takesRawRest && words.count > meta.maxArguments {
            return fail("\(name): too many arguments (usage: \(meta.usage))")
        }
        let argument = words.first ?? ""
        switch meta {
        case .md:
            return .markdown(rest, source: line)
        case .seed:
            if argument.isEmpty { say("seed \(session.seed)"); return nil }
            guard let seed = UInt64(argument) else { return fail("%seed expects a non-negative whole number, got '\(argument)'") }
            session.reseed(seed)
            return .meta(source: line)
        case .quit:
            quitRequested = true
            return nil
        case .history:
            let selection: ClosedRange<Int>
            do { selection = try historySelection(argument, last: true) } catch { return fail("%history: \(Shell.message(for: error))") }
            for cell in cells {
                switch cell {
                case let .command(source, count, _, _, _) where selection.contains(count): say(String(format: "%4d  ", count) + source)
                case let .interrupted(source, count, _, _, _) where selection.contains(count): say(String(format: "%4d  ", count) + source + "   # interrupted")
                default: continue
                }
            }
            return nil
        case .save:
            guard !argument.isEmpty else { return fail("%save expects a file name (usage: \(meta.usage))") }
            do {
                let selection = try historySelection(words.count > 1 ? words[1] : "", last: false)
                let chosen = cells.filter { cell in
                    switch cell {
                    case let .command(_, count, _, _, _), let .interrupted(_, count, _, _, _): return selection.contains(count)
                    default: return words.count == 1   // notes and %seed only when saving everything
                    }
                }
                let path = try session.writablePath(resolve(argument), for: "%save")
                try AtomicFile.write(Data(SessionScript.render(cells: chosen, seed: session.seed).utf8), to: path)
                say("saved \(chosen.count) cells to \(argument)")
            } catch { return fail("%save: \(Shell.message(for: error))") }
            return nil
        case .notebook:
            guard argument.hasSuffix(".ipynb") else { return fail("%notebook expects a file name ending in .ipynb, got '\(argument)'") }
            do {
                let path = try session.writablePath(resolve(argument), for: "%notebook")
                let written = try Notebook.write(cells: cells, seed: session.seed, to: path)
                say("wrote notebook \(argument) (\(written) cells)")
            } catch { return fail(Shell.message(for: error)) }
            return nil
        case .record:
            if argument == "off" { recorder = nil; say("recording stopped"); return nil }
            guard !argument.isEmpty else { say(recorder.map { "recording to \($0.path)" } ?? "not recording"); return nil }
            do {
                let path = try session.writablePath(resolve(argument), for: "%record")
                try startRecording(to: path)
                say("recording to \(argument)")
            } catch { return fail(Shell.message(for: error)) }
            return nil
        case .run:
            guard !argument.isEmpty else { return fail("%run expects a script file") }
            guard runDepth < Shell.maxRunDepth else {
                return fail("%run \(argument): scripts nested more than \(Shell.maxRunDepth) deep (does a script run itself?)")
            }
            runDepth += 1
            defer { runDepth -= 1 }
            do {
                let text = try String(contentsOfFile: resolve(argument), encoding: .utf8)
                for item in try SessionScript.parse(text) where item.kind != .interrupted {
                    if quitRequested || Interrupt.isRequested { break }
                    execute(item.source)
                }
            } catch let error as CocoaError { return fail("%run: cannot read \(argument) (\(error.localizedDescription))") }
            catch { return fail("%run \(argument): \(Shell.message(for: error))") }
            return nil
        case .time:
            guard !rest.isEmpty else { return fail("%time expects a command to time") }
            let started = Date()
            execute(rest)
            say(String(format: "time: %.3f s", Date().timeIntervalSince(started)))
            return nil
        }
    }

    /// `%history 5` (the last five), `%history 40-45` or `%history 7`-style selections, by execution count.
    /// With `last` false a single number means that one command (`%save FILE 12`).
    private func historySelection(_ text: String, last: Bool) throws -> ClosedRange<Int> {
        if text.isEmpty { return Int.min...Int.max }
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        switch bounds.count {
        case 1:
            guard let n = bounds[0], n >= 1 else { throw UsageError("expected N or A-B, got '\(text)'") }
            return last ? max(1, executionCount - n + 1)...max(1, executionCount) : n...n
        case 2:
            guard let a = bounds[0], let b = bounds[1], a >= 1, a <= b else { throw UsageError("expected A-B with A ≤ B, got '\(text)'") }
            return a...b
        default: throw UsageError("expected N or A-B, got '\(text)'")
        }
    }

    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") || scriptDirectory == nil { return path }
        return (scriptDirectory ?? ".") + "/" + path
    }
}
