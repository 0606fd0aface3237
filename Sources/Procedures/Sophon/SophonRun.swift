// SophonRun.swift — how a SOPHON run starts on the session's current model (its data, its head, the
// iteration-0 check that the simulated attacker learns), how it steps (`sophon step`, `sophon run`),
// and how it reports: one line and one JSON record per iteration, its status and its figure.
import Autograd
import Foundation
import GPT2

extension SophonTrainer {
    public static let trainsInPlace = true

    /// Trains the current model in place, with the classification head the session keeps for it
    /// (or a new N(0, 0.02) one), on the restricted reviews of `settings.restrictedData`.
    public static func start(_ start: ProcedureStart, settings: SophonSettings) throws -> StartedRun<SophonTrainer> {
        let trainer = try make(start, settings: settings)
        start.say(String(format: "guard: original-domain loss at the start %.4f (perplexity %.2f); it stops above %.4f (perplexity %.2f)",
                         trainer.startingHeldOutLoss, exp(trainer.startingHeldOutLoss), trainer.guardLimit, exp(trainer.guardLimit)))
        // Iteration 0: does the simulated attacker learn the task at all? If not, FTS has nothing to suppress.
        let accuracies = try trainer.calibrate()
        start.say("iteration 0: the simulated attackers reach query accuracy " + zip(trainer.settings.environments, accuracies)
            .map { String(format: "%.3f (%@)", $1, $0.description) }.joined(separator: ", ") + " after \(trainer.settings.innerSteps) steps")
        if let worst = accuracies.min(), worst < attackerLearnsThreshold {
            start.say(String(format: "warning: a simulated attacker stays at %.3f (< %.2f): it does not learn the task, so suppression has nothing to suppress; raise --inner-steps, --support or the environment's learning rate", worst, attackerLearnsThreshold))
        }
        return StartedRun(trainer, modelName: start.modelName, classifierHead: trainer.classifier.head)
    }

    /// The trainer a run starts with (its data, its head, its guard's starting loss), before the
    /// iteration-0 check; `bench sophon` times its iterations.
    public static func make(_ start: ProcedureStart, settings given: SophonSettings) throws -> SophonTrainer {
        var settings = given
        settings.restrictedData = settings.restrictedData ?? DataLayout.shortTrainReviews
        let model = start.model
        let restricted = try loadReviews(settings.restrictedData, tokenizer: start.tokenizer, model: model, maxTokens: settings.maxReviewTokens)
        let original = try DataLayout.originalDomain(tokenizer: start.tokenizer)
        let classifier: SequenceClassifier
        if let head = start.classifierHead, head.shape == [2, model.config.embeddingSize] {
            classifier = SequenceClassifier(body: model, head: head.copyAsParameter())
        } else {
            var rng = RNG(seed: settings.seed &+ 1)
            classifier = SequenceClassifier(body: model, rng: &rng)
        }
        start.say("SOPHON on \(start.modelName): restricted \(restricted.name) (\(restricted.count) reviews), original domain \(original.parts.map(\.name).joined(separator: " + "))")
        return try SophonTrainer(classifier: classifier, settings: settings, restricted: restricted, original: original)
    }

    /// Labelled reviews (`label<TAB>text` .tsv or .jsonl) as SOPHON and the attacks read them: each cut to
    /// `maxTokens` (and to the model's context). Nil: the short training reviews.
    public static func loadReviews(_ path: String?, tokenizer: BPETokenizer, model: GPT2Model, maxTokens: Int) throws -> SentimentDataset {
        let resolved = DataPaths.resolve(path ?? DataLayout.shortTrainReviews)
        return try SentimentDataset(name: URL(fileURLWithPath: resolved).lastPathComponent, texts: try SentimentDataset.read(resolved),
                                    tokenizer: tokenizer, maxTokens: min(maxTokens, model.config.contextLength))
    }

    public static func noRunLines(_ settings: SophonSettings) -> [String] {
        ["no SOPHON run yet; `sophon step` starts one on the current model with these settings:"] + describe(settings).map { "  " + $0 }
    }

    public func statusLines(modelName: String, last: Int) -> [String] {
        ["SOPHON on \(modelName): \(iteration) iterations; restricted \(restricted.name) (\(restricted.count) reviews)"]
            + Self.describe(settings).map { "  " + $0 }
            + [String(format: "  held-out original loss at the start %.4f (ppl %.2f), guard limit %.4f", startingHeldOutLoss, exp(startingHeldOutLoss), guardLimit)]
            + log.suffix(max(0, last)).map { "  " + $0.line }
    }

    public var statusFields: [(String, JSONValue)] {
        [("iteration", .int(iteration)), ("log", .array(log.map(\.fields)))]
    }
}

extension SophonTrainer: SteppedProcedure {
    public static let stepHelp = ProcedureHelp(
        abstract: "One SOPHON iteration on the current model: FTS (simulated fine-tunes) then NTR.", examples: ["sophon step"],
        discussion: "The current model is trained in place (take a `snapshot` first to compare). Ctrl-C undoes the iteration in progress.")
    public static let runHelp = ProcedureHelp(
        abstract: "Run N SOPHON iterations (progress, periodic checkpoints, stops at the guard or Ctrl-C).",
        examples: ["sophon run 20", "sophon run 200 --every 10 --out runs/sophon/tf_model.h5"],
        discussion: "Ctrl-C undoes the iteration in progress, saves the checkpoint when --out is given, and stops; `sophon run` continues; `sophon resume PATH` continues a saved run in a later session.")
    public static let figureHelp = "the simulated attacker's query accuracy and the guard's perplexity over every iteration of the run"
    public static let defaultEvery = 1
    public static let defaultSaveEvery = 10
    public static var startSettingFlags: [SettingFlag<SophonSettings>] { [SophonSettings.restrictedFlag] }

    public func advance(progress: (Int, Int) -> Void) throws -> StepOutcome<SophonIterationReport> {
        switch try step(shouldStop: { Interrupt.isRequested }, progress: progress) {
        case .completed(let report): return .completed(report)
        case let .rolledBack(loss, limit):
            return .undone(String(format: "guard: original-domain loss %.4f exceeded %.4f; the iteration was undone (model at iteration %d)", loss, limit, iteration))
        }
    }

    public func line(_ report: SophonIterationReport) -> String { report.line }
    public func fields(_ report: SophonIterationReport) -> [(String, JSONValue)] { [("report", report.fields)] }
    public func progressNote(_ r: SophonIterationReport) -> String {
        String(format: "query acc %.3f, last steps %.3f  NTR %.3f  ppl %.2f", r.queryAccuracy, r.finalQueryAccuracy ?? .nan, r.reinforcementLoss, r.heldOutPerplexity)
    }
    public func saveCheckpoint(to path: String) throws { try save(to: path) }
    public func saveWeights(to path: String) throws { try save(to: path, includeState: false) }
    public static let weightsOnlyHelp: String? = "leave out the training state (a smaller file to share; cannot be resumed)"
    public static let resumeDataFlag: ResumeDataFlag? = ResumeDataFlag("restricted", "restricted-task reviews (default: the file the run was started on)")
    public static let saveHelp = ProcedureHelp(
        abstract: "Save the SOPHON model with its head; with its training state (both Adams, RNG, position) unless --weights-only.",
        examples: ["sophon save runs/sophon/tf_model.h5", "sophon save models/gpt2-mini-sophon/tf_model.h5 --weights-only"],
        discussion: "`sophon resume PATH` continues a run saved with its state bit-exactly. A weights-only file loads with `load model` (and Hugging Face), head included.")
    public static let resumeHelp = ProcedureHelp(
        abstract: "Load a SOPHON checkpoint saved with its state and continue its run (bit-exact: the same iterations follow).",
        examples: ["sophon resume runs/sophon/tf_model.h5", "sophon resume runs/sophon/tf_model.h5 --name long-run"])

    /// Query accuracy (all inner steps, and the last fifth) and guard perplexity relative to its start, per iteration.
    public var figure: ProcedureFigure {
        let start = exp(startingHeldOutLoss)
        var series: [(label: String, points: [(x: Double, y: Double)])] =
            [("simulated attacker's query accuracy, all inner steps", log.map { (Double($0.iteration), $0.queryAccuracy) })]
        let final = log.compactMap { r in r.finalQueryAccuracy.map { (x: Double(r.iteration), y: $0) } }
        if !final.isEmpty { series.append(("… over the last fifth of the inner steps", final)) }
        series.append(("original-domain perplexity ÷ its start", log.map { (Double($0.iteration), $0.heldOutPerplexity / start) }))
        let limit = settings.guardMeasure == .perplexity ? 1 + settings.guardRise : exp(guardLimit) / start
        return ProcedureFigure(title: "SOPHON: \(settings.environments.map(\.description).joined(separator: ", ")), K = \(settings.innerSteps), \(settings.loss.rawValue) loss",
                               xLabel: "iteration", yLabel: "accuracy / perplexity ratio", series: series,
                               references: [(0.5, "chance"), (limit, "guard")], preferredY: 0.4...1.1)
    }
}

extension SophonIterationReport {
    /// The iteration as `sophon step`, `sophon run` and `sophon status` print it.
    public var line: String {
        String(format: "iteration %d: FTS query loss %.4f, accuracy %.3f (%@), NTR loss %.4f, guard original-domain ppl %.2f",
               iteration, queryLoss, queryAccuracy, environmentAccuracy.map { String(format: "%.2f", $0) }.joined(separator: "/"),
               reinforcementLoss, heldOutPerplexity) + (drawnEnvironments.map { " (drawn: \($0.joined(separator: "/")))" } ?? "")
    }

    /// The iteration for `--json`.
    public var fields: JSONValue {
        .object([("iteration", .int(iteration)), ("query_loss", .number(queryLoss)), ("query_accuracy", .number(queryAccuracy)),
                 ("final_query_accuracy", finalQueryAccuracy.map(JSONValue.number) ?? .null),
                 ("drawn_environments", drawnEnvironments.map { .array($0.map(JSONValue.string)) } ?? .null),
                 ("environment_accuracy", .array(environmentAccuracy.map(JSONValue.number))),
                 ("ntr_loss", .number(reinforcementLoss)), ("heldout_loss", .number(heldOutLoss)),
                 ("heldout_perplexity", .number(heldOutPerplexity))])
    }
}
