// Entry.swift — `lethe` from the command line: the REPL, script replay, export, and one-shot commands.
import Autograd
import Foundation
import GPT2
import Procedures

public enum LetheMain {
    /// An option of `lethe` itself (not of a shell command), declared once: parsing, usage and
    /// "did you mean" come from these.
    struct Option {
        let name: String
        let value: String?
        let help: String
    }

    static let globalOptions = [
        Option(name: "seed", value: "N", help: "session seed (default 0)"),
        Option(name: "threads", value: "N", help: "threads for the numerical kernels (default: all cores); results are reproducible for a given count"),
        Option(name: "no-record", value: nil, help: "do not record the interactive session"),
    ]
    static let runOptions = [
        Option(name: "check", value: nil, help: "compare every output with the recording; differences are reported by line"),
        Option(name: "allow-writes-anywhere", value: nil, help: "let the replayed session write outside the current folder"),
    ]

    /// `lethe run`'s and `lethe export`'s synopses, built from their options: the usage and the errors quote them.
    static var runSynopsis: String {
        "lethe run FILE|- " + runOptions.map { "[--\($0.name)\($0.value.map { " " + $0 } ?? "")]" }.joined(separator: " ")
    }
    static let exportSynopsis = "lethe export SESSION FILE.ipynb"

    /// `lethe`'s ways of running, declared once.
    static var modes: [(synopsis: String, what: String)] {
        [("lethe [OPTIONS]", "interactive shell (reads commands from stdin when it is not a terminal)"),
         (runSynopsis.replacingOccurrences(of: "lethe run", with: "lethe [OPTIONS] run"), "replay a recorded session"),
         (exportSynopsis, "convert a recorded session to a Jupyter notebook"),
         ("lethe [OPTIONS] COMMAND [ARGS...]", "run one shell command (e.g. lethe pretrain ..., lethe bench sgemm)")]
    }

    static var usage: String {
        func list(_ options: [Option]) -> String {
            options.map { "  --\($0.name)\($0.value.map { " " + $0 } ?? "")".padding(toLength: 28, withPad: " ", startingAt: 0) + $0.help }.joined(separator: "\n")
        }
        let column = 44
        let synopses = modes.enumerated().map { index, mode in
            let lead = (index == 0 ? "usage: " : "       ") + mode.synopsis
            return lead.count < column ? lead.padding(toLength: column, withPad: " ", startingAt: 0) + mode.what
                                       : lead + "\n" + String(repeating: " ", count: column) + mode.what
        }
        return (synopses + ["options:", list(globalOptions), "run options:", list(runOptions)]).joined(separator: "\n")
    }

    /// Options parsed from the front of the arguments (or from `run`'s arguments).
    struct Parsed {
        var seed: UInt64 = 0
        var threads: Int?
        var record = true
        var check = false
        var writesAnywhere = false
        var positionals: [String] = []
    }

    struct CommandLineError: Error { let message: String }

    /// Parses `arguments` against `options`. With `stopAtPositional`, parsing stops at the first word
    /// that is not an option (the rest belongs to a shell command).
    static func parse(_ arguments: [String], options: [Option], into parsed: inout Parsed, stopAtPositional: Bool) throws -> [String] {
        var i = 0
        while i < arguments.count {
            let word = arguments[i]
            guard word.hasPrefix("-") && word != "-" else {
                if stopAtPositional { return Array(arguments[i...]) }
                parsed.positionals.append(word); i += 1; continue
            }
            let name = String(word.drop { $0 == "-" })
            guard let option = options.first(where: { $0.name == name }) else {
                let ranked = options.map { ($0.name, EditDistance.between($0.name, name)) }.filter { $0.1 <= 3 }.sorted { $0.1 < $1.1 }
                throw CommandLineError(message: "unknown option \(word)" + (ranked.first.map { " (did you mean --\($0.0)?)" } ?? "") + "; see lethe --help")
            }
            var value: String?
            if let placeholder = option.value {
                guard i + 1 < arguments.count else { throw CommandLineError(message: "--\(name) expects \(placeholder)") }
                value = arguments[i + 1]; i += 1
            }
            switch name {
            case "seed":
                guard let v = value.flatMap(UInt64.init) else { throw CommandLineError(message: "--seed expects a non-negative whole number, got '\(value ?? "")'") }
                parsed.seed = v
            case "threads":
                guard let v = value.flatMap(Int.init), (1...Threads.maximum).contains(v) else {
                    throw CommandLineError(message: "--threads expects a whole number from 1 to \(Threads.maximum), got '\(value ?? "")'")
                }
                parsed.threads = v
            case "no-record": parsed.record = false
            case "check": parsed.check = true
            case "allow-writes-anywhere": parsed.writesAnywhere = true
            default: break
            }
            i += 1
        }
        return []
    }

    /// Runs `lethe` with `arguments` (without the program name); returns the exit status.
    public static func run(_ arguments: [String]) -> Int32 {
        if arguments.first == "-h" || arguments.first == "--help" { print(usage); return 0 }
        var parsed = Parsed()
        let rest: [String]
        do { rest = try parse(arguments, options: globalOptions, into: &parsed, stopAtPositional: true) }
        catch let e as CommandLineError { printError(e.message); return 2 } catch { printError("\(error)"); return 2 }
        if let threads = parsed.threads { Threads.count = threads } else { Threads.count = Threads.count }   // applies the default to OpenBLAS too
        Memory.retainFreedPages()
        Interrupt.install()
        let terminal = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1

        switch rest.first {
        case nil:
            let shell = Shell(session: Session(seed: parsed.seed), isTerminal: isatty(STDOUT_FILENO) == 1)
            return terminal ? interactive(shell, record: parsed.record) : script(shell, lines: readAllStdin())
        case "run":
            if rest.contains("--help") || rest.contains("-h") { print(usage); return 0 }
            do { _ = try parse(Array(rest.dropFirst()), options: globalOptions + runOptions, into: &parsed, stopAtPositional: false) }
            catch let e as CommandLineError { printError("run: " + e.message); return 2 } catch { printError("\(error)"); return 2 }
            if let threads = parsed.threads { Threads.count = threads }
            return replay(parsed)
        case "export":
            guard rest.count == 3 else { printError("usage: " + exportSynopsis); return 2 }
            do { try Notebook.export(script: rest[1], to: rest[2]); print("wrote \(rest[2])"); return 0 }
            catch { printError(Shell.message(for: error)); return 1 }
        default:
            let shell = Shell(session: Session(seed: parsed.seed), isTerminal: isatty(STDOUT_FILENO) == 1)
            let line = rest.map(LineSplitter.quote).joined(separator: " ")
            shell.execute(line)
            return shell.errorCount == 0 ? 0 : 1
        }
    }

    static func interactive(_ shell: Shell, record: Bool) -> Int32 {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "."
        try? FileManager.default.createDirectory(atPath: home + "/.lethe", withIntermediateDirectories: true)
        let reader = LineReader(historyPath: home + "/.lethe/history")
        Completion.source = CompletionSource(
            models: {
                let installed = (try? FileManager.default.contentsOfDirectory(atPath: DataPaths.resolve("models"))) ?? []
                let shipped = installed.filter { FileManager.default.fileExists(atPath: DataPaths.resolve("models/\($0)/tf_model.h5")) }
                return Array(Set(shell.session.models.keys).union(shipped)).sorted()
            },
            snapshots: { shell.session.snapshots.keys.sorted() },
            layers: { shell.session.currentName.flatMap { shell.session.models[$0]?.config.layerCount } })
        if record {
            do {
                try shell.startRecording(inFolder: Recorder.defaultFolder)
                print("Lethe — recording this session to \(shell.recordingPath ?? "?") (help for commands, %quit or Ctrl-D to leave)")
            } catch { printError("cannot record the session: \(Shell.message(for: error))") }
        }
        var pending = ""   // the lines so far of a command continued with a trailing backslash
        while !shell.quitRequested {
            let prompt = pending.isEmpty ? "lethe[\(shell.executionCount + 1)]> " : "   ...> "
            switch reader.readLine(prompt: prompt) {
            case .endOfInput:
                print("")
                return 0
            case .interrupted:
                pending = ""
                continue   // Ctrl-C at the prompt clears the line, as in IPython; the session goes on
            case .line(let line):
                if let continued = continuation(line) { pending += continued; continue }
                Interrupt.reset()
                shell.execute(pending + line)
                pending = ""
            }
        }
        return 0
    }

    /// A line ending in a backslash continues on the next one (the backslash becomes a space).
    static func continuation(_ line: String) -> String? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix("\\"), !trimmed.hasSuffix("\\\\") else { return nil }
        return String(trimmed.dropLast()) + " "
    }

    /// Script lines with backslash continuations joined.
    static func joinContinuations(_ lines: [String]) -> [String] {
        var out: [String] = [], pending = ""
        for line in lines {
            if let continued = continuation(line) { pending += continued } else { out.append(pending + line); pending = "" }
        }
        if !pending.isEmpty { out.append(pending) }
        return out
    }

    static func script(_ shell: Shell, lines: [String]) -> Int32 {
        for line in joinContinuations(lines) {
            if shell.quitRequested || Interrupt.isRequested { break }
            shell.execute(line)
            if shell.errorCount > 0 { return 1 }   // a script stops at its first error
        }
        return 0
    }

    static func replay(_ options: Parsed) -> Int32 {
        guard options.positionals.count == 1, let file = options.positionals.first else {
            printError(options.positionals.isEmpty ? "usage: " + runSynopsis
                       : "run: expected one session file, got \(options.positionals.count): \(options.positionals.joined(separator: " "))")
            return 2
        }
        let text: String
        if file == "-" {
            text = readAllStdin().joined(separator: "\n")
        } else {
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                var isDirectory: ObjCBool = false
                let exists = FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory)
                printError("cannot read session \(file) (" + (!exists ? "no such file" : isDirectory.boolValue ? "it is a folder" : "not readable UTF-8 text") + ")")
                return 1
            }
        }
        // The thread count the session was recorded with, unless --threads says otherwise: the same
        // script, seed and thread count give the same numbers.
        if options.threads == nil, let recorded = SessionScript.recordedThreads(of: text), (1...Threads.maximum).contains(recorded),
           recorded != Threads.count {
            Threads.count = recorded
            printError("replaying with \(recorded) thread(s), as \(file) was recorded (--threads N overrides)")
        }
        let session = Session(seed: options.seed)
        if !options.writesAnywhere { session.writePolicy = .currentFolder }
        let shell = Shell(session: session, isTerminal: isatty(STDOUT_FILENO) == 1)
        do {
            let items = try SessionScript.parse(text)
            let differences = Replay.run(items, in: shell, check: options.check)
            if !session.refusedWrites.isEmpty {
                printError("refused \(session.refusedWrites.count) write(s) outside the current folder: \(session.refusedWrites.joined(separator: ", ")) (--allow-writes-anywhere allows them)")
            }
            if Interrupt.isRequested { printError("interrupted; \(file) was not replayed to the end"); return 130 }
            if options.check {
                let commands = items.filter { $0.kind == .command }.count
                guard commands > 0 else { printError("check failed: \(file) has no commands to compare"); return 1 }
                if differences.isEmpty && !session.refusedWrites.isEmpty {
                    printError("check failed: the outputs match, but writes were refused"); return 1
                }
                if differences.isEmpty {
                    print("check passed: \(commands) commands match \(file)")
                    return 0
                }
                for d in differences { printError("\(file):\(d.description)") }
                printError("check failed: \(differences.count) difference(s)")
                // Training amplifies differences in the last bit: name the likely cause when the setting differs.
                if let recorded = SessionScript.numericalSetting(of: text), recorded != Threads.numericalSetting {
                    printError("note: \(file) was recorded with \(recorded); this run uses \(Threads.numericalSetting), so trained numbers differ in rounding")
                }
                return 1
            }
            return shell.errorCount == 0 ? 0 : 1
        } catch {
            printError(Shell.message(for: error)); return 1
        }
    }

    static func readAllStdin() -> [String] {
        var lines: [String] = []
        while let line = Swift.readLine(strippingNewline: true) { lines.append(line) }
        return lines
    }

    static func printError(_ s: String) { try? FileHandle.standardError.write(contentsOf: Data(("lethe: " + s + "\n").utf8)) }
}
