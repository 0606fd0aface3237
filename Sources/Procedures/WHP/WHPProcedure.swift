// WHPProcedure.swift — "Who's Harry Potter?" (Eldan & Russinovich 2023) as three inspectable moves:
// reinforce a copy on the target text, build generic labels with the anchored-term translation,
// fine-tune the baseline on them. Ctrl-C stops at the next step; calling a move again continues it.
import Autograd
import Foundation
import GPT2

public struct WHPSettings: Codable, Sendable, Equatable {
    /// Tokens per labelled block (the paper: 512; small here so the translation fits the context).
    public var blockLength = 128
    public var labels = GenericLabelSettings()
    /// How many target blocks get labels (the fine-tune's data).
    public var blocks = 200
    /// Reinforcement: full fine-tune of a copy on the target (the paper: 3 epochs at 3e-6 on 7B).
    public var reinforceSteps = 150
    public var reinforceLearningRate: Float = 3e-4
    /// The final fine-tune of the baseline on the generic labels (the paper: ~150 steps at 1e-6).
    public var finetuneSteps = 150
    public var finetuneLearningRate: Float = 1e-4
    public var batchSize = 8
    public var seed: UInt64 = 7
    /// The anchored-terms file (nil: ``defaultDictionary``).
    public var dictionary: String?
    public init() {}

    public static let defaultDictionary = DataLayout.anchoredTerms

    public func validate() throws {
        guard blockLength >= 4, blocks >= 1, batchSize >= 1, reinforceSteps >= 0, finetuneSteps >= 0 else {
            throw GPT2Error("whp: block length must be ≥ 4, blocks and batch ≥ 1, steps ≥ 0")
        }
        guard reinforceLearningRate > 0, finetuneLearningRate > 0, labels.alpha >= 0, labels.repeatPenalty >= 0 else {
            throw GPT2Error("whp: learning rates must be positive, alpha and the repeat penalty non-negative")
        }
    }
}

public enum WHPEvent {
    case step(phase: String, step: Int, total: Int, loss: Float)
    case labelled(block: Int, total: Int)
}

public final class WHPProcedure {
    public let baseline: GPT2Model
    public let dictionary: AnchorDictionary
    /// The target text's tokens (training split only; held-out text stays unseen for measurement).
    public let target: [Int32]
    public private(set) var settings: WHPSettings
    public private(set) var reinforced: GPT2Model?
    public private(set) var reinforceStep = 0
    public private(set) var labelled: [BlockLabels] = []
    public private(set) var unlearned: GPT2Model?
    public private(set) var finetuneStep = 0
    private var reinforceOptimizer: Adam?
    private var finetuneOptimizer: Adam?
    private var rng: RNG

    public init(baseline: GPT2Model, dictionary: AnchorDictionary, target: [Int32], settings: WHPSettings) throws {
        try settings.validate()
        guard target.count >= settings.blockLength * 2 else { throw GPT2Error("whp: the target text has \(target.count) tokens; too few for blocks of \(settings.blockLength)") }
        guard settings.blockLength <= baseline.config.contextLength else {
            throw GPT2Error("whp: block length \(settings.blockLength) exceeds the model's context \(baseline.config.contextLength)")
        }
        self.baseline = baseline
        self.dictionary = dictionary
        self.target = target
        self.settings = settings
        rng = RNG(seed: settings.seed)
    }

    /// The i-th block of the target (consecutive, non-overlapping).
    public func block(_ index: Int) -> [Int32] {
        let start = index * settings.blockLength
        return Array(target[start..<min(target.count, start + settings.blockLength)])
    }

    public var blockCount: Int { target.count / settings.blockLength }

    /// The resumable loop both fine-tunes share: from `self[keyPath: step]` up to `total`, one clipped
    /// AdamW update of the whole model per batch loss; Ctrl-C stops between steps, and calling the
    /// move again continues.
    private func train(_ model: GPT2Model, _ optimizer: Adam, phase: String, step: ReferenceWritableKeyPath<WHPProcedure, Int>, total: Int,
                       learningRate: Float, shouldStop: () -> Bool, report: (WHPEvent) -> Void, batchLoss: () throws -> Tensor) throws {
        while self[keyPath: step] < total {
            if shouldStop() { throw Interrupted("whp \(phase): stopped at step \(self[keyPath: step]) of \(total); run it again to continue") }
            let loss = try batchLoss()
            guard loss.item.isFinite else { throw GPT2Error("whp \(phase): loss became \(loss.item); lower the learning rate") }
            loss.backward()
            clipGradientNorm(model.parameters, maxNorm: 1)
            optimizer.step(learningRate: learningRate)
            model.parameters.zeroGrad()
            self[keyPath: step] += 1
            report(.step(phase: phase, step: self[keyPath: step], total: total, loss: loss.item))
        }
    }

    // MARK: - Move 1: the reinforced model

    /// Fine-tunes a copy of the baseline on random target windows (next-token loss) up to
    /// `settings.reinforceSteps`. The baseline itself is untouched.
    public func reinforce(shouldStop: () -> Bool = { Interrupt.isRequested }, report: (WHPEvent) -> Void = { _ in }) throws -> GPT2Model {
        let (model, optimizer) = phase(\.reinforced, \.reinforceOptimizer, history: "WHP reinforced model (fine-tuned on the target text)")
        try train(model, optimizer, phase: "reinforce", step: \.reinforceStep, total: settings.reinforceSteps,
                  learningRate: settings.reinforceLearningRate, shouldStop: shouldStop, report: report) {
            let windows = (0..<settings.batchSize).map { _ -> [Int32] in
                let start = rng.nextInt(below: target.count - settings.blockLength)
                return Array(target[start..<(start + settings.blockLength)])
            }
            return try model.languageModelLoss(TokenBatch(sequences: windows), training: true, rng: &rng)
        }
        return model
    }

    /// A training phase's model and optimizer: made on the first call (a copy of the baseline,
    /// noted in its history), kept afterwards so that calling the phase again continues it.
    private func phase(_ model: ReferenceWritableKeyPath<WHPProcedure, GPT2Model?>, _ optimizer: ReferenceWritableKeyPath<WHPProcedure, Adam?>,
                       history: @autoclosure () -> String) -> (GPT2Model, Adam) {
        let trained = self[keyPath: model] ?? baseline.copy()
        if self[keyPath: model] == nil { trained.history.append(history()) }
        self[keyPath: model] = trained
        let adam = self[keyPath: optimizer] ?? Adam.adamW(trained.parameters, weightDecay: 0)
        self[keyPath: optimizer] = adam
        return (trained, adam)
    }

    // MARK: - Move 2: generic labels

    /// Labels the first `settings.blocks` target blocks (continuing where a previous call stopped).
    public func buildLabels(shouldStop: () -> Bool = { Interrupt.isRequested }, report: (WHPEvent) -> Void = { _ in }) throws {
        guard let reinforced else { throw GPT2Error("whp labels: no reinforced model yet (run `whp reinforce` first)") }
        let total = min(settings.blocks, blockCount)
        while labelled.count < total {
            if shouldStop() { throw Interrupted("whp labels: stopped after \(labelled.count) of \(total) blocks; run it again to continue") }
            labelled.append(try GenericLabels.labels(block: block(labelled.count), dictionary: dictionary, baseline: baseline,
                                                     reinforced: reinforced, settings: settings.labels))
            report(.labelled(block: labelled.count, total: total))
        }
    }

    /// New settings for the next moves. The dictionary is fixed once the procedure exists and the
    /// block length once a move has run; a new alpha or penalty makes the built labels stale, so
    /// they are discarded (returns true). Hard or soft is a choice of loss: the labels stay valid.
    @discardableResult
    public func update(_ newSettings: WHPSettings) throws -> Bool {
        try newSettings.validate()
        try WHPSettings.flags.checkFixed(from: settings, to: newSettings, procedure: "whp")
        if newSettings.blockLength != settings.blockLength && reinforceStep + labelled.count > 0 {
            throw SettingError("--block-length is fixed once a run has started (`whp reset` first)")
        }
        var labelsIgnoringKind = newSettings.labels
        labelsIgnoringKind.soft = settings.labels.soft
        let stale = labelsIgnoringKind != settings.labels && !labelled.isEmpty
        if stale { labelled = [] }
        settings = newSettings
        return stale
    }

    // MARK: - Move 3: fine-tune on the generic labels

    /// Fine-tunes a copy of the baseline (the unlearned model) on (original block → generic labels).
    public func finetune(shouldStop: () -> Bool = { Interrupt.isRequested }, report: (WHPEvent) -> Void = { _ in }) throws -> GPT2Model {
        guard !labelled.isEmpty else { throw GPT2Error("whp finetune: no labels yet (run `whp labels` first)") }
        let (model, optimizer) = phase(\.unlearned, \.finetuneOptimizer, history: "WHP: fine-tuned on generic labels (alpha \(settings.labels.alpha))")
        try train(model, optimizer, phase: "finetune", step: \.finetuneStep, total: settings.finetuneSteps,
                  learningRate: settings.finetuneLearningRate, shouldStop: shouldStop, report: report) {
            let chosen = (0..<settings.batchSize).map { _ in labelled[rng.nextInt(below: labelled.count)] }
            let batch = TokenBatch(sequences: chosen.map(\.translation.original))
            let hidden = try model.hiddenStates(batch, training: true, rng: &rng)                    // [batch, pos, dModel]
            return settings.labels.soft ? try softLoss(model, hidden: hidden, chosen: chosen, length: batch.length)
                                        : hardLoss(model, hidden: hidden, chosen: chosen, length: batch.length)
        }
        return model
    }

    /// The paper's loss: cross-entropy to the argmax labels, taken as built (no second shift).
    private func hardLoss(_ model: GPT2Model, hidden: Tensor, chosen: [BlockLabels], length: Int) -> Tensor {
        var targets = [Int32](repeating: ignoreIndex, count: chosen.count * length)
        for (b, labels) in chosen.enumerated() {
            for (t, label) in labels.targets.enumerated() { targets[b * length + t] = label }
        }
        return projectedCrossEntropy(hidden, weight: model.wte, targets: targets)
    }

    /// KL(softmax(v_generic) ‖ model) averaged over the positions in the loss. The targets are
    /// recomputed from the baseline and the reinforced model (a full distribution per position
    /// would not fit in memory for 200 blocks); both are frozen, so they are the same every time.
    private func softLoss(_ model: GPT2Model, hidden: Tensor, chosen: [BlockLabels], length: Int) throws -> Tensor {
        guard let reinforced else { throw GPT2Error("whp finetune: no reinforced model (run `whp reinforce` first)") }
        let vocab = baseline.config.vocabSize, rows = chosen.count * length
        var targets = [Float](repeating: 0, count: rows * vocab)                                  // [batch·pos, vocab]
        var included = 0
        for (b, labels) in chosen.enumerated() {
            let logits = try GenericLabels.logits(of: labels.translation, baseline: baseline, reinforced: reinforced)
            targets.withUnsafeMutableBufferPointer { all in
                let blockRows = UnsafeMutableBufferPointer(rebasing: all[(b * length * vocab)..<((b + 1) * length * vocab)])
                included += GenericLabels.softTargets(translation: labels.translation, baseLogits: logits.base, reinforcedLogits: logits.reinforced,
                                                      vocabSize: vocab, dictionary: dictionary, settings: settings.labels, into: blockRows).count
            }
        }
        guard included > 0 else { throw GPT2Error("whp finetune: no position of the chosen blocks enters the loss") }
        let logits = reshape(model.logits(fromHidden: hidden), [rows, vocab])                    // [batch·pos, vocab]
        let divergence = klDivergence(logits, targets: Tensor(shape: [rows, vocab], data: targets))
        return scale(divergence, Float(rows) / Float(included))                                   // mean over included positions
    }
}
