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
}
