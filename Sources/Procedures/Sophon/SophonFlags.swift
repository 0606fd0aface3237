// SophonFlags.swift — `sophon config`'s flags, declared once: the shell generates the command's
// usage and parsing from them, and `SophonTrainer.update` refuses changes to the fixed ones.

extension SophonSettings {
    /// Also taken by `sophon step` and `sophon run`, for a run they start.
    public static var restrictedFlag: SettingFlag<SophonSettings> {
        .text("restricted", \.restrictedData, value: "PATH", help: "restricted-task reviews, label<TAB>text .tsv or .jsonl (default \(DataLayout.shortTrainReviews))",
              fixedOnceStarted: true)
    }

    public static var flags: [SettingFlag<SophonSettings>] {
        [.choice("loss", \.loss, help: "FTS loss: inverse cross-entropy, KL from uniform, or TAR's negative entropy"),
         .choice("head", \.simulatedHead, [("attacker", .attacker), ("keep", .keep), ("xavier", .xavier)],
                 help: "each simulated fine-tune's head: new N(0, 0.02) as an attacker's (default), the model's own, or Xavier as the reference code"),
         .choice("step-weights", \.weightLaterSteps, [("later", true), ("equal", false)],
                 help: "weigh inner step k by k (default later, the paper's γ_k) or equally"),
         .choice("guard", \.guardMeasure, [("perplexity", .perplexity), ("loss", .loss)],
                 help: "what --guard-rise limits (default perplexity: 0.1 is +10% perplexity)", fixedOnceStarted: true),
         .number("lr", \.learningRate, value: "LR", help: "base learning rate (default 1e-4)"),
         .number("alpha", \.alpha, value: "A", help: "FTS Adam learning rate = alpha·lr (default 3, the paper's)"),
         .number("beta", \.beta, value: "B", help: "NTR Adam learning rate = beta·lr (default 5)"),
         SettingFlag("warmup", value: "N", help: "ramp both learning rates up linearly over the first N iterations (default 0: none)",
                     apply: { settings, text in
                         guard let text, let count = Int(text), count >= 0 else { throw SettingError("--warmup expects a whole number ≥ 0, got '\(text ?? "")'") }
                         settings.warmupIterations = count <= 1 ? nil : count
                     }, differs: { $0.warmupIterations != $1.warmupIterations }),
         .number("inner-steps", \.innerSteps, value: "K", help: "inner fine-tuning steps per simulation (default 6)"),
         .list("env", \.environments, value: "LIST", help: "simulated fine-tunes OPTIMIZER:LR:SCOPE, OPTIMIZER one of sgd, sgdm (momentum 0.9), adam, adamw (weight decay 0.01) (default adam:1e-3:all,sgd:1e-2:all)",
               expected: "OPTIMIZER:LR:SCOPE items (sgd|sgdm|adam|adamw, a number, all|head)", parse: SimulatedFineTune.init),
         SettingFlag("env-sample", value: "N", help: "draw N of the --env environments afresh at each iteration (with replacement; 0: all of them every iteration, the default)",
                     apply: { settings, text in
                         guard let text, let count = Int(text), count >= 0 else { throw SettingError("--env-sample expects a whole number ≥ 0, got '\(text ?? "")'") }
                         settings.environmentsPerIteration = count == 0 ? nil : count
                     }, differs: { $0.environmentsPerIteration != $1.environmentsPerIteration }),
         .number("support", \.supportSize, value: "N", help: "support reviews per inner step (default 8)"),
         .number("query", \.querySize, value: "N", help: "query reviews per inner step (default 8)"),
         .number("clip", \.clip, value: "C", help: "FTS gradient-norm clip (default 0.5)"),
         restrictedFlag,
         .number("max-tokens", \.maxReviewTokens, value: "N", help: "restricted reviews cut to N tokens (default 128)", fixedOnceStarted: true),
         .choice("ntr", \.reinforcement, help: "NTR objective: lm, the full causal-LM loss (default); last-token, the fork's; distill, KL from the starting model's next-token distribution (TAR's retain term)",
                 fixedOnceStarted: true),
         .number("ntr-batch", \.reinforcementBatch, value: "N", help: "NTR windows per step (default 8)"),
         .number("ntr-length", \.reinforcementLength, value: "T", help: "NTR window length in tokens (default 128)"),
         .number("ml", \.suppressionLoops, value: "N", help: "FTS steps per iteration (ml_loop, default 1)"),
         .number("nl", \.reinforcementLoops, value: "N", help: "NTR steps per iteration (nl_loop, default 1)"),
         .number("guard-rise", \.guardRise, value: "F",
                 help: "undo and stop when the guard's original-domain perplexity (or loss) rises above (1+F)× its start (default 0.1)"),
         .number("guard-windows", \.guardWindows, value: "N", help: "windows per source for the guard, kept out of NTR's pool (default 8)",
                 fixedOnceStarted: true),
         .number("seed", \.seed, value: "S", help: "seed of sampling and head initialisation (default 99)", fixedOnceStarted: true)]
    }
}

extension SophonTrainer: Procedure {
    public static let name = "sophon"
    public static var verbs: [any ProcedureVerb.Type] { [SophonCalibrateVerb.self, SophonEvalVerb.self] }
    public static let title = "SOPHON"
    public static let configHelp = ProcedureHelp(
        abstract: "Show or change SOPHON's settings (applied to the run in progress from its next iteration).",
        examples: ["sophon config", "sophon config --loss kl --alpha 1 --beta 1 --nl 5", "sophon config --env sgd:1e-3:all,adam:1e-4:all --inner-steps 10"])

    public static func describe(_ s: SophonSettings) -> [String] {
        [String(format: "loss %@, lr %g (FTS Adam %g, NTR Adam %g), FTS clip %g", s.loss.rawValue, s.learningRate,
                s.alpha * s.learningRate, s.beta * s.learningRate, s.clip) + (s.warmupIterations.map { ", warmed up over \($0) iterations" } ?? ""),
         "simulated fine-tunes: \(s.environments.map(\.description).joined(separator: ", ")), \(s.innerSteps) inner steps of \(s.supportSize) support + \(s.querySize) query reviews (≤ \(s.maxReviewTokens) tokens), head \(s.effectiveSimulatedHead.rawValue), steps weighted \(s.weightLaterSteps == true ? "by k" : "equally")"
            + (s.environmentsPerIteration.map { ", \($0) drawn per iteration" } ?? ""),
         "NTR: \(s.reinforcement.rawValue), \(s.reinforcementBatch) windows × \(s.reinforcementLength) tokens; ml_loop \(s.suppressionLoops), nl_loop \(s.reinforcementLoops)",
         String(format: "guard: undo and stop if original-domain %@ rises more than %.0f%% (%d windows per source%@); seed %llu",
                s.guardMeasure == .perplexity ? "perplexity" : "loss", 100 * s.guardRise, s.guardWindows,
                s.guardMeasure == nil ? ", held out" : ", kept out of NTR's pool", s.seed)]
    }

    public func apply(_ settings: SophonSettings) throws -> [String] {
        try update(settings)
        return []
    }

    public var position: String { "at iteration \(iteration)" }
}

extension SophonSettings: ProcedureSettings {}
