// SophonCalibrateCommand.swift — `sophon calibrate`: does the simulated attacker learn the task?
// Iteration 0 on a fresh run, and the measure of what a run has bought on a protected one.
import Procedures

enum SophonCalibrateCommand: Command {
    static let info = CommandInfo(
        name: "sophon calibrate",
        abstract: "Measure each simulated attacker's query accuracy after K inner steps on the current (protected or not) model.",
        flags: [FlagInfo("batches", value: "N", "query batches to score each attacker on, per seed (default 8)"),
                FlagInfo("seeds", value: "N", "repeat with N seeds (head start, support batches, queries) and give a 95% interval (default 1)"),
                FlagInfo("test", value: "PATH", "draw the queries from these reviews instead of the restricted pool the support batches come from")],
        examples: ["sophon config --inner-steps 25", "sophon calibrate",
                   "sophon calibrate --seeds 3 --test examples/data/sentiment/imdb_short_test.tsv"],
        discussion: """
            Starts the run on the current model if none is in progress (as `sophon step` would), and measures without training. \
            Without --test the queries come from the pool the support batches are drawn from, which flatters the attacker; \
            with --test they are reviews it never trained on. The interval is the hierarchical bootstrap over seeds and reviews.
            """)

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let batches = try arguments.int("batches", default: 8)
        let seeds = try arguments.int("seeds", default: 1)
        guard batches >= 1 else { throw UsageError("sophon calibrate: --batches must be at least 1") }
        guard seeds >= 1 else { throw UsageError("sophon calibrate: --seeds must be at least 1") }
        let maxTokens = context.session.run(SophonTrainer.self)?.procedure.settings.maxReviewTokens ?? context.session.settings(for: SophonTrainer.self).maxReviewTokens
        let heldOut = try arguments.string("test").map {
            try SophonTrainer.loadReviews($0, tokenizer: try context.session.tokenizer(), model: try context.session.model(), maxTokens: maxTokens)
        }
        let trainer = try ProcedureRuns.current(SophonTrainer.self, context)
        // perSeed[seed][environment] = one hit per query review
        var perSeed: [[[Bool]]] = []
        for seed in 0..<seeds {
            context.progress("calibrating", done: seed, of: seeds)
            perSeed.append(try trainer.calibrate(queryBatches: batches, heldOut: heldOut, seed: UInt64(seed)))
        }
        context.endProgress()
        var values: [JSONValue] = []
        for (e, environment) in trainer.settings.environments.enumerated() {
            let hits = perSeed.map { $0[e].map { $0 ? 1.0 : 0.0 } }
            let estimate = Intervals.hierarchicalBootstrapMean(hits)
            let reviews = hits.map(\.count).reduce(0, +)
            let source = heldOut.map { " of \($0.name)" } ?? ""
            let shown = seeds == 1 ? String(format: "%.3f", estimate.value) : estimate.description
            context.print("  \(environment.description): query accuracy \(shown) after \(trainer.settings.innerSteps) steps (\(reviews) reviews\(source), \(seeds) seed\(seeds == 1 ? "" : "s"))")
            values.append(.object([("environment", .string(environment.description)), ("accuracy", .number(estimate.value)),
                                   ("lower", .number(estimate.lower)), ("upper", .number(estimate.upper))]))
        }
        context.set("accuracy", .array(perSeed.isEmpty ? [] : trainer.settings.environments.indices.map { e in
            .number(Intervals.hierarchicalBootstrapMean(perSeed.map { $0[e].map { $0 ? 1.0 : 0.0 } }).value)
        }))
        context.set("environments", .array(values))
    }
}
