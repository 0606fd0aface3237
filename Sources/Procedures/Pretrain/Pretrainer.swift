// Pretrainer.swift — causal-LM training of a GPT-2 from scratch (or continued): AdamW, warm-up and
// cosine decay, clipping, accumulation, held-out evaluation, checkpoints, and bit-exact resume.
import Autograd
import Foundation
import GPT2

public struct PretrainSettings: Codable, Equatable, Sendable {
    public var steps = 1000
    public var batchSize = 8
    public var sequenceLength = 128
    public var accumulation = 1
    public var learningRate: Float = 6e-4
    /// The cosine schedule ends at `learningRate · minLearningRateFactor`.
    public var minLearningRateFactor: Float = 0.1
    public var warmup = 100
    public var weightDecay: Float = 0.1
    public var beta2: Float = 0.95
    public var clip: Float = 1.0
    public var evalEvery = 100
    /// Held-out windows per source in each evaluation.
    public var evalWindows = 16
    public var checkpointEvery = 250
    public var seed: UInt64 = 0
    /// Fraction of windows that start with a line naming their source (``SourceLines``); nil (absent
    /// in checkpoints from before it existed) means none.
    public var sourceLineFraction: Double?

    public init() {}

    public func validate() throws {
        func bad(_ s: String) -> GPT2Error { GPT2Error("pretrain: \(s)") }
        guard steps > 0, batchSize > 0, sequenceLength > 1, accumulation > 0 else {
            throw bad("--steps, --batch, --accumulation must be positive and --seq-len above 1")
        }
        guard learningRate > 0, learningRate.isFinite else { throw bad("--lr must be a positive number, got \(learningRate)") }
        guard warmup >= 0, evalEvery >= 0, checkpointEvery >= 0, evalWindows > 0 else { throw bad("intervals must be ≥ 0") }
        guard clip > 0 else { throw bad("--clip must be positive") }
        if let f = sourceLineFraction, !(0...1).contains(f) { throw bad("--source-lines must be a fraction in [0, 1], got \(f)") }
    }

    var schedule: LearningRateSchedule { .cosine(warmup: warmup, total: steps, minFactor: minLearningRateFactor) }
}

/// What the training loop reports as it goes.
public enum PretrainEvent {
    case step(step: Int, total: Int, loss: Float, learningRate: Float, tokensPerSecond: Double, secondsLeft: Double)
    case evaluation(step: Int, results: [(source: String, loss: Double, perplexity: Double)])
    case checkpoint(step: Int, path: String)
}

/// One row of the training log kept with the checkpoint (the model card's training curve).
public struct PretrainLogEntry: Codable, Equatable, Sendable {
    public var step: Int
    public var trainLoss: Float
    public var heldOut: [String: Double]   // source → mean loss (nats)
}

public final class Pretrainer {
    public let model: GPT2Model
    public let corpus: TokenCorpus
    public private(set) var settings: PretrainSettings
    public private(set) var step = 0
    public private(set) var log: [PretrainLogEntry] = []
    private let optimizer: Adam
    private var rng: RNG

    public init(model: GPT2Model, corpus: TokenCorpus, settings: PretrainSettings) throws {
        try settings.validate()
        guard settings.sequenceLength <= model.config.contextLength else {
            throw GPT2Error("pretrain: --seq-len \(settings.sequenceLength) exceeds the model's context \(model.config.contextLength)")
        }
        self.model = model
        self.corpus = corpus
        self.settings = settings
        optimizer = Adam.adamW(model.parameters, beta2: settings.beta2, weightDecay: settings.weightDecay)
        rng = RNG(seed: settings.seed)
    }

    // MARK: - Training

    /// Trains until `settings.steps` (or Ctrl-C, which finishes the current step, saves a checkpoint
    /// when `checkpointPath` is set, and throws ``Interrupted``).
    public func run(checkpointPath: String?, shouldStop: () -> Bool = { Interrupt.isRequested },
                    report: (PretrainEvent) -> Void) throws {
        let tokensPerStep = Double(settings.batchSize * settings.sequenceLength * settings.accumulation)
        let started = Date()
        let firstStep = step
        var lastLoss: Float = .nan
        while step < settings.steps {
            if shouldStop() {
                if let checkpointPath { try save(to: checkpointPath); report(.checkpoint(step: step, path: checkpointPath)) }
                throw Interrupted("pretrain: stopped at step \(step) of \(settings.steps)" + (checkpointPath.map { "; resume from \($0)" } ?? ""))
            }
            lastLoss = try trainStep()
            let elapsed = Date().timeIntervalSince(started)
            let rate = Double(step - firstStep) * tokensPerStep / max(elapsed, 1e-9)
            let left = Double(settings.steps - step) * tokensPerStep / max(rate, 1e-9)
            report(.step(step: step, total: settings.steps, loss: lastLoss, learningRate: currentLearningRate(step - 1),
                         tokensPerSecond: rate, secondsLeft: left))
            if settings.evalEvery > 0 && (step % settings.evalEvery == 0 || step == settings.steps) {
                let results = try evaluate()
                log.append(PretrainLogEntry(step: step, trainLoss: lastLoss,
                                            heldOut: Dictionary(uniqueKeysWithValues: results.map { ($0.source, $0.loss) })))
                report(.evaluation(step: step, results: results))
            }
            if let checkpointPath, settings.checkpointEvery > 0 && (step % settings.checkpointEvery == 0 || step == settings.steps) {
                try save(to: checkpointPath)
                report(.checkpoint(step: step, path: checkpointPath))
            }
        }
    }

    private func currentLearningRate(_ step: Int) -> Float { settings.learningRate * settings.schedule.factor(at: step) }

    /// One optimizer update over `accumulation` micro-batches. Returns the mean training loss.
    func trainStep() throws -> Float {
        var total: Float = 0
        for _ in 0..<settings.accumulation {
            // Windows of `sequenceLength` tokens: `sequenceLength − 1` next-token predictions each.
            let windows = corpus.sampleWindows(count: settings.batchSize, length: settings.sequenceLength - 1,
                                               sourceLineFraction: settings.sourceLineFraction ?? 0, rng: &rng)
            let batch = TokenBatch(sequences: windows)
            let loss = try DataParallel.backward(rows: batch.batchSize, parameters: model.config.parameterCount, scale: 1 / Float(settings.accumulation), rng: &rng) { rows, rng in
                try model.languageModelLoss(batch.rows(rows), training: true, rng: &rng)
            }
            guard loss.isFinite else {
                model.parameters.zeroGrad()
                throw GPT2Error("pretrain: loss became \(loss) at step \(step); lower --lr (weights left at the last good step)")
            }
            total += loss
        }
        clipGradientNorm(model.parameters, maxNorm: settings.clip)
        optimizer.step(learningRate: currentLearningRate(step))
        model.parameters.zeroGrad()
        step += 1
        return total / Float(settings.accumulation)
    }

    /// Mean held-out loss and perplexity per source (fixed windows, so numbers compare across steps).
    public func evaluate() throws -> [(source: String, loss: Double, perplexity: Double)] {
        try corpus.parts.indices.map { part in
            let windows = corpus.heldOutWindows(part: part, length: settings.sequenceLength - 1, limit: settings.evalWindows)
            let loss = try meanLoss(model: model, windows: windows, batchSize: settings.batchSize)
            return (corpus.parts[part].name, loss, exp(loss))
        }
    }

    // MARK: - Checkpoints

    struct SavedState: Codable {
        var settings: PretrainSettings
        var step: Int
        var rng: [UInt64]
        var log: [PretrainLogEntry]
        /// The corpus mixture (source → sampling weight); absent in checkpoints written before it was kept.
        var sourceWeights: [String: Double]?
    }

    /// The corpus mixture a checkpoint was trained with, so a resume can sample the same way.
    public static func savedSourceWeights(at path: String) throws -> [String: Double]? {
        guard let json = try GPT2Model.loadAttribute("pretrain", from: path),
              let state = try? JSONDecoder().decode(SavedState.self, from: Data(json.utf8)) else { return nil }
        return state.sourceWeights
    }

    /// Saves weights, AdamW moments, RNG and position, so ``resume(from:corpus:steps:)`` continues exactly.
    public func save(to path: String) throws {
        var extras: [String: (shape: [Int], values: [Float])] = [:]
        for (key, values) in optimizer.state() { extras["optimizer/" + key] = ([values.count], values) }
        let state = SavedState(settings: settings, step: step, rng: rng.stateWords, log: log,
                               sourceWeights: Dictionary(uniqueKeysWithValues: corpus.parts.map { ($0.name, $0.weight) }))
        let json = try StableJSON.string(state)
        let historyBefore = model.history
        model.history.append("pretrained \(step) steps (seq \(settings.sequenceLength), batch \(settings.batchSize)×\(settings.accumulation), lr \(settings.learningRate), seed \(settings.seed))")
        defer { model.history = historyBefore }
        try model.save(to: path, extras: extras, attributes: ["pretrain": json])
    }

    /// Continues a run from a checkpoint written by ``save(to:)``. `steps` may extend the run.
    public static func resume(from path: String, corpus: TokenCorpus, steps: Int? = nil) throws -> Pretrainer {
        let model = try GPT2Model.load(from: path)
        guard let json = try GPT2Model.loadAttribute("pretrain", from: path),
              let state = try? JSONDecoder().decode(SavedState.self, from: Data(json.utf8)) else {
            throw GPT2Error("\(path): not a pretraining checkpoint (no saved training state to resume)")
        }
        var settings = state.settings
        if let steps { settings.steps = steps }
        let trainer = try Pretrainer(model: model, corpus: corpus, settings: settings)
        var optimizerState: [String: [Float]] = [:]
        for (key, value) in try GPT2Model.loadExtras(from: path) where key.hasPrefix("optimizer/") {
            optimizerState[String(key.dropFirst("optimizer/".count))] = value.values
        }
        do { try trainer.optimizer.load(state: optimizerState) } catch { throw GPT2Error("\(path): \(error)") }
        guard let rng = RNG(stateWords: state.rng) else { throw GPT2Error("\(path): damaged RNG state") }
        trainer.rng = rng
        trainer.step = state.step
        trainer.log = state.log
        return trainer
    }
}

/// Mean next-token loss (nats per token) of `model` over token windows, batched, no gradients.
/// Ctrl-C stops it between batches (nothing to undo).
public func meanLoss(model: GPT2Model, windows: [[Int32]], batchSize: Int,
                     shouldStop: () -> Bool = { Interrupt.isRequested }, progress: (Int, Int) -> Void = { _, _ in }) throws -> Double {
    var totalLoss = 0.0, totalTokens = 0
    try GradMode.withNoGrad {
        for start in stride(from: 0, to: windows.count, by: max(1, batchSize)) {
            if shouldStop() { throw Interrupted("evaluation: stopped after \(start) of \(windows.count) windows") }
            let chunk = Array(windows[start..<min(windows.count, start + batchSize)]).filter { $0.count >= 2 }
            if chunk.isEmpty { continue }
            // Shares of the batch side by side on the cores: each share's mean loss and its token count.
            let shares = try DataParallel.map(rows: chunk.count) { share in
                var rng = RNG(seed: 0)   // no dropout: never drawn from
                let rows = Array(chunk[share])
                return (loss: try model.languageModelLoss(TokenBatch(sequences: rows), rng: &rng).item, tokens: rows.reduce(0) { $0 + $1.count - 1 })
            }
            for share in shares {
                totalLoss += Double(share.loss) * Double(share.tokens)
                totalTokens += share.tokens
            }
            progress(min(windows.count, start + batchSize), windows.count)
        }
    }
    guard totalTokens > 0 else { throw GPT2Error("evaluation: no tokens to score") }
    return totalLoss / Double(totalTokens)
}

/// Each window's mean next-token loss (nats per token), in order: the items a perplexity interval
/// resamples. Rows of a batch are scored one by one on the cores, so a window's loss does not depend
/// on the windows batched with it. Windows shorter than 2 tokens score NaN.
public func windowLosses(model: GPT2Model, windows: [[Int32]], batchSize: Int,
                         shouldStop: () -> Bool = { Interrupt.isRequested }, progress: (Int, Int) -> Void = { _, _ in }) throws -> [Double] {
    var losses: [Double] = []
    losses.reserveCapacity(windows.count)
    try GradMode.withNoGrad {
        for start in stride(from: 0, to: windows.count, by: max(1, batchSize)) {
            if shouldStop() { throw Interrupted("evaluation: stopped after \(start) of \(windows.count) windows") }
            let chunk = Array(windows[start..<min(windows.count, start + batchSize)])
            let shares = try DataParallel.map(rows: chunk.count) { share in
                var rng = RNG(seed: 0)   // no dropout: never drawn from
                return try chunk[share].map { row -> Double in
                    row.count < 2 ? .nan : Double(try model.languageModelLoss(TokenBatch(sequences: [row]), rng: &rng).item)
                }
            }
            losses += shares.joined()
            progress(min(windows.count, start + batchSize), windows.count)
        }
    }
    return losses
}
