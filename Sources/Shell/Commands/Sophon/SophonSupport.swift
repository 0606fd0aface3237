// SophonSupport.swift — what the `sophon` commands share: the flags of `sophon config`, building the
// trainer for the current model, and printing one iteration.
import Autograd
import Foundation
import GPT2
import Procedures

enum SophonSupport {
    /// Whole short reviews (≤ 128 tokens), the attacks' own data: the simulation fine-tunes on what an attacker would.
    static let defaultRestricted = "examples/data/sentiment/imdb_short_train.tsv"

    /// The running procedure for the current model, or a new one built from `sophon config`'s settings.
    static func trainer(_ context: CommandContext, restrictedPath: String? = nil) throws -> SophonTrainer {
        let session = context.session
        let model = try session.model()
        let name = session.currentName ?? "model"
        if let running = session.sophon {
            guard running.modelName == name else {
                throw UsageError("sophon: a run is in progress on \(running.modelName); `use \(running.modelName)` to continue it, or `sophon reset` to start over on \(name)")
            }
            return running.trainer
        }
        var settings = session.sophonSettings
        settings.restrictedData = restrictedPath ?? defaultRestricted
        let restricted = try loadRestricted(restrictedPath, context, model: model, maxTokens: settings.maxReviewTokens)
        let original = try OriginalDomain.corpus(dataDirectory: DataPaths.resolve("examples/data"), tokenizer: try session.tokenizer())
        let classifier: SequenceClassifier
        if let head = session.classifierHeads[name], head.shape == [2, model.config.embeddingSize] {
            classifier = SequenceClassifier(body: model, head: head.copyAsParameter())
        } else {
            var rng = RNG(seed: settings.seed &+ 1)
            classifier = SequenceClassifier(body: model, rng: &rng)
        }
        context.print("SOPHON on \(name): restricted \(restricted.name) (\(restricted.count) reviews), original domain \(original.parts.map(\.name).joined(separator: " + "))")
        let trainer = try SophonTrainer(classifier: classifier, settings: settings, restricted: restricted, original: original)
        context.print(String(format: "guard: original-domain loss at the start %.4f (perplexity %.2f); it stops above %.4f (perplexity %.2f)",
                             trainer.startingHeldOutLoss, exp(trainer.startingHeldOutLoss), trainer.guardLimit, exp(trainer.guardLimit)))
        // Iteration 0: does the simulated attacker learn the task at all?
        let accuracies = try trainer.calibrate()
        context.print("iteration 0: the simulated attackers reach query accuracy " + zip(settings.environments, accuracies)
            .map { String(format: "%.3f (%@)", $1, $0.description) }.joined(separator: ", ") + " after \(settings.innerSteps) steps")
        if let worst = accuracies.min(), worst < SophonTrainer.attackerLearnsThreshold {
            context.print(String(format: "warning: a simulated attacker stays at %.3f (< %.2f): it does not learn the task, so suppression has nothing to suppress; raise --inner-steps, --support or the environment's learning rate", worst, SophonTrainer.attackerLearnsThreshold))
        }
        session.sophon = (name, trainer)
        session.classifierHeads[name] = classifier.head
        return trainer
    }

    static func loadRestricted(_ path: String?, _ context: CommandContext, model: GPT2Model, maxTokens: Int) throws -> SentimentDataset {
        let resolved = DataPaths.resolve(path ?? defaultRestricted)
        return try SentimentDataset(name: URL(fileURLWithPath: resolved).lastPathComponent, texts: try SentimentDataset.read(resolved),
                                    tokenizer: try context.session.tokenizer(), maxTokens: min(maxTokens, model.config.contextLength))
    }

    static func line(_ r: SophonIterationReport) -> String {
        String(format: "iteration %d: FTS query loss %.4f, accuracy %.3f (%@), NTR loss %.4f, guard original-domain ppl %.2f",
               r.iteration, r.queryLoss, r.queryAccuracy, r.environmentAccuracy.map { String(format: "%.2f", $0) }.joined(separator: "/"),
               r.reinforcementLoss, r.heldOutPerplexity) + (r.drawnEnvironments.map { " (drawn: \($0.joined(separator: "/")))" } ?? "")
    }

    static func json(_ r: SophonIterationReport) -> JSONValue {
        .object([("iteration", .int(r.iteration)), ("query_loss", .number(r.queryLoss)), ("query_accuracy", .number(r.queryAccuracy)),
                 ("final_query_accuracy", r.finalQueryAccuracy.map(JSONValue.number) ?? .null),
                 ("drawn_environments", r.drawnEnvironments.map { .array($0.map(JSONValue.string)) } ?? .null),
                 ("environment_accuracy", .array(r.environmentAccuracy.map(JSONValue.number))),
                 ("ntr_loss", .number(r.reinforcementLoss)), ("heldout_loss", .number(r.heldOutLoss)),
                 ("heldout_perplexity", .number(r.heldOutPerplexity))])
    }
}
