// SophonSettings.swift — every knob of SOPHON (Deng et al., IEEE S&P 2024) as Lethe runs it on GPT-2.
// Defaults are scaled for gpt2-mini on 2 CPU cores; the reference values are in the comments and
// in ../../../sessions/README.md's deviations table.
import Autograd
import GPT2

/// The fine-tuning-suppression loss on the simulated fine-tune's query batches.
public enum SuppressionLoss: String, Codable, Sendable, CaseIterable {
    /// `−log(1 − p_y)` (paper eq. 11); needs labels. The head is re-initialised in each simulation.
    case inverse
    /// `KL(U ‖ p)` with the correct 1/C target (paper eq. 13); needs no labels.
    case klUniform = "kl"
    /// `−H(p)`, TAR's max-entropy loss (Tamirisa et al. 2024): the adapted model is pushed toward
    /// uncertainty rather than toward wrong answers; needs no labels.
    case entropy
}

/// How each simulated fine-tune starts its classification head.
public enum SimulatedHead: String, Codable, Sendable, CaseIterable {
    /// A new head drawn N(0, 0.02), as Hugging Face initialises the attacker's `score` layer.
    case attacker
    /// The protected model's own head, as an attacker who keeps it would.
    case keep
    /// Xavier-uniform, as SOPHON's reference code re-initialises it for the inverse loss.
    case xavier
}

/// What the guard watches on held-out original-domain text.
public enum GuardMeasure: String, Codable, Sendable {
    /// Perplexity: stop when it rises more than `guardRise` (10% means +10% perplexity).
    case perplexity
    /// Loss: stop when the loss in nats rises more than `guardRise` (10% of 5.4 nats is +71% perplexity).
    case loss
}

/// The original-domain objective of normal-training reinforcement.
public enum ReinforcementObjective: String, Codable, Sendable, CaseIterable {
    /// Full next-token loss over every position of original-domain windows (Lethe's default).
    case causalLM = "lm"
    /// The fork's objective: one next-token CE at the last position, through a frozen copy of the
    /// starting `wte` (SOPHON-NLP's separately loaded `lm_head`).
    case lastToken = "last-token"
    /// KL from the starting model's next-token distribution at every position of original-domain
    /// windows (TAR's retain term): keeps everything the model predicts, not only the sampled tokens.
    case distill
}

/// One simulated fine-tuning environment φ (the paper's Σ over strategies).
public struct SimulatedFineTune: Codable, Sendable, Equatable, CustomStringConvertible {
    /// `sgd` is plain SGD (the reference's); `sgdm` has momentum 0.9 and `adamw` weight decay 0.01,
    /// as the attack grid's SGD and AdamW.
    public enum Optimizer: String, Codable, Sendable { case sgd, sgdm, adam, adamw }
    public enum Scope: String, Codable, Sendable { case all, head }
    public var optimizer: Optimizer
    public var learningRate: Float
    public var scope: Scope

    public init(optimizer: Optimizer, learningRate: Float, scope: Scope) {
        self.optimizer = optimizer; self.learningRate = learningRate; self.scope = scope
    }

    /// `sgd:1e-4:all`, `adam:1e-3:head`, …
    public init?(_ text: String) {
        let parts = text.split(separator: ":").map(String.init)
        guard parts.count == 3, let optimizer = Optimizer(rawValue: parts[0]), let lr = Float(parts[1]), lr > 0,
              let scope = Scope(rawValue: parts[2]) else { return nil }
        self.init(optimizer: optimizer, learningRate: lr, scope: scope)
    }

    public var description: String { "\(optimizer.rawValue):\(String(format: "%g", learningRate)):\(scope.rawValue)" }

    /// The simulated attacker's optimizer over `parameters`.
    public func makeOptimizer(_ parameters: [Parameter]) -> any Autograd.Optimizer {
        switch optimizer {
        case .sgd: SGD(parameters)
        case .sgdm: SGD(parameters, momentum: 0.9)
        case .adam: Adam(parameters)
        case .adamw: Adam.adamW(parameters, weightDecay: 0.01)
        }
    }
}

public struct SophonSettings: Codable, Sendable, Equatable {
    public var loss: SuppressionLoss = .inverse
    /// Base learning rate; FTS Adam runs at `alpha·lr`, NTR Adam at `beta·lr` (reference: 1e-4, 3, 5;
    /// alpha 10 here, so a run of ~100 iterations on 2 cores has an effect).
    public var learningRate: Float = 1e-4
    /// FTS at 3e-4 and NTR at 5e-4, the paper's ratio: suppression must not outrun reinforcement.
    public var alpha: Float = 3
    public var beta: Float = 5
    /// Inner fine-tuning steps K per simulation (reference 50).
    public var innerSteps = 6
    /// Simulated fine-tunes per FTS step (reference: one, plain SGD at 1e-4 over everything).
    /// Attackers strong enough to learn something in a few steps: a simulation in which the
    /// fine-tune learns nothing gives FTS nothing to suppress (measured on gpt2-mini).
    public var environments: [SimulatedFineTune] = [SimulatedFineTune(optimizer: .adam, learningRate: 1e-3, scope: .all),
                                                    SimulatedFineTune(optimizer: .sgd, learningRate: 1e-2, scope: .all)]
    /// Reviews per inner step: `supportSize` fine-tune the clone, `querySize` score it (reference 130/20).
    public var supportSize = 8
    public var querySize = 8
    /// Global-norm clip of the accumulated FTS gradient (reference 0.5).
    public var clip: Float = 0.5
    /// Restricted-domain reviews are cut to this many tokens (reference 512). The default data are
    /// the short reviews (≤ 128 tokens), so the simulation sees whole reviews, as the attacks do.
    public var maxReviewTokens = 128
    public var reinforcement: ReinforcementObjective = .causalLM
    /// NTR windows per step and their length in tokens (reference: 150 documents of ≤ 512 tokens).
    public var reinforcementBatch = 8
    public var reinforcementLength = 128
    /// FTS and NTR steps per outer iteration (reference `ml_loop` = `nl_loop` = 1).
    public var suppressionLoops = 1
    public var reinforcementLoops = 1
    /// Roll back the iteration and stop when held-out original-domain loss rises more than this
    /// fraction above its value at the start (replaces the fork's absolute "accuracy ≤ 80%" guard).
    public var guardRise: Double = 0.10
    /// Held-out original-domain windows per source used by the guard and the reports.
    public var guardWindows = 8
    public var seed: UInt64 = 99
    // Added for the SOPHON issue; absent (nil) in checkpoints written before, which keep their old behaviour.
    /// The simulated fine-tune's starting head (nil: Xavier for the inverse loss, kept for KL).
    public var simulatedHead: SimulatedHead? = .attacker
    /// Weight inner step k of K by k (the paper's γ_k: later steps, closer to a trained attacker, count
    /// more); nil or false: equal weights.
    public var weightLaterSteps: Bool? = true
    /// What the guard watches (nil: loss). Its windows are the last ones of the NTR pool, which NTR
    /// never samples, so they are not the held-out windows measurements report.
    public var guardMeasure: GuardMeasure? = .perplexity

    /// Environments drawn (with replacement) from `environments` afresh at each iteration: the paper's
    /// Σ over strategies, TAR's sampled adversaries. Nil: every environment at every iteration.
    public var environmentsPerIteration: Int?

    /// Iterations over which both learning rates ramp up linearly from 1/N of their value (nil: none).
    public var warmupIterations: Int?

    /// The restricted-task data file the run was started on (as given), so a resume uses the same.
    public var restrictedData: String?

    /// The data a resumed run continues on: its own, or for checkpoints that did not say, the default
    /// of their time (the long reviews before the attacker-head simulation, the short ones after).
    public var restrictedDataForResume: String {
        restrictedData ?? (simulatedHead == nil ? DataLayout.trainReviews : DataLayout.shortTrainReviews)
    }

    /// The head a simulation starts from, with the behaviour of checkpoints that did not say.
    public var effectiveSimulatedHead: SimulatedHead { simulatedHead ?? (loss == .inverse ? .xavier : .keep) }

    public init() {}

    public func validate() throws {
        func bad(_ s: String) -> GPT2Error { GPT2Error("sophon: \(s)") }
        guard learningRate > 0, alpha > 0, beta >= 0 else { throw bad("lr and alpha must be positive, beta non-negative") }
        guard innerSteps >= 1, supportSize >= 1, querySize >= 1 else { throw bad("inner steps, support and query sizes must be at least 1") }
        guard !environments.isEmpty else { throw bad("at least one simulated fine-tune is needed") }
        guard (environmentsPerIteration ?? 1) >= 1 else { throw bad("environments per iteration must be at least 1") }
        guard clip > 0, maxReviewTokens >= 2 else { throw bad("clip must be positive and max review tokens at least 2") }
        guard reinforcementBatch >= 1, reinforcementLength >= 2 else { throw bad("NTR batch must be ≥ 1 and its length ≥ 2") }
        guard suppressionLoops >= 0, reinforcementLoops >= 0, suppressionLoops + reinforcementLoops > 0 else {
            throw bad("ml/nl loops must be ≥ 0 and not both 0")
        }
        guard guardRise > 0, guardWindows >= 1 else { throw bad("guard rise must be positive and guard windows ≥ 1") }
    }
}
