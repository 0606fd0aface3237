// SophonTrainer.swift — SOPHON's outer iteration: fine-tuning suppression (first-order MAML over
// simulated fine-tunes) then normal-training reinforcement, each with its own Adam, and a guard
// on held-out original-domain loss. Trains the classifier it is given in place.
import Autograd
import Foundation
import GPT2

/// What one outer iteration did.
public struct SophonIterationReport: Codable, Sendable, Equatable {
    public var iteration: Int
    /// Mean FTS loss and accuracy over every query batch of every simulation.
    public var queryLoss: Double
    public var queryAccuracy: Double
    /// Query accuracy over the last fifth of the inner steps, where the simulated attacker has
    /// learned what it will: the number to watch fall. Nil in logs from before it was recorded.
    public var finalQueryAccuracy: Double?
    /// The environments this iteration drew, in `environmentAccuracy`'s order (nil: all of them, in the settings' order).
    public var drawnEnvironments: [String]?
    /// Per simulated environment: mean query accuracy (the settings' order, or the draw's when
    /// environments are sampled per iteration).
    public var environmentAccuracy: [Double]
    public var reinforcementLoss: Double
    /// The guard's original-domain loss: on the guard slice (``OriginalDomain/guardWindows``), or on
    /// held-out windows in runs from before it existed.
    public var heldOutLoss: Double
    public var heldOutPerplexity: Double { exp(heldOutLoss) }
}

public enum SophonOutcome {
    case completed(SophonIterationReport)
    /// The guard fired: the iteration was undone and training should stop.
    case rolledBack(heldOutLoss: Double, limit: Double)
}

public final class SophonTrainer {
    public let classifier: SequenceClassifier
    public private(set) var settings: SophonSettings
    public let restricted: SentimentDataset
    public let original: TokenCorpus
    public internal(set) var iteration = 0
    public internal(set) var log: [SophonIterationReport] = []
    /// Held-out original-domain loss before the first iteration (the guard's reference).
    public private(set) var startingHeldOutLoss: Double
    let suppressionOptimizer: Adam
    let reinforcementOptimizer: Adam
    /// The starting `wte`, frozen: the unembedding of the last-token NTR objective.
    let frozenUnembedding: Tensor
    /// The starting model, frozen: the teacher of the distill NTR objective (nil for the others).
    let frozenModel: GPT2Model?
    var rng: RNG

    public init(classifier: SequenceClassifier, settings: SophonSettings, restricted: SentimentDataset,
                original: TokenCorpus, startingHeldOutLoss: Double? = nil) throws {
        try settings.validate()
        guard restricted.count >= settings.supportSize + settings.querySize else {
            throw GPT2Error("sophon: \(restricted.count) restricted examples; one inner step needs \(settings.supportSize + settings.querySize)")
        }
        self.classifier = classifier
        self.settings = settings
        self.restricted = restricted
        self.original = original
        suppressionOptimizer = Adam(classifier.parameters)
        reinforcementOptimizer = Adam(classifier.parameters)
        frozenUnembedding = classifier.body.wte.detach()
        frozenModel = settings.reinforcement == .distill ? classifier.body.copy() : nil
        rng = RNG(seed: settings.seed)
        self.startingHeldOutLoss = 0
        self.startingHeldOutLoss = try startingHeldOutLoss ?? guardLoss()
    }

    /// The original-domain loss the guard watches (nats).
    public func guardLoss() throws -> Double {
        guard settings.guardMeasure != nil else {   // runs from before the guard slice: held-out windows
            return try OriginalDomain.heldOutLoss(model: classifier.body, corpus: original, windowsPerPart: settings.guardWindows)
        }
        let length = min(255, classifier.body.config.contextLength - 1)
        return try meanLoss(model: classifier.body, windows: OriginalDomain.guardWindows(corpus: original, windowsPerPart: settings.guardWindows, length: length),
                            batchSize: 8)
    }

    /// Tokens at the end of each original-domain training stream that NTR leaves to the guard.
    var guardSlice: Int {
        settings.guardMeasure == nil ? 0 : OriginalDomain.guardSliceLength(windowsPerPart: settings.guardWindows, length: min(255, classifier.body.config.contextLength - 1))
    }

    /// Settings that may change between iterations (`sophon config` on a running procedure).
    /// Seed, review length and the guard's measure and windows are fixed once the run has started.
    public func update(_ newSettings: SophonSettings) throws {
        try newSettings.validate()
        try SophonSettings.flags.checkFixed(from: settings, to: newSettings, procedure: "sophon")
        settings = newSettings
    }

    /// Both learning rates ramp linearly over the first `warmupIterations` iterations: Adam's first
    /// steps move every weight by about the full learning rate, which at the paper's rates raised
    /// perplexity 32% in one iteration on gpt2-mini.
    var warmupFactor: Float {
        guard let warmup = settings.warmupIterations, warmup > 1 else { return 1 }
        return min(1, Float(iteration + 1) / Float(warmup))
    }

    /// The loss above which the guard undoes an iteration and stops: +`guardRise` perplexity
    /// (`log(1 + rise)` nats), or +`guardRise` of the loss itself in runs that chose `--guard loss`.
    public var guardLimit: Double {
        settings.guardMeasure == .perplexity ? startingHeldOutLoss + Foundation.log(1 + settings.guardRise) : startingHeldOutLoss * (1 + settings.guardRise)
    }

    // MARK: - One outer iteration

    /// One outer iteration. Ctrl-C inside it undoes the iteration (weights and both Adam states)
    /// and throws ``Interrupted``; so does any error.
    /// `progress(done, total)` counts simulated inner steps and reinforcement batches.
    public func step(shouldStop: () -> Bool = { Interrupt.isRequested }, progress: (Int, Int) -> Void = { _, _ in }) throws -> SophonOutcome {
        let backup = Backup(self)
        let total = settings.suppressionLoops * (settings.environmentsPerIteration ?? settings.environments.count) * settings.innerSteps + settings.reinforcementLoops
        var done = 0
        func tick() { done += 1; progress(done, total) }
        do {
            var queryLoss = 0.0, queryAccuracy = 0.0, environmentAccuracy: [Double] = []
            var finalAccuracy: Double?, drawn: [String]?
            for _ in 0..<settings.suppressionLoops {
                let r = try suppressionStep(shouldStop: shouldStop, tick: tick)
                queryLoss = r.loss; queryAccuracy = r.accuracy; finalAccuracy = r.finalAccuracy; environmentAccuracy = r.perEnvironment
                drawn = settings.environmentsPerIteration == nil ? nil : r.environments.map(\.description)
            }
            var reinforcementLoss = 0.0
            for _ in 0..<settings.reinforcementLoops {
                if shouldStop() { throw Interrupted("sophon: stopped inside iteration \(iteration + 1); it was undone") }
                reinforcementLoss = try reinforcementStep()
                tick()
            }
            let heldOut = try guardLoss()
            if !heldOut.isFinite || heldOut > guardLimit {
                backup.restore(self)
                return .rolledBack(heldOutLoss: heldOut, limit: guardLimit)
            }
            iteration += 1
            let report = SophonIterationReport(iteration: iteration, queryLoss: queryLoss, queryAccuracy: queryAccuracy,
                                               finalQueryAccuracy: finalAccuracy, drawnEnvironments: drawn, environmentAccuracy: environmentAccuracy, reinforcementLoss: reinforcementLoss,
                                               heldOutLoss: heldOut)
            log.append(report)
            return .completed(report)
        } catch {
            backup.restore(self)
            throw error
        }
    }

    /// FTS: for each simulated fine-tune, clone θ, take K inner steps on support batches, and after
    /// each one add the query loss's gradient at the clone into θ's gradient (first-order MAML,
    /// spec §3.2, accumulated instead of keeping K graphs); clip and take one Adam step.
    func suppressionStep(shouldStop: () -> Bool, tick: () -> Void = {}) throws -> (loss: Double, accuracy: Double, finalAccuracy: Double, perEnvironment: [Double], environments: [SimulatedFineTune]) {
        let theta = classifier.parameters
        var accumulated = theta.map { [Float](repeating: 0, count: $0.tensor.count) }
        // γ_k: step k of K weighs k / (1 + … + K) when later steps count more, 1/K otherwise; environments equally.
        let stepWeights: [Float] = (1...settings.innerSteps).map { k in
            settings.weightLaterSteps == true ? Float(2 * k) / Float(settings.innerSteps * (settings.innerSteps + 1)) : 1 / Float(settings.innerSteps)
        }
        var lossSum = 0.0, correctSum = 0, finalCorrect = 0, perEnvironment: [Double] = []
        let finalSteps = (settings.innerSteps + 4) / 5   // the last fifth, rounded up
        // This iteration's environments: all of them, or a fresh draw from them.
        let environments = settings.environmentsPerIteration.map { count in
            (0..<count).map { _ in settings.environments[rng.nextInt(below: settings.environments.count)] }
        } ?? settings.environments
        for environment in environments {
            let clone = SequenceClassifier(body: classifier.body.copy(), head: classifier.head.copyAsParameter())
            clone.startSimulatedHead(settings.effectiveSimulatedHead, rng: &rng)
            let cloneParameters = clone.parameters
            let cloneCount = cloneParameters.reduce(0) { $0 + $1.tensor.count }
            let inner = environment.scope == .all ? cloneParameters : [clone.headParameter]
            let optimizer = environment.makeOptimizer(inner)
            var correct = 0
            for k in 0..<settings.innerSteps {
                if shouldStop() { throw Interrupted("sophon: stopped inside iteration \(iteration + 1); it was undone") }
                defer { tick() }
                let weight = stepWeights[k] / Float(environments.count)
                var rows = Array(restricted.tokens.indices)
                rng.shuffle(&rows)
                let support = Array(rows.prefix(settings.supportSize))
                let query = Array(rows.dropFirst(settings.supportSize).prefix(settings.querySize))
                // Inner step: ordinary cross-entropy on the support batch, the attacker's move.
                _ = try DataParallel.backward(rows: support.count, parameters: cloneCount, rng: &rng) { share, rng in
                    let rows = Array(support[share])
                    return crossEntropy(try clone.logits(restricted.batch(rows), training: true, rng: &rng), targets: rows.map { restricted.labels[$0] })
                }
                optimizer.step(learningRate: environment.learningRate)
                cloneParameters.zeroGrad()
                // Query: the suppression loss at the adapted clone; its gradient goes to θ.
                let labels = query.map { restricted.labels[$0] }
                var logits = [Float](repeating: 0, count: 2 * query.count)   // [query, 2], for the accuracy
                let queryLoss = try logits.withUnsafeMutableBufferPointer { out in
                    try DataParallel.backward(rows: query.count, parameters: cloneCount, rng: &rng) { share, rng in
                        let shareLogits = try clone.logits(restricted.batch(Array(query[share])), training: true, rng: &rng)   // [share, 2]
                        for (i, value) in shareLogits.data.enumerated() { out[2 * share.lowerBound + i] = value }
                        let shareLabels = Array(labels[share])
                        switch settings.loss {
                        case .inverse: return inverseCrossEntropy(shareLogits, labels: shareLabels)
                        case .klUniform: return klToUniform(shareLogits)
                        case .entropy: return negativeEntropy(shareLogits)
                        }
                    }
                }
                guard queryLoss.isFinite else {
                    cloneParameters.zeroGrad()
                    throw GPT2Error("sophon: the query loss became \(queryLoss); lower --alpha or the inner learning rates")
                }
                for (i, p) in cloneParameters.enumerated() {
                    guard let g = p.tensor.grad else { continue }
                    accumulated[i].withUnsafeMutableBufferPointer { a in for j in 0..<a.count { a[j] += weight * g[j] } }
                }
                cloneParameters.zeroGrad()
                lossSum += Double(queryLoss)
                for (r, y) in labels.enumerated() where (logits[2 * r + 1] > logits[2 * r] ? 1 : 0) == y {
                    correct += 1
                    if k >= settings.innerSteps - finalSteps { finalCorrect += 1 }
                }
            }
            correctSum += correct
            perEnvironment.append(Double(correct) / Double(settings.innerSteps * settings.querySize))
        }
        for (i, p) in theta.enumerated() { p.tensor.grad = accumulated[i] }
        clipGradientNorm(theta, maxNorm: settings.clip)
        suppressionOptimizer.step(learningRate: settings.alpha * settings.learningRate * warmupFactor)
        theta.zeroGrad()
        let simulations = Double(environments.count * settings.innerSteps)
        let finalQueries = Double(environments.count * finalSteps * settings.querySize)
        return (lossSum / simulations, Double(correctSum) / (simulations * Double(settings.querySize)), Double(finalCorrect) / finalQueries, perEnvironment, environments)
    }

    /// NTR: one supervised step on original-domain windows with the second Adam (no clipping).
    func reinforcementStep() throws -> Double {
        let windows = original.sampleWindows(count: settings.reinforcementBatch,
                                             length: min(settings.reinforcementLength, classifier.body.config.contextLength) - 1,
                                             excludingLast: guardSlice, rng: &rng)
        let parameters = classifier.parameters.reduce(0) { $0 + $1.tensor.count }
        let loss = try DataParallel.backward(rows: windows.count, parameters: parameters, rng: &rng) { share, rng in
            let windows = Array(windows[share])
            switch settings.reinforcement {
            case .causalLM:
                return try classifier.body.languageModelLoss(TokenBatch(sequences: windows), training: true, rng: &rng)
            case .lastToken:
                let inputs = windows.map { Array($0.dropLast()) }, targets = windows.map { $0.last ?? 0 }
                let batch = TokenBatch(sequences: inputs)
                let hidden = try classifier.body.hiddenStates(batch, training: true, rng: &rng)          // [batch, pos, dModel]
                let last = gatherPositions(hidden, positions: batch.lengths.map { $0 - 1 })             // [batch, dModel]
                return crossEntropy(matmul(last, frozenUnembedding, transposeB: true), targets: targets) // over the vocabulary
            case .distill:
                guard let frozenModel else { throw GPT2Error("sophon: the distill objective has no starting model to distil from") }
                let batch = TokenBatch(sequences: windows)
                let teacher = try GradMode.withNoGrad { try frozenModel.logits(batch) }                              // [batch, pos, vocab]
                let student = classifier.body.logits(fromHidden: try classifier.body.hiddenStates(batch, training: true, rng: &rng))
                return divergenceFromTeacher(student, teacherLogits: teacher)
            }
        }
        guard loss.isFinite else {
            classifier.parameters.zeroGrad()
            throw GPT2Error("sophon: the NTR loss became \(loss); lower --beta")
        }
        reinforcementOptimizer.step(learningRate: settings.beta * settings.learningRate * warmupFactor)
        classifier.parameters.zeroGrad()
        return Double(loss)
    }

    // MARK: - Calibration

    /// Below this query accuracy after K inner steps, a simulated attacker has not learned the task,
    /// so fine-tuning suppression has nothing to suppress (the SOPHON issue's threshold).
    public static let attackerLearnsThreshold = 0.65

    /// Iteration 0: how well each simulated attacker does after its K inner steps, on `queryBatches`
    /// query batches, without touching θ or the run's random stream. Below ~0.65 the simulation
    /// does not teach the task, and suppression has nothing to suppress.
    public func calibrate(queryBatches: Int = 4, shouldStop: () -> Bool = { Interrupt.isRequested }) throws -> [Double] {
        try calibrate(queryBatches: queryBatches, heldOut: nil, seed: 0, shouldStop: shouldStop).map { hits in
            Double(hits.filter { $0 }.count) / Double(max(1, hits.count))
        }
    }

    /// Per environment, whether each query review was classified right after the K inner steps.
    /// Queries come from `heldOut` when given (reviews the support batches never draw from, so the
    /// number is not flattered by overlap), else from the restricted pool; `seed` varies the head's
    /// start, the support batches and the queries.
    public func calibrate(queryBatches: Int, heldOut: SentimentDataset?, seed: UInt64,
                          shouldStop: () -> Bool = { Interrupt.isRequested }) throws -> [[Bool]] {
        var rng = RNG(seed: settings.seed &+ 0x5EED &+ seed &* 0x9E37_79B9)
        var results: [[Bool]] = []
        for environment in settings.environments {
            let clone = SequenceClassifier(body: classifier.body.copy(), head: classifier.head.copyAsParameter())
            clone.startSimulatedHead(settings.effectiveSimulatedHead, rng: &rng)
            let inner = environment.scope == .all ? clone.parameters : [clone.headParameter]
            let optimizer = environment.makeOptimizer(inner)
            for _ in 0..<settings.innerSteps {
                if shouldStop() { throw Interrupted("sophon: calibration stopped") }
                var rows = Array(restricted.tokens.indices)
                rng.shuffle(&rows)
                let support = Array(rows.prefix(settings.supportSize))
                crossEntropy(try clone.logits(restricted.batch(support), training: true, rng: &rng), targets: support.map { restricted.labels[$0] }).backward()
                optimizer.step(learningRate: environment.learningRate)
                clone.parameters.zeroGrad()
            }
            let pool = heldOut ?? restricted
            var hits: [Bool] = []
            try GradMode.withNoGrad {
                for _ in 0..<queryBatches {
                    var rows = Array(pool.tokens.indices)
                    rng.shuffle(&rows)
                    let query = Array(rows.prefix(settings.querySize))
                    let logits = try clone.logits(pool.batch(query), rng: &rng)   // [query, 2]
                    for (r, index) in query.enumerated() { hits.append((logits.data[2 * r + 1] > logits.data[2 * r] ? 1 : 0) == pool.labels[index]) }
                }
            }
            results.append(hits)
        }
        return results
    }

    // MARK: - Undo

    /// Weights, both Adam states and the RNG before an iteration.
    struct Backup {
        let weights: [[Float]]
        let suppression: [String: [Float]]
        let reinforcement: [String: [Float]]
        let rng: RNG

        init(_ t: SophonTrainer) {
            weights = t.classifier.parameters.map { $0.tensor.data }
            suppression = t.suppressionOptimizer.state()
            reinforcement = t.reinforcementOptimizer.state()
            rng = t.rng
        }

        func restore(_ t: SophonTrainer) {
            for (p, w) in zip(t.classifier.parameters, weights) { p.tensor.data = w; p.tensor.grad = nil }
            // Same parameters, same sizes: these loads cannot fail.
            try? t.suppressionOptimizer.load(state: suppression)
            try? t.reinforcementOptimizer.load(state: reinforcement)
            t.rng = rng
        }
    }
}

extension SequenceClassifier {
    /// The simulated attacker's starting head.
    func startSimulatedHead(_ kind: SimulatedHead, rng: inout RNG) {
        switch kind {
        case .keep: return
        case .xavier: reinitializeHeadXavier(rng: &rng)
        case .attacker:
            head.data = Tensor.randn(head.shape, std: 0.02, rng: &rng).data
            head.grad = nil
        }
    }

    /// Xavier-uniform head, as SOPHON's inverse-loss simulation re-initialises the clone's head
    /// (bound √(6 / (dModel + classes))).
    func reinitializeHeadXavier(rng: inout RNG) {
        let bound = (6 / Float(head.shape[0] + head.shape[1])).squareRoot()
        head.data = Tensor.uniform(head.shape, low: -bound, high: bound, rng: &rng).data
        head.grad = nil
    }
}
