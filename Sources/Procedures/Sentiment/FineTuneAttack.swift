// FineTuneAttack.swift — fine-tuning a sequence classifier on the restricted task, with a test
// accuracy curve: the attack SOPHON must resist, and the notebook's parts (b) and (c).
import Autograd
import Foundation
import GPT2

public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    case sgd, adam, adamw
}

/// Which parameters an attack trains.
public enum TrainableSet: Equatable, Sendable, CustomStringConvertible {
    case all
    case headOnly
    case lastBlocks(Int)   // the last k blocks, ln_f and the head
    /// Rank-r LoRA adapters (α = 2r) on every projection of every block, and the head: the
    /// parameter-efficient attack that broke published tamper-resistance methods.
    case lora(Int)

    public init?(_ text: String) {
        switch text {
        case "all": self = .all
        case "head": self = .headOnly
        default:
            if text.hasPrefix("lora:"), let r = Int(text.dropFirst(5)), r >= 1 { self = .lora(r); return }
            guard text.hasPrefix("last:"), let k = Int(text.dropFirst(5)), k >= 0 else { return nil }
            self = .lastBlocks(k)
        }
    }

    public var description: String {
        switch self { case .all: "all"; case .headOnly: "head"; case .lastBlocks(let k): "last:\(k)"; case .lora(let r): "lora:\(r)" }
    }

    func includes(_ name: String, layers: Int) -> Bool {
        switch self {
        case .all: return true
        case .headOnly, .lora: return name == "score.weight"
        case .lastBlocks(let k):
            if name == "score.weight" || name.hasPrefix("ln_f.") { return true }
            guard name.hasPrefix("h."), let layer = Int(name.dropFirst(2).prefix { $0 != "." }) else { return false }
            return layer >= layers - k
        }
    }
}

public struct FineTuneSettings: Sendable, Equatable {
    public var optimizer: OptimizerKind = .adamw
    public var learningRate: Float = 2e-5
    /// SGD momentum (ignored by Adam/AdamW).
    public var momentum: Float = 0.9
    public var batchSize = 8
    public var epochs = 3
    /// When set, stop after this many updates instead of whole epochs.
    public var steps: Int?
    public var weightDecay: Float = 0.01
    public var warmup = 0
    /// Linear decay to 0 over the run (the Trainer's default), or a constant rate.
    public var linearDecay = true
    public var clip: Float? = 1.0
    public var seed: UInt64 = 42
    public var reinitializeHead = true
    public var trainable: TrainableSet = .all
    /// Evaluate every N updates; 0 = after every epoch.
    public var evalEvery = 0
    /// A name for the recipe in tables (default: optimizer and learning rate).
    public var name: String?
    public init() {}

    public func validate() throws {
        guard learningRate > 0, learningRate.isFinite else { throw GPT2Error("finetune: --lr must be a positive number") }
        guard batchSize > 0, epochs > 0, (steps ?? 1) > 0, warmup >= 0, evalEvery >= 0 else {
            throw GPT2Error("finetune: --batch, --epochs and --steps must be positive")
        }
        if let clip { guard clip > 0 else { throw GPT2Error("finetune: --clip must be positive") } }
    }

    public var label: String {
        name ?? "\(optimizer.rawValue) lr \(String(format: "%g", learningRate))"
    }

    /// The calibration grid of the measurements spec: SGD with momentum, Adam and AdamW (weight decay
    /// 0.01) at learning rates a decade apart, each on the whole model, the head alone, and rank-8 LoRA;
    /// with a new head, and also the model's own head when `keptHead`. Other settings from `base`.
    public static func attackGrid(base: FineTuneSettings, keptHead: Bool) -> [FineTuneSettings] {
        let rates: [(OptimizerKind, [Float])] = [(.sgd, [1e-3, 1e-2]), (.adam, [1e-4, 1e-3]), (.adamw, [1e-4, 1e-3])]
        var grid: [FineTuneSettings] = []
        for (optimizer, lrs) in rates {
            for lr in lrs {
                for scope in [TrainableSet.all, .headOnly, .lora(8)] {
                    for reinitialize in keptHead ? [true, false] : [true] {
                        var s = base
                        s.optimizer = optimizer
                        s.learningRate = lr
                        s.weightDecay = optimizer == .adamw ? 0.01 : 0
                        s.trainable = scope
                        s.reinitializeHead = reinitialize
                        s.name = "\(optimizer.rawValue) \(String(format: "%g", lr)) \(scope) \(reinitialize ? "new" : "kept") head"
                        grid.append(s)
                    }
                }
            }
        }
        return grid
    }
}

/// One point of a learning curve.
public struct CurvePoint: Sendable, Equatable {
    public let step: Int
    public let epoch: Double
    /// Mean training loss since the previous point (nil before training).
    public let trainLoss: Double?
    public let testAccuracy: Double
    /// Whether each test item was classified right (for intervals over test items).
    public let correct: [Bool]

    public init(step: Int, epoch: Double, trainLoss: Double?, correct: [Bool]) {
        self.step = step
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.correct = correct
        testAccuracy = Double(correct.filter { $0 }.count) / Double(max(1, correct.count))
    }
}

public enum FineTuneEvent {
    case step(step: Int, total: Int, loss: Float)
    case evaluation(CurvePoint)
}

public enum FineTuneAttack {
    /// Fine-tunes `classifier` in place on `train` and returns test accuracy before training
    /// (step 0) and at every evaluation. Callers pass a copy when the original must survive.
    public static func run(_ classifier: SequenceClassifier, train: SentimentDataset, test: SentimentDataset,
                           settings: FineTuneSettings, shouldStop: () -> Bool = { Interrupt.isRequested },
                           report: (FineTuneEvent) -> Void = { _ in }) throws -> [CurvePoint] {
        try settings.validate()
        var rng = RNG(seed: settings.seed)
        if settings.reinitializeHead { classifier.reinitializeHead(rng: &rng) }
        let layers = classifier.body.config.layerCount
        let all = classifier.parameters
        for p in all { p.tensor.requiresGrad = settings.trainable.includes(p.name, layers: layers); p.tensor.grad = nil }
        defer { for p in all { p.tensor.requiresGrad = true; p.tensor.grad = nil } }
        var trained = all.trainable
        if case let .lora(rank) = settings.trainable {
            // Adapters on this copy only; the rest of the body stays frozen.
            let adapters = try LoRAAdapters(config: classifier.body.config, layers: Array(0..<layers), modules: LoRAAdapters.Projection.allCases,
                                            rank: rank, alpha: Float(2 * rank), dropout: 0, rng: &rng)
            classifier.body.adapters = adapters
            trained += adapters.parameters
        }
        let optimizer: Optimizer = switch settings.optimizer {
        case .sgd: SGD(trained, momentum: settings.momentum, weightDecay: settings.weightDecay)
        case .adam: Adam(trained, weightDecay: settings.weightDecay)
        case .adamw: Adam.adamW(trained, weightDecay: settings.weightDecay)
        }
        let trainedCount = trained.reduce(0) { $0 + $1.tensor.count }
        let batchesPerEpoch = (train.count + settings.batchSize - 1) / settings.batchSize
        let total = settings.steps ?? batchesPerEpoch * settings.epochs
        let schedule: LearningRateSchedule = settings.linearDecay ? .linear(warmup: settings.warmup, total: total)
                                                                  : .warmupConstant(warmup: settings.warmup)
        // A stop while testing names the attack and where it was, not just "evaluation".
        func testAccuracy(after step: Int) throws -> [Bool] {
            do { return try classifier.evaluateItems(test, shouldStop: shouldStop).correct } catch is Interrupted {
                throw Interrupted("finetune: stopped while testing after step \(step) of \(total)")
            }
        }
        var curve = [CurvePoint(step: 0, epoch: 0, trainLoss: nil, correct: try testAccuracy(after: 0))]
        report(.evaluation(curve[0]))
        var step = 0, lossSum = 0.0, lossCount = 0
        var epochBatches: [[Int]] = []
        while step < total {
            if epochBatches.isEmpty { epochBatches = train.shuffledBatches(size: settings.batchSize, rng: &rng).reversed() }
            if shouldStop() { throw Interrupted("finetune: stopped at step \(step) of \(total)") }
            guard let rows = epochBatches.popLast() else { break }
            let loss = try DataParallel.backward(rows: rows.count, parameters: trainedCount, rng: &rng) { share, rng in
                let shareRows = Array(rows[share])
                return crossEntropy(try classifier.logits(train.batch(shareRows), training: true, rng: &rng),
                                    targets: shareRows.map { train.labels[$0] })
            }
            guard loss.isFinite else {
                trained.zeroGrad()
                throw GPT2Error("finetune: loss became \(loss) at step \(step) (learning rate \(settings.learningRate) too high?)")
            }
            if let clip = settings.clip { clipGradientNorm(trained, maxNorm: clip) }
            optimizer.step(learningRate: settings.learningRate * schedule.factor(at: step))
            trained.zeroGrad()
            step += 1
            lossSum += Double(loss); lossCount += 1
            report(.step(step: step, total: total, loss: loss))
            let epochEnd = step % batchesPerEpoch == 0
            if (settings.evalEvery > 0 ? step % settings.evalEvery == 0 : epochEnd) || step == total {
                let point = CurvePoint(step: step, epoch: Double(step) / Double(batchesPerEpoch), trainLoss: lossSum / Double(max(1, lossCount)),
                                       correct: try testAccuracy(after: step))
                curve.append(point)
                report(.evaluation(point))
                lossSum = 0; lossCount = 0
            }
        }
        return curve
    }
}
