// RecordingTests.swift — sessions are recorded as they happen, replay with --check, and export to notebooks.
import Foundation
import Shell
import Testing

@Suite("Recording and replay")
struct RecordingTests {
    private func recordedSession() throws -> String {
        let path = temporaryPath("session.lethe")
        let shell = CapturingShell()
        try shell.shell.startRecording(to: path)
        shell.run("## Tokens and scores", "%md A short note for a student.", #"tokenize "Holmes""#,
                  #"score "It was a dark and stormy night.""#, #"generate "Once" --max-tokens 4"#, "use nothing")
        return path
    }

    @Test func recordingIsAReplayableScript() throws {
        let text = try String(contentsOfFile: try recordedSession(), encoding: .utf8)
        #expect(text.contains("## Tokens and scores") && text.contains("%md A short note"))
        #expect(text.contains("#> 2 tokens: 28115 6880"))
        #expect(text.contains("#! no model named nothing"))
        let items = try SessionScript.parse(text)
        #expect(items.filter { $0.kind == .command }.count == 4)
        let replayShell = CapturingShell()
        #expect(Replay.run(items, in: replayShell.shell, check: true).isEmpty)
    }

    @Test func alteredOutputIsReportedWithItsLineNumber() throws {
        var lines = try String(contentsOfFile: try recordedSession(), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let index = try #require(lines.firstIndex { $0.hasPrefix("#> tokens ") })
        lines[index] = lines[index].replacingOccurrences(of: "perplexity", with: "perplexity!")
        let differences = Replay.run(try SessionScript.parse(lines.joined(separator: "\n")), in: CapturingShell().shell, check: true)
        #expect(differences.map(\.line) == [index + 1])
    }

    @Test func numbersCompareWithinTheirPrintedPrecision() {
        #expect(Replay.matches("loss 3.4567 ppl 31.71", "loss 3.4568 ppl 31.72", relativeTolerance: 0))
        #expect(!Replay.matches("loss 3.4567", "loss 3.4590", relativeTolerance: 1e-4))
        #expect(Replay.matches("p 1.5e-05", "p 1.6e-05", relativeTolerance: 0))
        #expect(!Replay.matches("step 10", "step 11", relativeTolerance: 0))
        #expect(!Replay.matches("[·the] 0.5", "[·a] 0.5", relativeTolerance: 1))
    }

    @Test func crashLosesAtMostTheCommandInFlight() throws {
        let path = temporaryPath("crash.lethe")
        let shell = CapturingShell()
        try shell.shell.startRecording(to: path)
        shell.run(#"tokenize "one""#, #"tokenize "two""#)
        // No close, no flush call: the file must already hold both commands.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(#"tokenize "two""#) && text.contains("#> 1 tokens: 11545"))
    }

    @Test func notebookHasTheNbformat45Shape() throws {
        let shell = CapturingShell()
        shell.run("## Heading", #"tokenize "Holmes""#, "use nothing")
        let path = temporaryPath("s.ipynb")
        #expect(shell.run("%notebook " + path).contains("(3 cells)"))   // what it says is what it wrote
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        let notebook = try #require(object)
        #expect(notebook["nbformat"] as? Int == 4 && notebook["nbformat_minor"] as? Int == 5)
        let cells = try #require(notebook["cells"] as? [[String: Any]])
        #expect(cells.map { $0["cell_type"] as? String } == ["markdown", "code", "code"])
        #expect(Set(cells.compactMap { $0["id"] as? String }).count == 3)
        let outputs = try #require(cells[1]["outputs"] as? [[String: Any]])
        #expect(outputs.first?["output_type"] as? String == "stream" && outputs.first?["name"] as? String == "stdout")
        let error = try #require((cells[2]["outputs"] as? [[String: Any]])?.first)
        #expect(error["output_type"] as? String == "error" && error["traceback"] is [String])
    }

    @Test func aCellThatWroteAFigureCarriesIt() throws {
        let shell = CapturingShell()
        let figure = temporaryPath("patch.svg")
        shell.run(#"patch --clean "The cat sat" --corrupted "The dog sat" --answer " on" --wrong " in" --plot "# + figure)
        let path = temporaryPath("figure.ipynb")
        shell.run("%notebook " + path)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        let notebook = try #require(object)
        #expect((notebook["metadata"] as? [String: Any])?["kernelspec"] == nil)   // no kernel that does not exist
        let cell = try #require((notebook["cells"] as? [[String: Any]])?.first)
        let outputs = try #require(cell["outputs"] as? [[String: Any]])
        #expect(outputs.map { $0["output_type"] as? String } == ["stream", "display_data"])   // the text, then the picture
        let svg = try #require((outputs[1]["data"] as? [String: Any])?["image/svg+xml"] as? String)
        #expect(svg == (try String(contentsOfFile: figure, encoding: .utf8)))
    }

    @Test func theClassroomNotebookIsTheClassroomSessionExported() throws {
        // examples/classroom.ipynb is what `lethe export sessions/classroom.lethe` writes, figures and all:
        // re-export after recording the lesson again.
        let exported = temporaryPath("classroom.ipynb")
        try Notebook.export(script: "sessions/classroom.lethe", to: exported)
        let fresh = try Data(contentsOf: URL(fileURLWithPath: exported))
        let committed = try Data(contentsOf: URL(fileURLWithPath: "examples/classroom.ipynb"))
        #expect(fresh == committed, "examples/classroom.ipynb is out of date: lethe export sessions/classroom.lethe examples/classroom.ipynb")
        let notebook = try #require(try JSONSerialization.jsonObject(with: committed) as? [String: Any])
        let figures = (notebook["cells"] as? [[String: Any]] ?? []).flatMap { $0["outputs"] as? [[String: Any]] ?? [] }
            .filter { ($0["data"] as? [String: Any])?["image/svg+xml"] != nil }
        #expect(figures.count == 4)   // two attacks, the probes across models, relearning
    }
}
