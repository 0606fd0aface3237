// SophonTests.swift — SOPHON's promises: a resumed run is the same run, the guard and Ctrl-C undo
// the iteration in progress, and the suppression step moves the restricted task where it should.
import Autograd
import Foundation
import GPT2
import Procedures
import Testing

private struct Setup {
    let restricted: SentimentDataset
    let original: TokenCorpus

    init() throws {
        let tokenizer = try BPETokenizer.bundled()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lethe-sophon-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let novel = dir + "/novel.txt"
        try String(repeating: "The river ran past the mill and the miller watched the water turn the wheel. ", count: 60)
            .write(toFile: novel, atomically: true, encoding: .utf8)
        original = try TokenCorpus(sources: [CorpusSource(name: "original", files: [novel])], tokenizer: tokenizer, cacheDirectory: nil)
        let reviews = (0..<40).map { i in
            LabeledText(label: Int32(i % 2), text: i % 2 == 1 ? "A wonderful, moving film. Loved it \(i)." : "A dull, awful film. Hated it \(i).")
        }
        restricted = try SentimentDataset(name: "toy", texts: reviews, tokenizer: tokenizer, maxTokens: 16)
    }

    func model(seed: UInt64 = 3) throws -> GPT2Model {
        var rng = RNG(seed: seed)
        return try GPT2Model(config: GPT2Config(contextLength: 32, embeddingSize: 16, layerCount: 1, headCount: 2,
                                                embeddingDropout: 0, residualDropout: 0, attentionDropout: 0), rng: &rng)
    }

    func settings() -> SophonSettings {
        var s = SophonSettings()
        s.innerSteps = 2
        s.supportSize = 4
        s.querySize = 4
        s.reinforcementBatch = 2
        s.reinforcementLength = 16
        s.guardWindows = 2
        s.guardRise = 10
        s.environments = [SimulatedFineTune(optimizer: .sgd, learningRate: 1e-2, scope: .all),
                          SimulatedFineTune(optimizer: .adam, learningRate: 1e-3, scope: .head)]
        return s
    }

    func trainer(_ settings: SophonSettings? = nil) throws -> SophonTrainer {
        var rng = RNG(seed: 5)
        return try SophonTrainer(classifier: SequenceClassifier(body: try model(), rng: &rng), settings: settings ?? self.settings(),
                                 restricted: restricted, original: original)
    }
}

private func weights(_ t: SophonTrainer) -> [[Float]] { t.classifier.parameters.map { $0.tensor.data } }

@Suite("SOPHON")
struct SophonTests {
    @Test(arguments: [SuppressionLoss.inverse, .klUniform], [ReinforcementObjective.causalLM, .lastToken, .distill])
    func aResumedRunIsTheSameRun(loss: SuppressionLoss, objective: ReinforcementObjective) throws {
        var settings = try Setup().settings()
        settings.loss = loss
        settings.reinforcement = objective
        try checkResumedRunIsTheSameRun(settings)
    }

    @Test func aRunDrawingItsEnvironmentsResumesAsTheSameRun() throws {
        // One environment drawn per iteration from four, with every optimizer the attack grid uses:
        // the draw comes from the run's seeded stream, so a resumed run draws the same ones.
        var settings = try Setup().settings()
        settings.environments = ["sgd:1e-2:all", "sgdm:1e-3:all", "adam:1e-3:head", "adamw:1e-3:all"].compactMap(SimulatedFineTune.init)
        #expect(settings.environments.count == 4)
        settings.environmentsPerIteration = 1
        try checkResumedRunIsTheSameRun(settings)
        // Drawing changes the run: not every environment runs at every iteration.
        let setup = try Setup()
        let drawn = try setup.trainer(settings), all = try setup.trainer({ var s = settings; s.environmentsPerIteration = nil; return s }())
        _ = try drawn.step(); _ = try all.step()
        #expect(drawn.log[0].environmentAccuracy.count == 1 && all.log[0].environmentAccuracy.count == 4)
        #expect(drawn.log[0].drawnEnvironments?.count == 1 && all.log[0].drawnEnvironments == nil)
        #expect(settings.environments.map(\.description).contains(drawn.log[0].drawnEnvironments?.first ?? ""))
    }

    @Test func warmupScalesTheFirstIterationsLearningRates() throws {
        // Adam's first step moves each weight by about its learning rate, so with a warm-up over 4
        // iterations the first iteration moves the weights about a quarter as far.
        let setup = try Setup()
        var settings = setup.settings()
        settings.environments = [SimulatedFineTune(optimizer: .adam, learningRate: 1e-3, scope: .all)]
        var warm = settings
        warm.warmupIterations = 4
        let start = weights(try setup.trainer(settings))
        func distance(_ t: SophonTrainer) -> Double {
            var sum = 0.0
            for (a, b) in zip(weights(t), start) {
                for (x, y) in zip(a, b) { sum += Double(x - y) * Double(x - y) }
            }
            return sum.squareRoot()
        }
        let plain = try setup.trainer(settings), warmed = try setup.trainer(warm)
        _ = try plain.step(); _ = try warmed.step()
        let ratio = distance(warmed) / distance(plain)
        #expect(ratio > 0.2 && ratio < 0.3, "first-iteration step ratio \(ratio), expected about 1/4")
        try checkResumedRunIsTheSameRun(warm)
    }

    private func checkResumedRunIsTheSameRun(_ settings: SophonSettings) throws {
        let setup = try Setup()
        let straight = try setup.trainer(settings)
        for _ in 0..<3 { _ = try straight.step() }

        let first = try setup.trainer(settings)
        for _ in 0..<2 { _ = try first.step() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sophon-\(UUID().uuidString).h5").path
        try first.save(to: path)
        let resumed = try SophonTrainer.resume(from: path, restricted: setup.restricted, original: setup.original)
        #expect(resumed.iteration == 2)
        _ = try resumed.step()
        let same = weights(resumed) == weights(straight), trained = weights(straight) != weights(try setup.trainer(settings))
        #expect(same, "the resumed run's weights differ from the uninterrupted run's")
        #expect(resumed.log == straight.log)
        #expect(trained, "three iterations left the weights unchanged")
    }

    @Test func theGuardUndoesTheIteration() throws {
        let setup = try Setup()
        var settings = setup.settings()
        settings.guardRise = 1e-9       // any rise trips it
        settings.reinforcementLoops = 0
        settings.alpha = 1e5            // and an FTS step at lr 10 wrecks the language model
        let trainer = try setup.trainer(settings)
        let before = weights(trainer)
        guard case .rolledBack(let loss, let limit) = try trainer.step() else {
            Issue.record("expected the guard to fire")
            return
        }
        #expect(loss > limit)
        let unchanged = weights(trainer) == before
        #expect(unchanged, "the guard left changed weights")
        #expect(trainer.iteration == 0 && trainer.log.isEmpty)
    }

    @Test func anInterruptUndoesTheIterationInProgress() throws {
        let setup = try Setup()
        let trainer = try setup.trainer()
        _ = try trainer.step()
        let after1 = weights(trainer)
        var polls = 0
        #expect(throws: Interrupted.self) {
            _ = try trainer.step(shouldStop: { polls += 1; return polls > 3 })   // stop inside the second environment
        }
        let undone = weights(trainer) == after1
        #expect(undone, "the interrupted iteration left changed weights")
        #expect(trainer.iteration == 1)
        // The undone iteration leaves no trace: the next step equals a step from an uninterrupted twin.
        let twin = try setup.trainer()
        _ = try twin.step()
        _ = try twin.step()
        _ = try trainer.step()
        let same = weights(trainer) == weights(twin)
        #expect(same, "the step after an undone iteration differs from an uninterrupted twin's")
    }

    @Test func suppressionDrivesTheQueryLossDown() throws {
        // With only FTS (no NTR), repeated KL-from-uniform steps must make the simulated
        // fine-tune's query predictions uniform: the query loss (what FTS minimises) falls.
        let setup = try Setup()
        var settings = setup.settings()
        settings.loss = .klUniform
        settings.reinforcementLoops = 0
        settings.alpha = 100          // FTS Adam at 1e-2: a tiny model moves fast
        settings.simulatedHead = .keep   // the mechanics of FTS: with a fresh head each time there is no single head to flatten
        settings.environments = [SimulatedFineTune(optimizer: .sgd, learningRate: 0.1, scope: .all)]
        settings.innerSteps = 3
        let trainer = try setup.trainer(settings)
        var losses: [Double] = []
        // Each iteration's query loss is one noisy draw (fresh support and query batches), so compare
        // the means of the first and last six of 30 iterations.
        for _ in 0..<30 {
            guard case .completed(let report) = try trainer.step() else { Issue.record("guard fired"); return }
            losses.append(report.queryLoss)
        }
        let early = losses.prefix(6).reduce(0, +) / 6, late = losses.suffix(6).reduce(0, +) / 6
        #expect(late < 0.5 * early, "query losses \(losses)")
    }

    @Test func theSuppressionStepFollowsTheFirstOrderMetaGradient() throws {
        // Eight identical reviews: whatever the shuffle, support and query batches are the same, so
        // the first-order meta-gradient after K = 1 inner SGD step is ∇_φ KLU(φ(query)) at
        // φ = θ − η·∇_θ CE(θ(support)), computed here independently. Adam's first step moves each
        // weight by −lr·g/(|g| + ε): its sign must be the opposite of the reference gradient's.
        let tokenizer = try BPETokenizer.bundled()
        let setup = try Setup()
        let same = try SentimentDataset(name: "same", texts: Array(repeating: LabeledText(label: 1, text: "A fine film."), count: 8),
                                        tokenizer: tokenizer, maxTokens: 16)
        var settings = setup.settings()
        settings.loss = .klUniform
        settings.reinforcementLoops = 0
        settings.innerSteps = 1
        settings.environments = [SimulatedFineTune(optimizer: .sgd, learningRate: 0.5, scope: .all)]
        settings.simulatedHead = .keep   // the reference below starts from θ's own head
        var rng = RNG(seed: 5)
        let theta = SequenceClassifier(body: try setup.model(), rng: &rng)
        let reference = SequenceClassifier(body: theta.body.copy(), head: theta.head.copyAsParameter())
        let trainer = try SophonTrainer(classifier: theta, settings: settings, restricted: same, original: setup.original)
        let before = weights(trainer)

        var unused = RNG(seed: 0)
        let support = same.batch([0, 1, 2, 3]), query = same.batch([4, 5, 6, 7])
        crossEntropy(try reference.logits(support, rng: &unused), targets: [1, 1, 1, 1]).backward()
        for p in reference.parameters { if let g = p.tensor.grad { for i in 0..<g.count { p.tensor.data[i] -= 0.5 * g[i] } } }
        reference.parameters.zeroGrad()
        klToUniform(try reference.logits(query, rng: &unused)).backward()

        _ = try trainer.step()
        var checked = 0
        for (index, p) in reference.parameters.enumerated() {
            let g = try #require(p.tensor.grad, "no reference gradient for \(p.name)")
            for i in 0..<g.count where abs(g[i]) > 1e-6 {
                let moved = trainer.classifier.parameters[index].tensor.data[i] - before[index][i]
                #expect((moved < 0) == (g[i] > 0), "\(p.name)[\(i)]: moved \(moved), gradient \(g[i])")
                // |moved| = lr·|g'|/(|g'| + 1e-8) with g' the clipped gradient: lr itself wherever |g| is not tiny.
                if abs(g[i]) > 1e-4 {
                    #expect(abs(abs(moved) - settings.alpha * settings.learningRate) < 2e-2 * settings.alpha * settings.learningRate,
                            "\(p.name)[\(i)]: moved \(moved)")
                }
                checked += 1
            }
        }
        #expect(checked > 1000)
    }

    @Test func settingsParseAndValidate() throws {
        #expect(SimulatedFineTune("adam:1e-3:head") == SimulatedFineTune(optimizer: .adam, learningRate: 1e-3, scope: .head))
        #expect(SimulatedFineTune("adam:-1:head") == nil && SimulatedFineTune("rmsprop:1e-3:all") == nil)
        var s = SophonSettings()
        s.environments = []
        #expect(throws: GPT2Error.self) { try s.validate() }
    }

    @Test func sophonLowersTheSimulatedAttackersAccuracyAgainstAnUnprotectedCopy() throws {
        // A toy task whose answer is the last word (what the classifier reads) is learnt by the
        // simulated attacker in a few steps; after SOPHON's suppression the same attacker, from the
        // same fresh N(0, 0.02) head, does worse on the protected model than on an unprotected copy.
        let setup = try Setup()
        let words = [(1, ["wonderful", "great", "superb", "lovely"]), (0, ["awful", "dull", "terrible", "boring"])]
        let texts = (0..<48).map { i in
            let (label, choices) = words[i % 2]
            return LabeledText(label: Int32(label), text: "Review \(i): the film was " + choices[(i / 2) % 4])
        }
        let toy = try SentimentDataset(name: "toy", texts: texts, tokenizer: try BPETokenizer.bundled(), maxTokens: 16)
        var settings = setup.settings()
        settings.loss = .inverse
        settings.innerSteps = 6
        settings.supportSize = 8
        settings.querySize = 8
        settings.reinforcementLoops = 0
        settings.guardRise = 1e6
        settings.alpha = 100   // FTS Adam at 1e-2
        settings.environments = [SimulatedFineTune(optimizer: .adam, learningRate: 1e-2, scope: .all)]
        func trainer() throws -> SophonTrainer {
            var rng = RNG(seed: 5)
            return try SophonTrainer(classifier: SequenceClassifier(body: try setup.model(), rng: &rng), settings: settings,
                                     restricted: toy, original: setup.original)
        }
        let unprotected = try trainer(), protected = try trainer()
        let before = try unprotected.calibrate(queryBatches: 8)
        #expect(before[0] >= 0.9, "the simulated attacker should learn the toy task: \(before)")
        // Held-out queries are scored on the held-out set: the same reviews with flipped labels,
        // drawn by the same random stream, are exactly the answers the attacker gets wrong.
        let flipped = try SentimentDataset(name: "flipped", texts: texts.map { LabeledText(label: 1 - $0.label, text: $0.text) },
                                           tokenizer: try BPETokenizer.bundled(), maxTokens: 16)
        let inPool = try unprotected.calibrate(queryBatches: 8, heldOut: nil, seed: 0)
        let onFlipped = try unprotected.calibrate(queryBatches: 8, heldOut: flipped, seed: 0)
        #expect(onFlipped[0] == inPool[0].map { !$0 } && inPool[0].count == 64)
        #expect(try unprotected.calibrate(queryBatches: 8, heldOut: nil, seed: 1) != inPool, "another seed draws other batches")
        for _ in 0..<15 {
            guard case .completed = try protected.step() else { Issue.record("the guard fired"); return }
        }
        let after = try protected.calibrate(queryBatches: 8)
        #expect(after[0] < before[0] - 0.3, "after SOPHON \(after), unprotected \(before)")
    }

    @Test func theDistilledNTRPullsAMovedModelBackToWhereItStarted() throws {
        // The teacher is the model at the start. Move the model away (noise on every weight), then run
        // iterations whose FTS is negligible: NTR's KL from the teacher must start well above 0 (the
        // teacher is a copy, not the moving model) and fall (its gradient points back to the start).
        let setup = try Setup()
        var settings = setup.settings()
        settings.reinforcement = .distill
        settings.alpha = 1e-6
        settings.beta = 50
        let trainer = try setup.trainer(settings)
        var rng = RNG(seed: 8)
        for p in trainer.classifier.body.parameters {
            p.tensor.data = p.tensor.data.map { $0 + Float(0.05 * rng.nextNormal()) }
        }
        var divergences: [Double] = []
        for _ in 0..<12 {
            guard case .completed(let report) = try trainer.step() else { Issue.record("the guard stopped the run"); return }
            divergences.append(report.reinforcementLoss)
        }
        #expect(divergences[0] > 0.01, "\(divergences)")
        #expect(divergences[11] < 0.5 * divergences[0], "\(divergences)")
    }

    @Test func theGuardLimitsPerplexityOnWindowsNTRNeverSees() throws {
        let setup = try Setup()
        var settings = setup.settings()
        settings.guardRise = 0.1
        let trainer = try setup.trainer(settings)
        #expect(abs(trainer.guardLimit - (trainer.startingHeldOutLoss + Foundation.log(1.1))) < 1e-12)   // +10% perplexity
        // The guard's windows are the last of the training stream, and NTR's sampling stops before them.
        let length = 15
        let guardWindows = OriginalDomain.guardWindows(corpus: setup.original, windowsPerPart: 2, length: length)
        let stream = setup.original.parts[0].train
        #expect(guardWindows.count == 2 && Array(guardWindows.joined()) == Array(stream.suffix(2 * (length + 1))))
        let excluded = OriginalDomain.guardSliceLength(windowsPerPart: 2, length: length)
        var rng = RNG(seed: 1)
        let allowed = stream.count - excluded
        let marked = setup.original.sampleWindows(count: 200, length: length, excludingLast: excluded, rng: &rng)
        // Every window must fit in the allowed prefix: a window reaching into the slice would need a start past it.
        let windowStarts = marked.map { w in (0...(stream.count - w.count)).filter { Array(stream[$0..<($0 + w.count)]) == w } }
        #expect(windowStarts.allSatisfy { starts in starts.contains { $0 + length + 1 <= allowed } })
    }

    @Test func checkpointsFromBeforeKeepTheirBehaviour() throws {
        // A run saved before the attacker-head simulation: no head, step-weight, guard or data fields.
        var old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(SophonSettings())) as? [String: Any] ?? [:]
        for key in ["simulatedHead", "weightLaterSteps", "guardMeasure", "restrictedData"] { old.removeValue(forKey: key) }
        let decoded = try JSONDecoder().decode(SophonSettings.self, from: JSONSerialization.data(withJSONObject: old))
        #expect(decoded.effectiveSimulatedHead == .xavier && decoded.weightLaterSteps == nil && decoded.guardMeasure == nil)
        #expect(decoded.restrictedDataForResume == "examples/data/sentiment/imdb_train.tsv")
        var current = SophonSettings()
        #expect(current.effectiveSimulatedHead == .attacker && current.restrictedDataForResume.hasSuffix("imdb_short_train.tsv"))
        current.restrictedData = "mine.tsv"
        #expect(current.restrictedDataForResume == "mine.tsv")
    }
}
