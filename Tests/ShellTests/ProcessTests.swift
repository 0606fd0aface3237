// ProcessTests.swift — the `lethe` executable as a user runs it: piped scripts, `lethe run --check`,
// exit statuses, and a pseudo-terminal session (line editing, completion, history).
import Foundation
import Testing

@Suite("The lethe executable")
struct ProcessTests {
    @Test func scriptOnStandardInput() throws {
        let (status, out, _) = try runLethe(["--no-record"], input: "load model \(TestModel.path) --name m\n" + #"tokenize "Hello world" --json"# + "\n")
        #expect(status == 0)
        #expect(out.contains(#"{"ids":[15496,995]}"#))
        let (failed, failedOut, _) = try runLethe(["--no-record"], input: "load model /missing.h5 --json\ntokenize never\n")
        #expect(failed != 0)
        #expect(failedOut.contains(#"{"error":"/missing.h5: no such file"}"#) && !failedOut.contains("tokens"))
    }

    @Test func runCheckPassesAndReportsAlterations() throws {
        let session = temporaryPath("s.lethe")
        try """
        ## A recorded session
        load model \(TestModel.path) --name m
        tokenize "Hello world"
        """.write(toFile: session, atomically: true, encoding: .utf8)
        // Record the outputs by replaying into a notebook-free script: run it, then write expected lines.
        let (status, out, _) = try runLethe(["run", session])
        #expect(status == 0)
        let recorded = """
        ## A recorded session
        load model \(TestModel.path) --name m
        \(out.split(separator: "\n").filter { $0.hasPrefix("loaded") }.map { "#> " + $0 }.joined(separator: "\n"))
        tokenize "Hello world"
        #> 2 tokens: 15496 995
        #> [Hello][·world]
        """
        try recorded.write(toFile: session, atomically: true, encoding: .utf8)
        let (ok, okOut, okErr) = try runLethe(["run", session, "--check"])
        #expect(ok == 0, "\(okOut) \(okErr)")
        try recorded.replacingOccurrences(of: "15496 995", with: "15496 996").write(toFile: session, atomically: true, encoding: .utf8)
        let (bad, _, badErr) = try runLethe(["run", session, "--check"])
        #expect(bad == 1)
        #expect(badErr.contains("\(session):line 5: expected «2 tokens: 15496 996», got «2 tokens: 15496 995»"), "\(badErr)")
        let (stdinStatus, stdinOut, _) = try runLethe(["run", "-", "--check"], input: recorded)
        #expect(stdinStatus == 0 && stdinOut.contains("check passed"))
    }

    @Test func exportWritesANotebook() throws {
        let session = temporaryPath("e.lethe"), notebook = temporaryPath("e.ipynb")
        try "%md Hello\ntokenize \"x\"\n#> 1 tokens: 87\n#> [x]\n".write(toFile: session, atomically: true, encoding: .utf8)
        let (status, _, _) = try runLethe(["export", session, notebook])
        #expect(status == 0)
        let text = try String(contentsOfFile: notebook, encoding: .utf8)
        #expect(text.contains(#""nbformat_minor":5"#) && text.contains(#""source":"tokenize \"x\"""#))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/script")))
    func pseudoTerminalCompletionAndHistory() throws {
        // "toke<TAB>" must complete to "tokenize".
        let home = temporaryFolder()
        let (_, output) = try onPseudoTerminal(["toke\t \"Hello world\"\n", "%quit\n"], arguments: "", home: home)
        #expect(output.contains("lethe[1]>"), "no prompt on a terminal: \(output)")
        #expect(output.contains("2 tokens: 15496 995"), "completion did not produce `tokenize`: \(output)")
        let history = try String(contentsOfFile: home + "/.lethe/history", encoding: .utf8)
        #expect(history.contains("tokenize"))
        // An interactive session records itself under ~/.lethe/sessions, never into the project's sessions/.
        let recordings = try FileManager.default.contentsOfDirectory(atPath: home + "/.lethe/sessions").filter { $0.hasSuffix(".lethe") }
        #expect(recordings.count == 1)
        let recorded = try String(contentsOfFile: home + "/.lethe/sessions/" + (recordings.first ?? ""), encoding: .utf8)
        #expect(recorded.contains("\"Hello world\"") && recorded.contains("#> 2 tokens: 15496 995"), "\(recorded)")
    }

    /// On a terminal: a trailing backslash continues the command on a "...>" line, and Tab completes a
    /// loaded model's name after `use` (the session feeds completion).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/script")))
    func pseudoTerminalContinuationAndModelCompletion() throws {
        let (_, output) = try onPseudoTerminal(["tokenize \\\n", "\"Hello world\"\n", "load model \(TestModel.path) --name keptmodel\n",
                                                "use kept\t\n", "%quit\n"])
        #expect(output.contains("...>"), "no continuation prompt: \(output)")
        #expect(output.contains("2 tokens: 15496 995"), "the continued line did not run as one command: \(output)")
        #expect(output.contains("using keptmodel"), "Tab did not complete the model's name: \(output)")
    }

    /// Runs `lethe` on a pseudo-terminal (via `script`), typing `chunks` with a pause after each.
    private func onPseudoTerminal(_ chunks: [String], arguments: String = "--no-record", home: String = temporaryFolder()) throws -> (Int32, String) {
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        // A pty made from a non-terminal stdin may have no interrupt character: give it Ctrl-C, as a terminal has.
        process.arguments = ["-qec", "stty isig intr '^C'; exec \(letheExecutable) \(arguments)", "/dev/null"]
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home
        env["TERM"] = "xterm"
        process.environment = env
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        Thread.sleep(forTimeInterval: 1)
        for chunk in chunks {
            try? stdin.fileHandleForWriting.write(contentsOf: Data(chunk.utf8))
            Thread.sleep(forTimeInterval: 0.7)
        }
        try stdin.fileHandleForWriting.close()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    /// A real SIGINT in the middle of a long attack stops it at its next step, and the shell goes on
    /// with its models (the in-process tests simulate the flag; this one sends the key).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/script")))
    func ctrlCInsideAFinetuneStopsItAndKeepsTheShell() throws {
        let (status, output) = try onPseudoTerminal(["load model \(TestModel.path) --name kept\n",
                                                     "finetune --train-limit 8 --test-limit 4 --epochs 100000 --max-tokens 16\n",
                                                     "\u{03}", "models\n", "quit\n"])
        #expect(status == 0)
        // The key may land in a training step or in the test after one.
        #expect(output.contains("error: finetune: stopped at step") || output.contains("error: finetune: stopped while testing after step"),
                "Ctrl-C did not stop the attack: \(output)")
        #expect(output.contains("* kept"), "Ctrl-C lost the session: \(output)")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/script")))
    func ctrlCAtThePromptKeepsTheShellAndItsModels() throws {
        let (status, output) = try onPseudoTerminal(["load model \(TestModel.path) --name kept\n", "tokenize half typed", "\u{03}",
                                                     "\u{03}", "models\n", "quit\n"])
        #expect(status == 0)
        #expect(output.contains("^C"), "\(output)")
        #expect(output.contains("* kept"), "Ctrl-C lost the session: \(output)")
        #expect(!output.contains("half typed\r\n2 tokens") && !output.contains("3 tokens"), "the abandoned line ran: \(output)")
    }
}
