// PretrainCommandTests.swift — `pretrain` in the shell: --stop-at, and a resume that samples the
// mixture the run started with (a forgotten --holmes-weight must not change the run).
import Foundation
import Procedures
import Shell
import Testing

private func tinyCorpus() throws -> String {
    let root = temporaryPath("corpus")
    let files = ["pretrain/gutenberg/a.txt", "pretrain/imdb_unsup.txt", "original-domain/novel.txt",
                 "original-domain/wikitext2_raw_test.txt", "concept/holmes_a.txt"]
    for (i, file) in files.enumerated() {
        let url = URL(fileURLWithPath: root + "/" + file)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try String(repeating: "Text of source \(i), a sentence that repeats itself for the test. ", count: 30).write(to: url, atomically: true, encoding: .utf8)
    }
    return root
}

@Suite("Pretrain command")
struct PretrainCommandTests {
    @Test func resumeKeepsTheMixtureAndStopAtStops() throws {
        let data = try tinyCorpus()
        let out = temporaryPath("run/tf_model.h5")   // the folder does not exist yet: pretrain makes it
        let shell = CapturingShell()
        let tiny = "--layers 1 --width 16 --heads 1 --context 16 --seq-len 16 --batch 2 --eval-every 0 --checkpoint-every 0 --data \(data)"
        let first = shell.run("pretrain --out \(out) --steps 4 --stop-at 2 --holmes-weight 5 \(tiny)")
        #expect(first.contains("source holmes:") && first.contains("weight 5.0"))
        #expect(first.contains("stopped at step 2 as asked"))
        let resumed = shell.run("pretrain --out \(out) --resume --data \(data)")
        #expect(resumed.contains("resumed at step 2 of 4") && resumed.contains("weight 5.0") && resumed.contains("done: 4 steps"))
        let overridden = shell.run("pretrain --out \(out) --resume --steps 5 --holmes-weight 2 --data \(data)")
        #expect(overridden.contains("weight 2.0"))
        #expect(shell.shell.errorCount == 0)
    }

    @Test func anInterruptedPretrainIsRecordedToReplayTheStepsItRan() throws {
        let data = try tinyCorpus()
        let out = temporaryPath("run/tf_model.h5")
        let record = temporaryPath("pretrain.lethe")
        let shell = CapturingShell()
        try shell.shell.startRecording(to: record)
        let tiny = "--layers 1 --width 16 --heads 1 --context 16 --seq-len 16 --batch 2 --eval-every 0 --checkpoint-every 0 --data \(data)"
        Interrupt.request(afterPolls: 9)   // past tokenizing the five files, into the training steps
        let output = shell.run("pretrain --out \(out) --steps 50 \(tiny)")
        Interrupt.request(afterPolls: 0)
        let text = try String(contentsOfFile: record, encoding: .utf8)
        let step = try #require(output.range(of: #"stopped at step (\d+)"#, options: .regularExpression).map { output[$0].split(separator: " ").last.map(String.init) ?? "" }, "\(output)")
        #expect(text.contains("#^ pretrain --out"), "\(text)")
        #expect(text.contains("#^= pretrain --out \(out) --steps 50 \(tiny) --stop-at \(step)"), "\(text)")
    }
}
