// ELMCommandTests.swift — ELM step by step in the shell: the run trains a copy, logs every term,
// and merging leaves a plain model that behaves as the adapted one did.
import Autograd
import Foundation
import GPT2
import Shell
import Testing

@Suite("ELM commands")
struct ELMCommandTests {
    @Test func stepByStepOnACopy() throws {
        let shell = CapturingShell()
        // ELM's prefixes need room: a tiny model with a 96-token context.
        var rng = RNG(seed: 3)
        let path = temporaryPath("elm-base.h5")
        try GPT2Model(config: GPT2Config(contextLength: 96, embeddingSize: 16, layerCount: 1, headCount: 2), rng: &rng).save(to: path)
        shell.run("elm config --fluency-samples 2 --fluency-tokens 4 --accumulation 1 --layers 0 --lr 1e-2")
        #expect(shell.run("elm step").contains("leave no room"))   // the default test model's 32 tokens are too few
        shell.run("elm reset", "load model \(path) --name gpt2-mini")
        let before = shell.run(#"score "Holmes looked at Watson.""#)
        #expect(shell.run("elm prepare --show 1").contains("2 fluency continuations ready"))
        let step = shell.run("elm step")
        #expect(step.contains("iteration 1: erase") && step.contains("retain") && step.contains("fluency"))
        shell.run("elm run 2 --every 2")
        let adapted = shell.run(#"score "Holmes looked at Watson.""#)   // gpt2-mini-elm is current, adapters on
        #expect(adapted != before)
        #expect(shell.run("elm merge").contains("merged the adapters into gpt2-mini-elm after 3 iterations"))
        #expect(shell.run(#"score "Holmes looked at Watson.""#) == adapted)
        shell.run("use gpt2-mini")
        #expect(shell.run(#"score "Holmes looked at Watson.""#) == before)   // the original is untouched
        #expect(shell.run("elm config --rank 8").contains("rank 8"))        // a new run may change the shape
        #expect(shell.shell.errorCount == 1)
    }
}
