// ReliabilityTests.swift — what a careless or hostile user found (issue "Reliability and security"):
// each test failed before its fix. Interrupts are simulated with `Interrupt.request(afterPolls:)`.
import Foundation
import GPT2
import Procedures
import Shell
import Testing

@Suite("Reliability: interrupts, recording, replay, writes", .serialized)
struct ReliabilityTests {
    // MARK: 2, 3 — Ctrl-C in measurement loops, and how an interrupted command is recorded

    @Test func measurementLoopsStopAtCtrlC() throws {
        let shell = CapturingShell()
        Interrupt.request(afterPolls: 1)
        let out = shell.run(#"score "It was a dark and stormy night, and the rain fell in torrents.""#)
        Interrupt.request(afterPolls: 0)
        #expect(out.contains("error: evaluation: stopped after 0 of 1 windows"), "\(out)")
        #expect(!out.contains("perplexity"))
    }

    @Test func aStoppedFinetuneShowsWhatItMeasured() throws {
        // Stop at the k-th look at Ctrl-C, for growing k, until the stop falls in the second attack.
        let command = "finetune --sweep --optimizers sgd,adamw --lrs 1e-3 --train-limit 8 --test-limit 4 --epochs 1 --max-tokens 16"
        var shown: String?
        for polls in 1...200 where shown == nil {
            let shell = CapturingShell()
            Interrupt.request(afterPolls: polls)
            let out = shell.run(command)
            Interrupt.request(afterPolls: 0)
            if !out.contains("error:") { break }   // finished before the k-th look: no stop left to place
            if out.contains("the 1 attack(s) finished before the stop") { shown = out }
        }
        let out = try #require(shown, "no stop fell inside the second attack")
        #expect(out.contains("sgd lr 0.001") && out.contains("best"))   // the first attack's row of the table
        #expect(!out.contains("adamw lr 0.001  "))
    }

    @Test func interruptedCommandIsRecordedAsInterruptedAndReplaysSkippingIt() throws {
        let path = temporaryPath("interrupted.lethe")
        let shell = CapturingShell()
        try shell.shell.startRecording(to: path)
        shell.run(#"tokenize "before""#)
        Interrupt.request(afterPolls: 1)
        shell.run(#"score "stopped before it could print anything""#)
        Interrupt.request(afterPolls: 0)
        shell.run(#"tokenize "after""#)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("#^ score \"stopped before it could print anything\"\n#! evaluation: stopped after 0 of 1 windows"), "\(text)")
        let items = try SessionScript.parse(text)
        #expect(items.map(\.kind) == [.meta, .command, .interrupted, .command])
        let replay = CapturingShell()
        #expect(Replay.run(items, in: replay.shell, check: true).isEmpty)
        #expect(!replay.output.contains("perplexity"), "the interrupted command must not run on replay")
    }

    @Test func interruptedCommandWithWorkKeptReplaysWhatRan() throws {
        let script = """
        #^ tokenize "one two three"
        #^= tokenize "one"
        #~ (whatever it printed)
        #! stopped
        tokenize "two"
        #> 1 tokens: 11545
        #> [two]
        """
        let items = try SessionScript.parse(script)
        #expect(items.first?.replayAs == #"tokenize "one""#)
        let replay = CapturingShell()
        #expect(Replay.run(items, in: replay.shell, check: true).isEmpty)
        #expect(replay.output.contains("1 tokens: 505") && !replay.output.contains("3 tokens"), "\(replay.output)")
        // The replacement line keeps the command's flags and swaps only the count.
        let arguments = try Arguments(["50", "--every", "50", "--out", "a b.h5"], info: CommandInfo(name: "sophon run", abstract: "",
                                      flags: [FlagInfo("every", value: "K", ""), FlagInfo("out", value: "P", "")]))
        #expect(arguments.commandLine(replacingFirstPositionalWith: "12") == #"sophon run 12 --every 50 --out "a b.h5""#)
        #expect(arguments.commandLine(setting: "every", to: "7") == #"sophon run 50 --every 7 --out "a b.h5""#)
        #expect(arguments.commandLine(setting: "stop-at", to: "3") == #"sophon run 50 --every 50 --out "a b.h5" --stop-at 3"#)
    }

    // MARK: 4, 5 — line endings

    @Test func crlfSessionReplaysItsCommandsAndAnEmptyCheckFails() throws {
        let folder = temporaryFolder()
        let unix = "## CRLF\ntokenize \"two\"\n#> 1 tokens: 11545\n#> [two]\n"
        try unix.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: folder + "/crlf.lethe", atomically: true, encoding: .utf8)
        let (status, out, err) = try runLethe(["run", "crlf.lethe", "--check"], directory: folder)
        #expect(status == 0 && out.contains("check passed: 1 commands"), "\(out) \(err)")
        try "## only notes\n# nothing else\n".write(toFile: folder + "/empty.lethe", atomically: true, encoding: .utf8)
        let (emptyStatus, _, emptyErr) = try runLethe(["run", "empty.lethe", "--check"], directory: folder)
        #expect(emptyStatus == 1 && emptyErr.contains("has no commands to compare"), "\(emptyErr)")
        let (exportStatus, _, _) = try runLethe(["export", "crlf.lethe", "crlf.ipynb"], directory: folder)
        let notebook = try String(contentsOfFile: folder + "/crlf.ipynb", encoding: .utf8)
        #expect(exportStatus == 0 && notebook.contains(#""source":"tokenize \"two\"""#))
    }

    @Test func controlCharactersInOutputsStayOnTheirLine() throws {
        let path = temporaryPath("crlf-output.lethe")
        let shell = CapturingShell()
        try shell.shell.startRecording(to: path)
        shell.run(#"tokenize "a\r\nb""#)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        let command = try #require(lines.firstIndex(of: #"tokenize "a\r\nb""#))
        #expect(lines[(command + 1)...].allSatisfy { $0.hasPrefix("#> ") }, "\(lines)")
        #expect(!text.contains("\r"))
        #expect(Replay.run(try SessionScript.parse(text), in: CapturingShell().shell, check: true).isEmpty)
    }

    // MARK: 6, 7 — session files

    @Test func twoShellsStartedTogetherRecordToDifferentFiles() throws {
        let folder = temporaryFolder()
        let now = Date()
        let first = CapturingShell(), second = CapturingShell()
        try first.shell.startRecording(inFolder: folder, now: now)
        try second.shell.startRecording(inFolder: folder, now: now)
        #expect(first.shell.recordingPath != second.shell.recordingPath)
        first.run(#"tokenize "one""#)
        second.run(#"tokenize "two""#)
        let a = try String(contentsOfFile: try #require(first.shell.recordingPath), encoding: .utf8)
        let b = try String(contentsOfFile: try #require(second.shell.recordingPath), encoding: .utf8)
        #expect(a.contains("one") && !a.contains("two") && b.contains("two") && !b.contains("one"))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func aFailedRecordingWriteIsReportedAndTheSessionGoesOn() throws {
        let shell = CapturingShell()
        let out = shell.run("%record /dev/full", #"tokenize "still here""#)
        #expect(out.contains("error: recording to /dev/full failed (No space left on device)"), "\(out)")
        #expect(out.contains("2 tokens"))
    }

    // MARK: 10, 11, 14 — meta-commands and JSON

    @Test func scriptThatRunsItselfStops() throws {
        let path = temporaryPath("self.lethe")
        try "%run \(path)\n".write(toFile: path, atomically: true, encoding: .utf8)
        let shell = CapturingShell()
        let out = shell.run("%run \(path)", #"tokenize "alive""#)
        #expect(out.contains("scripts nested more than 8 deep"), "\(out)")
        #expect(out.contains("2 tokens: 282 425"))
    }

    @Test func quotingErrorStillAnswersInJSON() {
        let out = CapturingShell().run(#"generate "Hi --json"#)
        #expect(out == #"{"error":"unclosed double quote"}"# + "\n", "\(out)")
    }

    @Test func metaCommandsUnquoteTheirArguments() throws {
        let folder = temporaryFolder()
        let shell = CapturingShell()
        shell.run(#"tokenize "x""#, #"%save "\#(folder)/my notes.lethe""#, #"%notebook "\#(folder)/a.ipynb""#)
        #expect(FileManager.default.fileExists(atPath: folder + "/my notes.lethe"))
        #expect(FileManager.default.fileExists(atPath: folder + "/a.ipynb"), "\(shell.output)")
        #expect(shell.output.contains("wrote notebook"))
    }

    @Test func aMistypedFlagSuggestsTheNearestOne() {
        let out = CapturingShell().run(#"generate "Hi" --max-token 3"#)
        #expect(out.contains("error: generate: unknown flag --max-token (did you mean --max-tokens?)"), "\(out)")
        #expect(CapturingShell().run("%notbook x.ipynb").contains("unknown meta-command %notbook (did you mean %notebook?)"))
    }

    @Test func ipythonHabits() throws {
        let shell = CapturingShell()
        #expect(shell.run("generate?").contains("usage: generate"))
        #expect(shell.run("?load model").contains("usage: load model"))
        #expect(shell.run("tokenize why?").contains("2 tokens"))   // not a command name: tokenized
        shell.run(#"tokenize "a""#, #"tokenize "b""#, #"tokenize "c""#)
        let lastTwo = shell.run("%history 2")
        #expect(lastTwo.contains(#"tokenize "b""#) && lastTwo.contains(#"tokenize "c""#) && !lastTwo.contains(#"tokenize "a""#), "\(lastTwo)")
        let range = shell.run("%history 4-4")   // help, help, tokenize why?, then a = 4
        #expect(range.contains(#"tokenize "a""#) && !range.contains(#"tokenize "b""#), "\(range)")
        let path = temporaryPath("part.lethe")
        #expect(shell.run("%save \(path) 5-6").contains("saved 2 cells"))
        let saved = try String(contentsOfFile: path, encoding: .utf8)
        #expect(saved.contains(#"tokenize "b""#) && saved.contains(#"tokenize "c""#) && !saved.contains(#"tokenize "a""#))
        #expect(shell.run("%seed").contains("seed 0"))
        let (status, out, _) = try runLethe(["--no-record"], input: "tokenize \\\n  \"Hello world\"\n")
        #expect(status == 0 && out.contains("2 tokens: 15496 995"), "\(out)")
    }

    @Test func exitAndQuitLeaveLikeQuitMeta() {
        for word in ["exit", "quit", "%exit", "%quit"] {
            let shell = CapturingShell()
            shell.run(word)
            #expect(shell.shell.quitRequested, "\(word)")
        }
    }

    // MARK: 12, 17 — `lethe run`'s arguments and what a replayed session may write

    @Test func aReplayUsesTheThreadCountItWasRecordedWith() throws {
        let folder = temporaryFolder()
        try "# Lethe session\n# recorded with OpenBLAS Haswell kernels, 1 threads\n%seed 0\ntokenize \"two\"\n#> 1 tokens: 11545\n#> [two]\n"
            .write(toFile: folder + "/one.lethe", atomically: true, encoding: .utf8)
        let (status, out, err) = try runLethe(["--threads", "2", "run", "one.lethe", "--check"], directory: folder)
        #expect(status == 0 && !err.contains("replaying with"), "\(out) \(err)")   // --threads given: kept
        let (plain, _, plainErr) = try runLethe(["run", "one.lethe", "--check"], directory: folder)
        #expect(plain == 0)
        #expect(ProcessInfo.processInfo.activeProcessorCount == 1 || plainErr.contains("replaying with 1 thread(s), as one.lethe was recorded"), "\(plainErr)")
        #expect(SessionScript.recordedThreads(of: "# x\n# recorded with OpenBLAS Zen kernels, 12 threads\n") == 12)
    }

    @Test func unknownRunArgumentsAreErrors() throws {
        let folder = temporaryFolder()
        try "tokenize \"a\"\n".write(toFile: folder + "/s.lethe", atomically: true, encoding: .utf8)
        let (status, _, err) = try runLethe(["run", "s.lethe", "--chek"], directory: folder)
        #expect(status == 2 && err.contains("unknown option --chek (did you mean --check?)"), "\(err)")
        let (extra, _, extraErr) = try runLethe(["run", "s.lethe", "other.lethe"], directory: folder)
        #expect(extra == 2 && extraErr.contains("expected one session file, got 2"), "\(extraErr)")
        let (thread, _, threadErr) = try runLethe(["--thread", "1", "run", "s.lethe"], directory: folder)
        #expect(thread == 2 && threadErr.contains("did you mean --threads?"), "\(threadErr)")
    }

    @Test func replayedSessionWritesOnlyUnderTheCurrentFolder() throws {
        let folder = temporaryFolder(), elsewhere = temporaryFolder()
        let script = """
        load model \(TestModel.path) --name m
        save inside/model.h5
        save \(elsewhere)/outside.h5
        save ../escape.h5
        """
        try script.write(toFile: folder + "/writes.lethe", atomically: true, encoding: .utf8)
        let (status, out, err) = try runLethe(["run", "writes.lethe"], directory: folder)
        #expect(status == 1)
        #expect(FileManager.default.fileExists(atPath: folder + "/inside/model.h5"), "\(out) \(err)")
        #expect(!FileManager.default.fileExists(atPath: elsewhere + "/outside.h5"))
        #expect(out.contains("error: save: refused to write \(elsewhere)/outside.h5"), "\(out)")
        #expect(out.contains("error: save: refused to write ../escape.h5"), "\(out)")
        #expect(err.contains("refused 2 write(s) outside the current folder: \(elsewhere)/outside.h5, ../escape.h5"), "\(err)")
        let (allowed, _, allowedErr) = try runLethe(["run", "writes.lethe", "--allow-writes-anywhere"], directory: folder)
        #expect(allowed == 0, "\(allowedErr)")
        #expect(FileManager.default.fileExists(atPath: elsewhere + "/outside.h5"))
        // `..` and symbolic links out of the folder are refused too.
        let session = Session(seed: 0)
        session.writePolicy = .under(folder)
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: elsewhere)
        #expect(throws: UsageError.self) { try session.writablePath(folder + "/link/x.h5", for: "save") }
        #expect(throws: UsageError.self) { try session.writablePath(folder + "/inside/../../x.h5", for: "save") }
        #expect(throws: UsageError.self) { try session.writablePath(folder + "/new/../../x.h5", for: "save") }
        #expect(try session.writablePath(folder + "/new/deeper/x.h5", for: "save") == folder + "/new/deeper/x.h5")
    }

    @Test func aReplayedSessionNeitherAppendsToFilesNorWritesHiddenOnes() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/.git", withIntermediateDirectories: true)
        try "[core]\n".write(toFile: folder + "/.git/config", atomically: true, encoding: .utf8)
        try "keep me\n".write(toFile: folder + "/notes.txt", atomically: true, encoding: .utf8)
        let script = """
        %record .git/config
        %record notes.txt
        %save .envrc
        tokenize "x"
        #> 1 tokens: 87
        #> [x]
        """
        try script.write(toFile: folder + "/hostile.lethe", atomically: true, encoding: .utf8)
        let (status, out, err) = try runLethe(["run", "hostile.lethe", "--check"], directory: folder)
        #expect(status == 1, "outputs match, but refused writes must fail the check: \(out) \(err)")
        #expect(out.contains("refused to write .git/config: a replayed session does not write hidden files"), "\(out)")
        #expect(out.contains("cannot record to") && out.contains("notes.txt (File exists)"), "\(out)")
        #expect(try String(contentsOfFile: folder + "/.git/config", encoding: .utf8) == "[core]\n")
        #expect(try String(contentsOfFile: folder + "/notes.txt", encoding: .utf8) == "keep me\n")
        #expect(!FileManager.default.fileExists(atPath: folder + "/.envrc"))
        #expect(err.contains("check failed: the outputs match, but writes were refused"), "\(err)")
        let (threads, _, threadsErr) = try runLethe(["--threads", "3000000000", "run", "hostile.lethe"], directory: folder)
        #expect(threads == 2 && threadsErr.contains("--threads expects a whole number from 1 to 1024"), "\(threadsErr)")
    }

    // MARK: 13 — atomic save

    @Test func saveNeverWritesThroughPlantedLinksOrOverDevices() throws {
        let folder = temporaryFolder()
        let victim = folder + "/victim.txt"
        try "precious".write(toFile: victim, atomically: true, encoding: .utf8)
        // The old temporary name was predictable: a link planted there must not be written through.
        let shell = CapturingShell()
        try FileManager.default.createSymbolicLink(atPath: "\(folder)/.model.h5.tmp-\(getpid())", withDestinationPath: victim)
        let saved = shell.run("save \(folder)/model.h5")
        #expect(saved.contains("saved gpt2-mini to"), "\(saved)")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
        // A link or a device node as the target is refused, not replaced.
        try FileManager.default.createSymbolicLink(atPath: folder + "/link.h5", withDestinationPath: victim)
        #expect(shell.run("save \(folder)/link.h5").contains("error: \(folder)/link.h5: is a symbolic link; expected a regular file"))
        #expect(mkfifo(folder + "/fifo.h5", 0o644) == 0)
        #expect(shell.run("save \(folder)/fifo.h5").contains("error: \(folder)/fifo.h5: is not a regular file"))
        var info = stat()
        #expect(lstat(folder + "/fifo.h5", &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
    }

    @Test func staleTemporariesOfAKilledSaveAreRemoved() throws {
        let folder = temporaryFolder()
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let pid = dead.processIdentifier
        let stale = ["\(folder)/.model.h5.tmp-\(pid)", "\(folder)/.model.h5.lethe-tmp-\(pid)-Ab12Cd"]
        for path in stale { FileManager.default.createFile(atPath: path, contents: Data(count: 1000)) }
        let mine = "\(folder)/.model.h5.lethe-tmp-\(getpid())-Zz99Zz"   // a live process's: kept
        FileManager.default.createFile(atPath: mine, contents: Data())
        CapturingShell().run("save \(folder)/model.h5")
        #expect(stale.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
        #expect(FileManager.default.fileExists(atPath: mine))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == [".model.h5.lethe-tmp-\(getpid())-Zz99Zz", "model.h5"])
    }

    // MARK: 18 — what the shipped files say about the machine that made them

    @Test func shippedModelsRecordNoAbsolutePaths() throws {
        let models = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/models").sorted()
        #expect(models.count >= 4)
        for name in models {
            let model = try GPT2Model.load(from: "\(repositoryRoot)/models/\(name)/tf_model.h5")
            let stored = model.history.dropLast()   // the last entry is this load's own
            #expect(!stored.contains { $0.contains(" /") || $0.contains("(/") }, "\(name): \(stored)")
        }
    }

    // MARK: 19 — messages

    @Test func loadModelOnAFolderLoadsItsWeightsOrSaysItIsAFolder() throws {
        let empty = temporaryFolder()
        #expect(CapturingShell().run("load model \(empty)").contains("error: \(empty): is a folder (expected an HDF5 file"))
        let shipped = repositoryRoot + "/models/gpt2-mini"
        let out = CapturingShell().run("load model \(shipped)")
        #expect(out.contains("loaded gpt2-mini: 6 layers"), "\(out)")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self")))
    func failedSaveNamesTheTargetAndTheCause() throws {
        // /proc takes no new files, even from root: the save fails where the temporary file is made.
        let out = CapturingShell().run("save /proc/lethe-model.h5")
        #expect(out.contains("error: /proc/lethe-model.h5: cannot create a file in /proc ("), "\(out)")
        #expect(!out.contains("tmp-"))
    }
}
