// SophonConfigCommand.swift — `sophon config`: show or change SOPHON's settings.
import Foundation
import Procedures

enum SophonConfigCommand: Command {
    static let info = CommandInfo(
        name: "sophon config", abstract: "Show or change SOPHON's settings (applied to the run in progress from its next iteration).",
        flags: SophonSettings.flags.flagInfos(),
        examples: ["sophon config", "sophon config --loss kl --alpha 1 --beta 1 --nl 5", "sophon config --env sgd:1e-3:all,adam:1e-4:all --inner-steps 10"])

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        var s = context.session.sophon?.trainer.settings ?? context.session.sophonSettings
        try SophonSettings.flags.apply(a, to: &s)
        do {
            try s.validate()
            try context.session.sophon?.trainer.update(s)
        } catch let error as SettingError { throw UsageError("sophon config: \(error.description)") }
        catch { throw UsageError("\(error)") }
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
