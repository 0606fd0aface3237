// Entry.swift — `lethe` from the command line: the REPL, script replay, export, and one-shot commands.
import Autograd
import Foundation
import GPT2
import Procedures

public enum LetheMain {
    static let usage = """
    usage: lethe                          interactive shell (reads commands from stdin when it is not a terminal)
           lethe run FILE|- [--check]     replay a recorded session; --check compares outputs with the recording
           lethe export SESSION FILE.ipynb  convert a recorded session to a Jupyter notebook
           lethe COMMAND [ARGS...]        run one shell command (e.g. lethe pretrain ..., lethe bench sgemm)
    options: --seed N (session seed, default 0), --threads N, --no-record
    """

    /// Runs `lethe` with `arguments` (without the program name); returns the exit status.
    public static func run(_ arguments: [String]) -> Int32 {
        var args = arguments
        var seed: UInt64 = 0
        var record = true
        if let i = args.firstIndex(of: "--seed") {
            guard i + 1 < args.count, let s = UInt64(args[i + 1]) else { printError("--seed expects a non-negative whole number"); return 2 }
            seed = s; args.removeSubrange(i...(i + 1))
        }
        if let i = args.firstIndex(of: "--threads") {
            guard i + 1 < args.count, let n = Int(args[i + 1]), n > 0 else { printError("--threads expects a positive whole number"); return 2 }
            Threads.count = n; args.removeSubrange(i...(i + 1))
        } else {
            Threads.count = Threads.count   // apply the default to OpenBLAS as well
        }
        if let i = args.firstIndex(of: "--no-record") { record = false; args.remove(at: i) }
        Memory.retainFreedPages()
        Interrupt.install()
        let terminal = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        let shell = Shell(session: Session(seed: seed), isTerminal: isatty(STDOUT_FILENO) == 1)

        switch args.first {
        case nil:
            return terminal ? interactive(shell, record: record) : script(shell, lines: readAllStdin())
        case "-h", "--help":
            print(usage); return 0
        case "run":
            return replay(shell, Array(args.dropFirst()))
        case "export":
            guard args.count == 3 else { printError("usage: lethe export SESSION FILE.ipynb"); return 2 }
            do { try Notebook.export(script: args[1], to: args[2]); print("wrote \(args[2])"); return 0 }
            catch { printError(Shell.message(for: error)); return 1 }
        default:
            let line = args.map(LineSplitter.quote).joined(separator: " ")
            shell.execute(line)
            return shell.errorCount == 0 ? 0 : 1
        }
    }

    static func interactive(_ shell: Shell, record: Bool) -> Int32 {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "."
        try? FileManager.default.createDirectory(atPath: home + "/.lethe", withIntermediateDirectories: true)
        let reader = LineReader(historyPath: home + "/.lethe/history")
        if record {
            let path = Recorder.defaultPath()
            do { try shell.startRecording(to: path); print("Lethe — recording this session to \(path) (help for commands, %quit to leave)") }
            catch { printError("cannot record the session: \(Shell.message(for: error))") }
        }
        while !shell.quitRequested {
            let prompt = "lethe[\(shell.executionCount + 1)]> "
            guard let line = reader.readLine(prompt: prompt) else { print(""); break }
            Interrupt.reset()
            shell.execute(line)
        }
        return 0
    }

    static func script(_ shell: Shell, lines: [String]) -> Int32 {
        for line in lines {
            if shell.quitRequested || Interrupt.isRequested { break }
            shell.execute(line)
            if shell.errorCount > 0 { return 1 }   // a script stops at its first error
        }
        return 0
    }

    static func replay(_ shell: Shell, _ args: [String]) -> Int32 {
        if args.contains("--help") || args.contains("-h") { print(usage); return 0 }
        let check = args.contains("--check")
        guard let file = args.first(where: { $0 != "--check" }) else { printError("usage: lethe run FILE|- [--check]"); return 2 }
        let text: String
        if file == "-" {
            text = readAllStdin().joined(separator: "\n")
        } else {
            guard let t = try? String(contentsOfFile: file, encoding: .utf8) else { printError("cannot read session \(file)"); return 1 }
            text = t
        }
        do {
            let items = try SessionScript.parse(text)
            let differences = Replay.run(items, in: shell, check: check)
            if check {
                if differences.isEmpty {
                    print("check passed: \(items.filter { $0.kind == .command }.count) commands match \(file)")
                    return 0
                }
                for d in differences { printError("\(file):\(d.description)") }
                printError("check failed: \(differences.count) difference(s)")
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
