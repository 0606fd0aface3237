// PretrainTests.swift — corpus splitting and sampling, and bit-exact resume after an interruption.
import Autograd
import Foundation
import GPT2
import Procedures
import Testing

private func makeCorpus() throws -> TokenCorpus {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lethe-corpus-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let a = dir + "/a.txt", b = dir + "/b.txt"
    try String(repeating: "It was the best of times, it was the worst of times. ", count: 40).write(toFile: a, atomically: true, encoding: .utf8)
    try String(repeating: "Call me Ishmael. Some years ago, never mind how long precisely. ", count: 40).write(toFile: b, atomically: true, encoding: .utf8)
    return try TokenCorpus(sources: [CorpusSource(name: "dickens", files: [a]), CorpusSource(name: "melville", files: [b], weight: 2)],
                           tokenizer: try BPETokenizer.bundled(), cacheDirectory: dir + "/cache")
}

private func tinySettings(steps: Int) -> PretrainSettings {
    var s = PretrainSettings()
    s.steps = steps
    s.batchSize = 2
    s.sequenceLength = 16
    s.warmup = 2
    s.evalEvery = 3
    s.evalWindows = 2
    s.checkpointEvery = 0
    s.seed = 7
    return s
}

private func tinyModel() throws -> GPT2Model {
    var rng = RNG(seed: 7)
    let config = GPT2Config(contextLength: 16, embeddingSize: 16, layerCount: 1, headCount: 2, embeddingDropout: 0.1, residualDropout: 0.1, attentionDropout: 0)
    return try GPT2Model(config: config, rng: &rng)
}

@Suite("Pretraining")
struct PretrainTests {
    /// `perplexity --interval`'s items: each window's mean loss, as the mean of `tokenLosses` (which
    /// HookTests checks against PyTorch), whichever batch and thread share the window lands in.
    @Test func windowLossesAreEachWindowsMeanTokenLoss() throws {
        let model = try tinyModel()
        let windows: [[Int32]] = [[5, 9, 2, 7, 7, 1], [300, 12, 4], [8, 8, 8, 8, 8, 8, 8, 8], [42], [17, 3]]
        let ours = try windowLosses(model: model, windows: windows, batchSize: 2)
        #expect(ours.count == windows.count && ours[3].isNaN)
        for (window, loss) in zip(windows, ours) where window.count >= 2 {
            let tokens = try model.tokenLosses(window)
            #expect(abs(loss - tokens.reduce(0, +) / Double(tokens.count)) < 1e-5, "\(window): \(loss) vs \(tokens)")
        }
    }

    @Test func heldOutTextIsTheEndOfEachFile() throws {
        let corpus = try makeCorpus()
        #expect(corpus.parts.map(\.name) == ["dickens", "melville"])
        for part in corpus.parts {
            #expect(part.heldOut.count > 0 && part.train.count > 10 * part.heldOut.count)
            #expect(part.train.last == BPETokenizer.endOfTextID)
        }
    }

    @Test func windowsAreDeterministicGivenTheSeed() throws {
        let corpus = try makeCorpus()
        var a = RNG(seed: 3), b = RNG(seed: 3)
        let x = corpus.sampleWindows(count: 5, length: 8, rng: &a), y = corpus.sampleWindows(count: 5, length: 8, rng: &b)
        #expect(x == y && x.allSatisfy { $0.count == 9 })
    }

    @Test func sourceLinesStartTheGivenFractionOfWindows() throws {
        let base = try makeCorpus()
        let tokenizer = try BPETokenizer.bundled()
        let dickensLines = ["A novel.\n", "From a novel:\n"]
        let corpus = try TokenCorpus(sources: [CorpusSource(name: "dickens", files: base.parts[0].files.map(\.path), sourceLines: dickensLines),
                                               CorpusSource(name: "melville", files: base.parts[1].files.map(\.path), weight: 2)],
                                     tokenizer: tokenizer, cacheDirectory: nil)
        let lineTokens = dickensLines.map { tokenizer.encode($0) }
        let dickensText = Set(base.parts[0].train), melvilleText = Set(base.parts[1].train)
        var rng = RNG(seed: 5)
        let windows = corpus.sampleWindows(count: 400, length: 12, sourceLineFraction: 0.5, rng: &rng)
        #expect(windows.allSatisfy { $0.count == 13 })
        let lined = windows.filter { w in lineTokens.contains { w.starts(with: $0) } }
        // Lines only start windows of the source that has them, and about half of those.
        let dickensWindows = windows.filter { w in lineTokens.contains { w.starts(with: $0) } || Set(w).isSubset(of: dickensText) && !Set(w).isSubset(of: melvilleText) }
        #expect(lined.allSatisfy { w in Set(w.dropFirst(lineTokens.first { w.starts(with: $0) }!.count)).isSubset(of: dickensText) })
        let share = Double(lined.count) / Double(dickensWindows.count)
        #expect(share > 0.4 && share < 0.6, "share of the source's windows with a line: \(share)")
        #expect(Set(lined.map { w in lineTokens.firstIndex { w.starts(with: $0) }! }).count == 2)
        // Fraction 0 draws exactly what a corpus without lines draws.
        var a = RNG(seed: 9), b = RNG(seed: 9)
        #expect(corpus.sampleWindows(count: 20, length: 12, rng: &a) == base.sampleWindows(count: 20, length: 12, rng: &b))
    }

    @Test func resumedRunEndsWithTheSameWeights() throws {
        let corpus = try makeCorpus()
        let straight = try Pretrainer(model: try tinyModel(), corpus: corpus, settings: tinySettings(steps: 6))
        try straight.run(checkpointPath: nil) { _ in }

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lethe-resume-\(UUID().uuidString).h5").path
        let first = try Pretrainer(model: try tinyModel(), corpus: corpus, settings: tinySettings(steps: 6))
        #expect(throws: Interrupted.self) {
            try first.run(checkpointPath: path, shouldStop: { first.step == 4 }) { _ in }
        }
        let resumed = try Pretrainer.resume(from: path, corpus: corpus)
        #expect(resumed.step == 4)
        try resumed.run(checkpointPath: path) { _ in }
        #expect(resumed.step == 6)
        for (a, b) in zip(straight.model.parameters, resumed.model.parameters) {
            #expect(a.tensor.data == b.tensor.data, "\(a.name) differs after resume")
        }
        #expect(straight.log == resumed.log)
    }

    @Test func trainingLowersTheLoss() throws {
        let corpus = try makeCorpus()
        var settings = tinySettings(steps: 30)
        settings.learningRate = 3e-3
        let trainer = try Pretrainer(model: try tinyModel(), corpus: corpus, settings: settings)
        let before = try trainer.evaluate().map(\.loss)
        try trainer.run(checkpointPath: nil) { _ in }
        let after = try trainer.evaluate().map(\.loss)
        #expect(zip(before, after).allSatisfy { $0.1 < $0.0 - 0.5 }, "held-out loss \(before) → \(after)")
    }
}
