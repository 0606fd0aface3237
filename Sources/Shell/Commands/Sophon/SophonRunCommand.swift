// SophonRunCommand.swift — `sophon run N`: N iterations with progress; Ctrl-C safe, resumable.
import Foundation
import Procedures

enum SophonRunCommand: Command {
    static let info = CommandInfo(
        name: "sophon run", abstract: "Run N SOPHON iterations (progress, periodic checkpoints, stops at the guard or Ctrl-C).",
        arguments: "N",
        flags: [FlagInfo("restricted", value: "PATH", "restricted-task reviews for a new run (default \(DataLayout.shortTrainReviews))"),
                FlagInfo("every", value: "K", "print every K-th iteration (default 1)"),
                FlagInfo("out", value: "PATH", "checkpoint (with state) written every --save-every iterations, on Ctrl-C and at the end"),
                FlagInfo("save-every", value: "K", "checkpoint interval with --out (default 10)"),
                Plot.flag("the simulated attacker's query accuracy and the guard's perplexity over every iteration of the run")],
        examples: ["sophon run 20", "sophon run 200 --every 10 --out runs/sophon/tf_model.h5"],
        discussion: "Ctrl-C undoes the iteration in progress, saves the checkpoint when --out is given, and stops; `sophon run` continues.")

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let count = try Int(arguments.positional(0, "a number of iterations")) ?? -1
        guard count >= 1 else { throw UsageError("sophon run: expected a positive number of iterations") }
        let every = max(1, try arguments.int("every", default: 1))
        let saveEvery = max(1, try arguments.int("save-every", default: 10))
        let out = try arguments.string("out").map { try context.session.writablePath($0, for: "sophon run --out") }
        let plot = try Plot.destination(arguments, context)
        let trainer = try ProcedureRuns.current(SophonTrainer.self, context) { settings in arguments.string("restricted").map { settings.restrictedData = $0 } }
        let started = Date(), first = trainer.iteration
        func save() throws {
            guard let out else { return }
            try FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try trainer.save(to: out)
            context.note("checkpoint at iteration \(trainer.iteration): \(out)")
        }
        var last: SophonIterationReport?
        do {
            for done in 1...count {
                switch try trainer.step() {
                case .completed(let report):
                    last = report
                    let perIteration = Date().timeIntervalSince(started) / Double(done)
                    context.progress(String(format: "iteration %d (%d/%d)  query acc %.3f, last steps %.3f  NTR %.3f  ppl %.2f  %.1f s/it  ETA %.1f min",
                                            report.iteration, done, count, report.queryAccuracy, report.finalQueryAccuracy ?? .nan, report.reinforcementLoss,
                                            report.heldOutPerplexity, perIteration, perIteration * Double(count - done) / 60))
                    if done % every == 0 || done == count { context.endProgress(); context.print(report.line) }
                    if out != nil && (trainer.iteration - first) % saveEvery == 0 { try save() }
                case let .rolledBack(loss, limit):
                    context.endProgress()
                    context.print(String(format: "guard: held-out original loss %.4f exceeded %.4f; iteration undone, stopping at iteration %d",
                                         loss, limit, trainer.iteration))
                    context.set("rolled_back", .bool(true))
                    try save()
                    try Plot.write(figure(trainer), to: plot, what: "SOPHON curves", context)
                    context.set("iteration", .int(trainer.iteration))
                    return
                }
            }
        } catch let interrupted as Interrupted {
            context.endProgress()
            // The iteration in progress was undone; the completed ones stay, and replay redoes exactly those.
            if trainer.iteration > first { context.replayAs = arguments.commandLine(replacingFirstPositionalWith: "\(trainer.iteration - first)") }
            try save()
            context.set("iteration", .int(trainer.iteration))
            try Plot.write(figure(trainer), to: plot, what: "SOPHON curves", context)
            throw interrupted
        }
        try save()
        context.note(String(format: "%d iterations in %.1f s", trainer.iteration - first, Date().timeIntervalSince(started)))
        context.set("iteration", .int(trainer.iteration))
        if let last { context.set("report", last.fields) }
        try Plot.write(figure(trainer), to: plot, what: "SOPHON curves", context)
    }

    /// Query accuracy (all inner steps, and the last fifth) and guard perplexity relative to its start, per iteration.
    static func figure(_ trainer: SophonTrainer) -> String {
        let log = trainer.log
        let start = exp(trainer.startingHeldOutLoss)
        var series = [CurveSeries(label: "simulated attacker's query accuracy, all inner steps", points: log.map { (Double($0.iteration), $0.queryAccuracy) })]
        let final = log.compactMap { r in r.finalQueryAccuracy.map { (Double(r.iteration), $0) } }
        if !final.isEmpty { series.append(CurveSeries(label: "… over the last fifth of the inner steps", points: final)) }
        series.append(CurveSeries(label: "original-domain perplexity ÷ its start", points: log.map { (Double($0.iteration), $0.heldOutPerplexity / start) }))
        let limit = trainer.settings.guardMeasure == .perplexity ? 1 + trainer.settings.guardRise : exp(trainer.guardLimit) / start
        return CurveChart.svg(series, title: "SOPHON: \(trainer.settings.environments.map(\.description).joined(separator: ", ")), K = \(trainer.settings.innerSteps), \(trainer.settings.loss.rawValue) loss",
                              xLabel: "iteration", yLabel: "accuracy / perplexity ratio",
                              references: [ReferenceLine(y: 0.5, label: "chance"), ReferenceLine(y: limit, label: "guard")], preferredY: 0.4...1.1)
    }
}
