// Shell.swift — runs one line: a domain command, a `%` meta-command, or a markdown note; records it.
import Autograd
import Foundation
import GPT2
import Procedures

/// One executed entry of a session, as recorded and as exported to a notebook.
public enum Cell: Equatable {
    case markdown(String, source: String)
    case command(source: String, count: Int, lines: [OutputLine], error: String?, elapsedMs: Int)
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

    public init(session: Session = Session(), isTerminal: Bool = false,
                write: @escaping (String) -> Void = { try? FileHandle.standardOutput.write(contentsOf: Data($0.utf8)) }) {
        self.session = session
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Starts recording every cell to `path` (appending; created with a header if new).
    public func startRecording(to path: String) throws {
        recorder = try Recorder(path: path, seed: session.seed)
    }

    public var recordingPath: String? { recorder?.path }

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
        } else {
            cell = runCommand(line)
        }
        if let cell {
            cells.append(cell)
            recorder?.append(cell)
        }
        return cell
    }

    // MARK: - Domain commands

    func runCommand(_ line: String) -> Cell {
        executionCount += 1
        Interrupt.reset()
        let started = Date()
        var json = false
        let context: CommandContext
        var errorMessage: String?
        do {
            let words = try LineSplitter.split(line)
            json = words.contains("--json")
            context = CommandContext(session: session, json: json, isTerminal: isTerminal, write: write)
            do {
                guard let found = CommandRegistry.find(words) else {
                    let first = words.first ?? ""
                    let hint = CommandRegistry.suggestions(for: first).prefix(4).joined(separator: ", ")
                    throw UsageError("unknown command '\(first)'" + (hint.isEmpty ? " (type help)" : " (did you mean: \(hint)?)"))
                }
                let arguments = try Arguments(Array(words.dropFirst(found.wordCount)), info: found.command.info)
                try found.command.run(arguments, context)
                context.finishStream()
            } catch {
                context.finishStream()
                context.endProgress()
                errorMessage = Shell.message(for: error)
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
        return .command(source: line, count: executionCount, lines: context.lines, error: errorMessage, elapsedMs: elapsed)
    }

    static func message(for error: Error) -> String {
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
        let words = (try? LineSplitter.split(line)) ?? [line]
        let name = words.first ?? line
        let rest = line.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        func say(_ s: String) { write(s + "\n") }
        switch name {
        case "%md":
            return .markdown(rest, source: line)
        case "%seed":
            guard let seed = UInt64(rest) else { say("error: %seed expects a non-negative whole number, got '\(rest)'"); errorCount += 1; return nil }
            session.reseed(seed)
            return .meta(source: line)
        case "%quit", "%exit":
            quitRequested = true
            return nil
        case "%history":
            for case let .command(source, count, _, _, _) in cells { say(String(format: "%4d  ", count) + source) }
            return nil
        case "%save":
            guard !rest.isEmpty else { say("error: %save expects a file name"); errorCount += 1; return nil }
            do { try SessionScript.render(cells: cells, seed: session.seed).write(toFile: resolve(rest), atomically: true, encoding: .utf8); say("saved \(cells.count) cells to \(rest)") }
            catch { say("error: cannot write \(rest): \(error.localizedDescription)"); errorCount += 1 }
            return nil
        case "%notebook":
            guard rest.hasSuffix(".ipynb") else { say("error: %notebook expects a file name ending in .ipynb"); errorCount += 1; return nil }
            do { try Notebook.write(cells: cells, seed: session.seed, to: resolve(rest)); say("wrote notebook \(rest) (\(cells.count) cells)") }
            catch { say("error: \(Shell.message(for: error))"); errorCount += 1 }
            return nil
        case "%record":
            if rest == "off" { recorder = nil; say("recording stopped"); return nil }
            guard !rest.isEmpty else { say(recorder.map { "recording to \($0.path)" } ?? "not recording"); return nil }
            do { try startRecording(to: resolve(rest)); say("recording to \(rest)") }
            catch { say("error: \(Shell.message(for: error))"); errorCount += 1 }
            return nil
        case "%run":
            guard !rest.isEmpty else { say("error: %run expects a script file"); errorCount += 1; return nil }
            do {
                let text = try String(contentsOfFile: resolve(rest), encoding: .utf8)
                for item in try SessionScript.parse(text) {
                    if quitRequested || Interrupt.isRequested { break }
                    execute(item.source)
                }
            } catch { say("error: \(Shell.message(for: error))"); errorCount += 1 }
            return nil
        case "%time":
            let started = Date()
            let cell = execute(rest)
            say(String(format: "time: %.3f s", Date().timeIntervalSince(started)))
            _ = cell
            return nil
        default:
            say("error: unknown meta-command \(name) (expected %md, %seed, %history, %save, %record, %notebook, %run, %time, %quit)")
            errorCount += 1
            return nil
        }
    }

    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") || scriptDirectory == nil { return path }
        return (scriptDirectory ?? ".") + "/" + path
    }
}
