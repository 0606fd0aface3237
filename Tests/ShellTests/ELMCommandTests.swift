// ELMCommandTests.swift — ELM step by step in the shell: the run trains a copy, logs every term,
// and merging leaves a plain model that behaves as the adapted one did.
import Autograd
import Foundation
import GPT2
import Shell
import Testing

/// A tiny model with room for ELM's prefixes (a 96-token context), saved to a temporary file.
private func tinyModelWithRoomForPrefixes(seed: UInt64, file: String, dropout: Float = 0.1) throws -> String {
    var rng = RNG(seed: seed)
    let path = temporaryPath(file)
    let config = GPT2Config(contextLength: 96, embeddingSize: 16, layerCount: 1, headCount: 2,
                            embeddingDropout: dropout, residualDropout: dropout, attentionDropout: dropout)
    try GPT2Model(config: config, rng: &rng).save(to: path)
    return path
}

@Suite("ELM commands")
struct ELMCommandTests {
    @Test func stepByStepOnACopy() throws {
        let shell = CapturingShell()
        let path = try tinyModelWithRoomForPrefixes(seed: 3, file: "elm-base.h5")
        shell.run("elm config --fluency-samples 2 --fluency-tokens 4 --accumulation 1 --layers 0 --lr 1e-2 --pairs examples/data/concept/elm_prompt_pairs.json")
        #expect(shell.run("elm step").contains("leave no room"))   // the default test model's 32 tokens are too few for these long pairs
        shell.run("elm reset", "load model \(path) --name gpt2-mini")
        let before = shell.run(#"score "Holmes looked at Watson.""#)
        let prepared = shell.run("elm prepare --show 1")
        #expect(prepared.contains("2 fluency continuations ready") && prepared.contains("gpt2-mini-elm is now current; gpt2-mini is unchanged"))
        let step = shell.run("elm step")
        #expect(step.contains("iteration 1: erase") && step.contains("retain") && step.contains("fluency"))
        let plot = temporaryPath("elm.svg")
        shell.run("elm run 2 --every 2 --plot " + plot)
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(svg.components(separatedBy: "class=\"series\"").count - 1 == 3 && svg.components(separatedBy: "<circle").count - 1 == 9)   // 3 terms × 3 iterations
        let adapted = shell.run(#"score "Holmes looked at Watson.""#)   // gpt2-mini-elm is current, adapters on
        #expect(adapted != before)
        // The adapter's shape is fixed once started; a setting given unchanged, or one that may change, is not refused.
        #expect(shell.run("elm config --rank 8 --seed 3").contains("error: elm config: --rank and --seed are fixed once a run has started (`elm reset` first)"))
        #expect(shell.run("elm config --rank 4 --eta 100").contains("eta 100"))
        #expect(shell.run(#"score "Holmes looked at Watson.""#) == adapted)   // refusing did not touch the run
        #expect(shell.run("elm merge").contains("merged the adapters into gpt2-mini-elm after 3 iterations"))
        #expect(shell.run(#"score "Holmes looked at Watson.""#) == adapted)
        shell.run("use gpt2-mini")
        #expect(shell.run(#"score "Holmes looked at Watson.""#) == before)   // the original is untouched
        #expect(shell.run("elm config --rank 8").contains("rank 8"))        // a new run may change the shape
        #expect(shell.shell.errorCount == 2)
    }

    @Test func softRetainStartsAtZero() throws {
        // The adapters start as the identity (B = 0), so KL(frozen ‖ adapted) on retain text is 0 at
        // the first iteration, and positive once the adapters have moved (no dropout, as gpt2-mini).
        let shell = CapturingShell()
        let path = try tinyModelWithRoomForPrefixes(seed: 4, file: "elm-soft.h5", dropout: 0)
        shell.run("load model \(path) --name gpt2-mini")
        #expect(shell.run("elm config --retain soft --fluency-samples 2 --fluency-tokens 4 --accumulation 1 --layers 0 --lr 1e-2").contains("retain 1 (soft)"))
        shell.run("elm prepare")
        let first = try #require(try JSONSerialization.jsonObject(with: Data(shell.run("elm step --json").utf8)) as? [String: Any])
        #expect(abs(try #require(first["retain"] as? Double)) < 1e-5)
        shell.run("elm run 3")
        let later = try #require(try JSONSerialization.jsonObject(with: Data(shell.run("elm step --json").utf8)) as? [String: Any])
        #expect(try #require(later["retain"] as? Double) > 1e-5)
        #expect(shell.run("elm config --retain firm").contains("--retain expects hard or soft, got 'firm'"))
        #expect(shell.shell.errorCount == 1)   // --retain firm is refused
    }

    @Test func resumeContinuesBitExactly() throws {
        // Save in the middle of a gradient accumulation (accumulation 2, after 3 iterations), resume in a
        // new session, and the next iterations print the same losses and leave the same adapted model
        // as one uninterrupted run. With dropout on, so the RNG state matters too.
        let path = try tinyModelWithRoomForPrefixes(seed: 5, file: "elm-resume-base.h5")
        let setup = ["load model \(path) --name gpt2-mini",
                     "elm config --fluency-samples 2 --fluency-tokens 4 --accumulation 2 --layers 0 --lr 1e-2", "elm prepare"]
        let straight = CapturingShell()
        for line in setup { straight.run(line) }
        straight.run("elm run 3 --every 1")
        // The loss lines only: progress lines carry timings.
        func losses(_ output: String) -> [Substring] { output.split(separator: "\n").filter { $0.contains(": erase") } }
        let expected = losses(straight.run("elm run 2 --every 1"))
        #expect(expected.count == 2)
        let expectedScore = straight.run(#"score "Holmes looked at Watson.""#)
        let checkpoint = temporaryPath("elm-resume.h5")
        let first = CapturingShell()
        for line in setup { first.run(line) }
        #expect(first.run("elm run 3 --every 1 --out \(checkpoint)").contains("iteration 3: erase"))
        let second = CapturingShell()
        #expect(second.run("elm resume \(checkpoint)").contains("resumed ELM on elm at iteration 3"))
        #expect(losses(second.run("elm run 2 --every 1")) == expected)
        #expect(second.run(#"score "Holmes looked at Watson.""#) == expectedScore)
        // And the weights themselves: merged, saved, and compared tensor by tensor.
        let (straightPath, resumedPath) = (temporaryPath("elm-straight.h5"), temporaryPath("elm-resumed.h5"))
        straight.run("elm merge", "save \(straightPath)")
        second.run("elm merge", "save \(resumedPath)")
        #expect(second.run("load model \(straightPath) --name straight", "diff straight elm").contains("0 of "))
        #expect(second.run("elm resume \(path)").contains("no ELM state to resume"))
        // `elm save` and `elm resume` are generated: ELM offers no weights-only file, SOPHON does.
        #expect(second.run("elm save \(temporaryPath("elm-w.h5")) --weights-only").contains("unknown flag --weights-only"))
        #expect(second.run("help sophon save").contains("--weights-only") && second.run("help sophon resume").contains("--restricted PATH"))
        #expect(first.shell.errorCount == 0 && second.shell.errorCount == 2 && straight.shell.errorCount == 0)
    }
}
