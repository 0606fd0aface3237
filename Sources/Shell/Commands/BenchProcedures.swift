// BenchProcedures.swift — `bench sophon` and `bench finetune`: what users wait for, on the current
// model (gpt2-mini by default), each on a copy so the session is untouched.
import Autograd
import Foundation
import GPT2
import Procedures

extension BenchCommand {
    /// One SOPHON outer iteration at the session's `sophon config` settings.
    static func sophonIteration(_ context: CommandContext, reps: Int) throws {
        let session = context.session
        let model = try session.model().copy()
        let settings = session.sophonSettings
        let restricted = try SophonTrainer.loadReviews(nil, tokenizer: try session.tokenizer(), model: model, maxTokens: settings.maxReviewTokens)
        let original = try DataLayout.originalDomain(tokenizer: try session.tokenizer())
        var rng = RNG(seed: settings.seed &+ 1)
        let trainer = try SophonTrainer(classifier: SequenceClassifier(body: model, rng: &rng), settings: settings,
                                        restricted: restricted, original: original)
        let seconds = try median(reps) { _ = try trainer.step() }
        context.note(String(format: "SOPHON iteration (%d environments × K = %d of %d + %d reviews, %d NTR batches): %.2f s",
                            settings.environmentsPerIteration ?? settings.environments.count, settings.innerSteps, settings.supportSize,
                            settings.querySize, settings.reinforcementLoops, seconds))
        context.set("sophon_iteration_seconds", .number(seconds))
    }

    /// One epoch of the calibrated attack (AdamW 1e-3, a new head, batches of 8) on the short training reviews.
    static func finetuneEpoch(_ context: CommandContext, reps: Int) throws {
        let model = try context.session.model()
        let tokenizer = try context.session.tokenizer()
        let train = try SophonTrainer.loadReviews(SentimentData.defaultTrain, tokenizer: tokenizer, model: model, maxTokens: model.config.contextLength)
        let test = try SophonTrainer.loadReviews(SentimentData.defaultTest, tokenizer: tokenizer, model: model, maxTokens: model.config.contextLength).prefix(8)
        var settings = FineTuneSettings()
        settings.learningRate = 1e-3
        settings.epochs = 1
        let seconds = try median(reps) {
            var rng = RNG(seed: 0)
            _ = try FineTuneAttack.run(SequenceClassifier(body: model.copy(), rng: &rng), train: train, test: test, settings: settings)
        }
        context.note(String(format: "attack epoch (AdamW, %d reviews in batches of 8, test on 8 twice): %.2f s, %.0f reviews/s",
                            train.count, seconds, Double(train.count) / seconds))
        context.set("finetune_epoch_seconds", .number(seconds))
    }
}
