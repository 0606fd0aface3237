// SophonConfigCommand.swift — `sophon config`: show or change SOPHON's settings.
import Foundation
import Procedures

enum SophonConfigCommand: Command {
    static let info = CommandInfo(
        name: "sophon config", abstract: "Show or change SOPHON's settings (applied to the run in progress from its next iteration).",
        flags: [FlagInfo("loss", value: "inverse|kl|entropy", "FTS loss: inverse cross-entropy, KL from uniform, or TAR's negative entropy"),
                FlagInfo("head", value: "attacker|keep|xavier", "each simulated fine-tune's head: new N(0, 0.02) as an attacker's (default), the model's own, or Xavier as the reference code"),
                FlagInfo("step-weights", value: "later|equal", "weigh inner step k by k (default later, the paper's γ_k) or equally"),
                FlagInfo("guard", value: "perplexity|loss", "what --guard-rise limits (default perplexity: 0.1 is +10% perplexity)"),
                FlagInfo("lr", value: "LR", "base learning rate (default 1e-4)"),
                FlagInfo("alpha", value: "A", "FTS Adam learning rate = alpha·lr (default 3, the paper's)"),
                FlagInfo("beta", value: "B", "NTR Adam learning rate = beta·lr (default 5)"),
                FlagInfo("inner-steps", value: "K", "inner fine-tuning steps per simulation (default 6)"),
                FlagInfo("env", value: "LIST", "simulated fine-tunes OPTIMIZER:LR:SCOPE (default adam:1e-3:all,sgd:1e-2:all)"),
                FlagInfo("support", value: "N", "support reviews per inner step (default 8)"),
                FlagInfo("query", value: "N", "query reviews per inner step (default 8)"),
                FlagInfo("clip", value: "C", "FTS gradient-norm clip (default 0.5)"),
                FlagInfo("max-tokens", value: "N", "restricted reviews cut to N tokens (default 128)"),
                FlagInfo("ntr", value: "lm|last-token", "NTR objective (default lm: the full causal-LM loss)"),
                FlagInfo("ntr-batch", value: "N", "NTR windows per step (default 8)"),
                FlagInfo("ntr-length", value: "T", "NTR window length in tokens (default 128)"),
                FlagInfo("ml", value: "N", "FTS steps per iteration (ml_loop, default 1)"),
                FlagInfo("nl", value: "N", "NTR steps per iteration (nl_loop, default 1)"),
                FlagInfo("guard-rise", value: "F", "undo and stop when the guard's original-domain perplexity (or loss) rises above (1+F)× its start (default 0.1)"),
                FlagInfo("guard-windows", value: "N", "windows per source for the guard, kept out of NTR's pool (default 8)"),
                FlagInfo("seed", value: "S", "seed of sampling and head initialisation (default 99)")],
        examples: ["sophon config", "sophon config --loss kl --alpha 1 --beta 1 --nl 5", "sophon config --env sgd:1e-3:all,adam:1e-4:all --inner-steps 10"])

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        var s = context.session.sophon?.trainer.settings ?? context.session.sophonSettings
        if let loss = a.string("loss") {
            guard let value = SuppressionLoss(rawValue: loss) else { throw UsageError("sophon config: --loss expects inverse, kl or entropy") }
            s.loss = value
        }
        if let head = a.string("head") {
            guard let value = SimulatedHead(rawValue: head) else { throw UsageError("sophon config: --head expects attacker, keep or xavier") }
            s.simulatedHead = value
        }
        if let weights = a.string("step-weights") {
            guard ["later", "equal"].contains(weights) else { throw UsageError("sophon config: --step-weights expects later or equal") }
            s.weightLaterSteps = weights == "later"
        }
        if let measure = a.string("guard") {
            guard let value = GuardMeasure(rawValue: measure) else { throw UsageError("sophon config: --guard expects perplexity or loss") }
            s.guardMeasure = value
        }
        s.learningRate = try a.float("lr", default: s.learningRate)
        s.alpha = try a.float("alpha", default: s.alpha)
        s.beta = try a.float("beta", default: s.beta)
        s.innerSteps = try a.int("inner-steps", default: s.innerSteps)
        if let list = a.string("env") {
            s.environments = try list.split(separator: ",").map {
                guard let env = SimulatedFineTune(String($0)) else {
                    throw UsageError("sophon config: --env expects OPTIMIZER:LR:SCOPE items (sgd|adam, a number, all|head), got '\($0)'")
                }
                return env
            }
        }
        s.supportSize = try a.int("support", default: s.supportSize)
        s.querySize = try a.int("query", default: s.querySize)
        s.clip = try a.float("clip", default: s.clip)
        s.maxReviewTokens = try a.int("max-tokens", default: s.maxReviewTokens)
        if let ntr = a.string("ntr") {
            guard let value = ReinforcementObjective(rawValue: ntr) else { throw UsageError("sophon config: --ntr expects lm or last-token") }
            s.reinforcement = value
        }
        s.reinforcementBatch = try a.int("ntr-batch", default: s.reinforcementBatch)
        s.reinforcementLength = try a.int("ntr-length", default: s.reinforcementLength)
        s.suppressionLoops = try a.int("ml", default: s.suppressionLoops)
        s.reinforcementLoops = try a.int("nl", default: s.reinforcementLoops)
        s.guardRise = try a.double("guard-rise", default: s.guardRise)
        s.guardWindows = try a.int("guard-windows", default: s.guardWindows)
        if let seed = a.string("seed") {
            guard let value = UInt64(seed) else { throw UsageError("sophon config: --seed expects a non-negative whole number") }
            s.seed = value
        }
        do { try s.validate() } catch { throw UsageError("\(error)") }
        if let running = context.session.sophon {
            let r = running.trainer.settings
            if s.seed != r.seed || s.maxReviewTokens != r.maxReviewTokens || s.guardMeasure != r.guardMeasure || s.guardWindows != r.guardWindows {
                throw UsageError("sophon config: --seed, --max-tokens, --guard and --guard-windows are fixed once a run has started (`sophon reset` first)")
            }
            try running.trainer.update(s)
        }
        context.session.sophonSettings = s
        for line in describe(s) { context.print(line) }
        context.set("settings", .string(String(decoding: (try? JSONEncoder().encode(s)) ?? Data(), as: UTF8.self)))
    }

    static func describe(_ s: SophonSettings) -> [String] {
        [String(format: "loss %@, lr %g (FTS Adam %g, NTR Adam %g), FTS clip %g", s.loss.rawValue, s.learningRate,
                s.alpha * s.learningRate, s.beta * s.learningRate, s.clip),
         "simulated fine-tunes: \(s.environments.map(\.description).joined(separator: ", ")), \(s.innerSteps) inner steps of \(s.supportSize) support + \(s.querySize) query reviews (≤ \(s.maxReviewTokens) tokens), head \(s.effectiveSimulatedHead.rawValue), steps weighted \(s.weightLaterSteps == true ? "by k" : "equally")",
         "NTR: \(s.reinforcement.rawValue), \(s.reinforcementBatch) windows × \(s.reinforcementLength) tokens; ml_loop \(s.suppressionLoops), nl_loop \(s.reinforcementLoops)",
         String(format: "guard: undo and stop if original-domain %@ rises more than %.0f%% (%d windows per source%@); seed %llu",
                s.guardMeasure == .perplexity ? "perplexity" : "loss", 100 * s.guardRise, s.guardWindows,
                s.guardMeasure == nil ? ", held out" : ", kept out of NTR's pool", s.seed)]
    }
}
