// ProgressTests.swift — progress bars on a terminal: a bar, a count and an ETA, rewritten in place,
// and never part of the recorded output or of --json.
@testable import Shell
import Testing

@Suite("Progress")
struct ProgressTests {
    @Test func aBarWithAnETAIsDrawnButNeverRecorded() throws {
        var written = ""
        let context = CommandContext(session: Session(seed: 0, defaultModelPath: nil), json: false, isTerminal: true) { written += $0 }
        context.progress("perplexity on novels", done: 0, of: 8)
        context.progress("perplexity on novels", done: 4, of: 8)
        context.endProgress()
        #expect(written.contains("perplexity on novels [" + String(repeating: "█", count: 12) + String(repeating: "·", count: 12) + "] 4/8  ETA"))
        #expect(written.contains("\r\u{1B}[2K"))
        #expect(context.lines.isEmpty)

        var quiet = ""
        let json = CommandContext(session: Session(seed: 0, defaultModelPath: nil), json: true, isTerminal: true) { quiet += $0 }
        json.progress("probes", done: 1, of: 2)
        #expect(quiet.isEmpty)
    }

    /// The slow commands draw the counted bar (with its ETA, and the latest loss where there is one)
    /// on a terminal, and their recorded output holds none of it.
    @Test func slowCommandsDrawABarOnATerminal() throws {
        final class Box { var text = "" }
        let box = Box()
        let shell = Shell(session: Session(seed: 0, defaultModelPath: TestModel.path), isTerminal: true) { box.text += $0 }
        shell.execute("load model \(TestModel.path) --name a")
        shell.execute("load model \(TestModel.path) --name ref")
        for (command, bar) in [("finetune --train-limit 16 --test-limit 8 --epochs 1 --lr 1e-3 --max-tokens 24", "adamw lr 0.001 ["),
                               ("forget report --models a --reference ref --passages 10 --length 16 --verbatim 3", "a passages [")] {
            box.text = ""
            shell.execute(command)
            #expect(box.text.contains(bar) && box.text.contains("ETA"), "\(command) drew no bar: \(box.text)")
            if command.hasPrefix("finetune") { #expect(box.text.contains("  loss ")) }
        }
        let recorded = shell.cells.flatMap { cell -> [String] in
            if case let .command(_, _, lines, _, _) = cell { return lines.map(\.text) } else { return [] }
        }
        #expect(recorded.count > 4 && !recorded.contains { $0.contains("ETA") || $0.contains("█") })
    }
}
