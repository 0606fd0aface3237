// SophonStatusCommand.swift — `sophon status`: where the run is, its settings and its recent log.
import Foundation
import Procedures

enum SophonStatusCommand: Command {
    static let info = CommandInfo(name: "sophon status", abstract: "Show SOPHON's settings, position and the last iterations.",
                                  flags: [FlagInfo("last", value: "N", "log lines to show (default 5)")],
                                  examples: ["sophon status"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        guard let running = context.session.sophon else {
            context.print("no SOPHON run yet; `sophon step` starts one on the current model with these settings:")
            for line in SophonTrainer.describe(context.session.sophonSettings) { context.print("  " + line) }
            context.set("iteration", .int(0))
            return
        }
        let t = running.trainer
        context.print("SOPHON on \(running.modelName): \(t.iteration) iterations; restricted \(t.restricted.name) (\(t.restricted.count) reviews)")
        for line in SophonTrainer.describe(t.settings) { context.print("  " + line) }
        context.print(String(format: "  held-out original loss at the start %.4f (ppl %.2f), guard limit %.4f", t.startingHeldOutLoss,
                             exp(t.startingHeldOutLoss), t.guardLimit))
        for report in t.log.suffix(max(0, try arguments.int("last", default: 5))) { context.print("  " + SophonSupport.line(report)) }
        context.set("model", .string(running.modelName))
        context.set("iteration", .int(t.iteration))
        context.set("log", .array(t.log.map(SophonSupport.json)))
    }
}
