// BenchProcedures.swift — `bench sophon`, `bench finetune`, `bench elm` and `bench probes`: what users wait for, on the current
// model (gpt2-mini by default), each on a copy so the session is untouched.
import Autograd
import Foundation
import GPT2
import Procedures

extension BenchCommand {
    /// One SOPHON outer iteration at the session's `sophon config` settings.
    static func sophonIteration(_ context: CommandContext, reps: Int) throws {
        let session = context.session
        let settings = session.settings(for: SophonTrainer.self)
        // A copy of the current model with a new head (nil: never the session's), as a run would start.
        let start = ProcedureStart(model: try session.model().copy(), modelName: "bench", tokenizer: try session.tokenizer(),
                                   classifierHead: nil, say: { _ in }, progress: { _ in })
        let trainer = try SophonTrainer.make(start, settings: settings)
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

    /// One ELM optimizer update (`accumulation` iterations: erase, retain and fluency terms) at the
    /// session's `elm config` settings, on a copy of the current model. The fluency data is made first, untimed.
    static func elmUpdate(_ context: CommandContext, reps: Int) throws {
        let session = context.session
        var settings = session.settings(for: ELMProcedure.self)
        settings.fluencySamples = min(settings.fluencySamples, 4)   // only the update is timed
        let start = ProcedureStart(model: try session.model().copy(), modelName: "bench", tokenizer: try session.tokenizer(),
                                   classifierHead: nil, say: { _ in }, progress: { _ in })
        let procedure = try ELMProcedure.start(start, settings: settings).procedure
        try procedure.prepare()
        let seconds = try median(reps) { for _ in 0..<settings.accumulation { _ = try procedure.step() } }
        context.note(String(format: "ELM update (%d iterations of one concept, retain and fluency passage; LoRA rank %d on %d blocks): %.2f s",
                            settings.accumulation, settings.rank, settings.layers.count, seconds))
        context.set("elm_update_seconds", .number(seconds))
    }

    /// `forget report`'s measurements of one model: memorisation and membership on 100 member and 100
    /// held-out passages of 128 tokens with 40 verbatim continuations, the probes, and perplexity.
    static func forgetReport(_ context: CommandContext, reps: Int) throws {
        let session = context.session
        let model = try session.model(), tokenizer = try session.tokenizer()
        let corpus = try TokenCorpus(sources: try PretrainCommand.sources(data: nil, resolve: DataPaths.resolve).filter { ["holmes", "original", "wikitext"].contains($0.name) },
                                     tokenizer: tokenizer, cacheDirectory: DataLayout.tokenCache)
        guard let concept = corpus.parts.firstIndex(where: { $0.name == "holmes" }) else { throw UsageError("bench probes: no Holmes books in the corpus") }
        let passages = try ConceptPassages(part: corpus.parts[concept], count: 100, length: 128)
        let probes = try DataLayout.probes()
        let seconds = try median(reps) {
            _ = try ForgetReportCommand.measure("bench", model, passages: passages, verbatim: 40, probes: probes, corpus: corpus, tokenizer: tokenizer, context)
        }
        context.note(String(format: "forget report, one model (%d + %d passages of 128 tokens, 40 verbatim continuations, %d probes, 2 perplexities): %.2f s",
                            passages.members.count, passages.holdout.count, probes.sets.map(\.probes.count).reduce(0, +), seconds))
        context.set("forget_report_seconds", .number(seconds))
    }
}
