// SophonCalibrateVerb.swift — `sophon calibrate`: does the simulated attacker learn the task?
// Iteration 0 on a fresh run, and the measure of what a run has bought on a protected one.
import GPT2

public enum SophonCalibrateVerb: ProcedureVerb {
    public typealias Owner = SophonTrainer
    public static let verb = "calibrate"
    public static let abstract = "Measure each simulated attacker's query accuracy after K inner steps on the current (protected or not) model."
    public static let flags = [FlagInfo("batches", value: "N", "query batches to score each attacker on, per seed (default 8)"),
                               FlagInfo("seeds", value: "N", "repeat with N seeds (head start, support batches, queries) and give a 95% interval (default 1)"),
                               FlagInfo("test", value: "PATH", "draw the queries from these reviews instead of the restricted pool the support batches come from")]
    public static let examples = ["sophon config --inner-steps 25", "sophon calibrate",
                                  "sophon calibrate --seeds 3 --test examples/data/sentiment/imdb_short_test.tsv"]
    public static let discussion: String? = """
            Starts the run on the current model if none is in progress (as `sophon step` would), and measures without training. \
            Without --test the queries come from the pool the support batches are drawn from, which flatters the attacker; \
            with --test they are reviews it never trained on. The interval is the hierarchical bootstrap over seeds and reviews.
            """

    public static func run(_ arguments: VerbArguments, _ context: VerbContext) throws {
        let batches = try arguments.int("batches", default: 8)
        let seeds = try arguments.int("seeds", default: 1)
        guard batches >= 1 else { throw UsageError("sophon calibrate: --batches must be at least 1") }
        guard seeds >= 1 else { throw UsageError("sophon calibrate: --seeds must be at least 1") }
        let maxTokens = context.runInProgress(SophonTrainer.self)?.procedure.settings.maxReviewTokens ?? context.settings(for: SophonTrainer.self).maxReviewTokens
        let heldOut = try arguments.string("test").map {
            try SophonTrainer.loadReviews($0, tokenizer: try context.tokenizer(), model: try context.model(), maxTokens: maxTokens)
        }
        let trainer = try context.run(SophonTrainer.self)
        // perSeed[seed][environment] = one hit per query review
        var perSeed: [[[Bool]]] = []
        for seed in 0..<seeds {
            context.progress("calibrating", done: seed, of: seeds, detail: "")
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
