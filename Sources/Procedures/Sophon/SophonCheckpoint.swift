// SophonCheckpoint.swift — a SOPHON model on disk: weights in the tf_model.h5 layout, the
// classification head, and (unless weights-only) both Adam states, the RNG and the position,
// so a run continues in a later session exactly where it stopped.
import Autograd
import Foundation
import GPT2

extension SophonTrainer {
    /// The settings part of a saved state (to size the data before the model is resumed).
    public struct SettingsOnly: Decodable { public let settings: SophonSettings }

    struct SavedState: Codable {
        var settings: SophonSettings
        var iteration: Int
        var rng: [UInt64]
        var log: [SophonIterationReport]
        var startingHeldOutLoss: Double
    }

    /// Writes the model with `score.weight`; with `includeState`, also everything needed to resume.
    public func save(to path: String, includeState: Bool = true) throws {
        var extras: [String: (shape: [Int], values: [Float])] = ["score.weight": (classifier.head.shape, classifier.head.data)]
        var attributes: [String: String] = [:]
        if includeState {
            for (key, values) in suppressionOptimizer.state() { extras["sophon/fts/" + key] = ([values.count], values) }
            for (key, values) in reinforcementOptimizer.state() { extras["sophon/ntr/" + key] = ([values.count], values) }
            if settings.reinforcement == .lastToken { extras["sophon/frozen_wte"] = (frozenUnembedding.shape, frozenUnembedding.data) }
            for p in frozenModel?.parameters ?? [] { extras["sophon/frozen/" + p.name] = (p.tensor.shape, p.tensor.data) }
            let state = SavedState(settings: settings, iteration: iteration, rng: rng.stateWords, log: log,
                                   startingHeldOutLoss: startingHeldOutLoss)
            attributes["sophon"] = try StableJSON.string(state)
        }
        let before = classifier.body.history
        classifier.body.history.append("SOPHON: \(iteration) iterations (\(settings.loss.rawValue) loss, alpha \(settings.alpha), beta \(settings.beta), K \(settings.innerSteps), environments \(settings.environments.map(\.description).joined(separator: " ")))")
        defer { classifier.body.history = before }
        try classifier.body.save(to: path, extras: extras, attributes: attributes)
    }

    /// `sophon resume`: the run saved at `path`, on the restricted reviews it was started on (or
    /// `restrictedPath`), its model and head named `name`.
    public static func resume(from path: String, as name: String, data restrictedPath: String?, tokenizer: BPETokenizer) throws -> StartedRun<SophonTrainer> {
        guard let json = try GPT2Model.loadAttribute("sophon", from: path),
              let saved = try? JSONDecoder().decode(SettingsOnly.self, from: Data(json.utf8)) else {
            throw GPT2Error("sophon resume: \(path) has no SOPHON state (saved --weights-only, or not a SOPHON checkpoint)")
        }
        let restricted = try loadReviews(restrictedPath ?? saved.settings.restrictedDataForResume, tokenizer: tokenizer,
                                         model: try GPT2Model.load(from: path), maxTokens: saved.settings.maxReviewTokens)
        let trainer = try resume(from: path, restricted: restricted, original: try DataLayout.originalDomain(tokenizer: tokenizer))
        return StartedRun(trainer, modelName: name, newModel: trainer.classifier.body, classifierHead: trainer.classifier.head)
    }

    /// Continues a run saved with state. The restricted and original data are given again (they
    /// are files the user has, not part of the checkpoint).
    public static func resume(from path: String, restricted: SentimentDataset, original: TokenCorpus) throws -> SophonTrainer {
        let model = try GPT2Model.load(from: path)
        guard let json = try GPT2Model.loadAttribute("sophon", from: path),
              let state = try? JSONDecoder().decode(SavedState.self, from: Data(json.utf8)) else {
            throw GPT2Error("\(path): no SOPHON state to resume (saved weights-only, or not a SOPHON checkpoint)")
        }
        let extras = try GPT2Model.loadExtras(from: path)
        guard let head = extras["score.weight"], head.shape == [2, model.config.embeddingSize] else {
            throw GPT2Error("\(path): score.weight is missing or not [2, \(model.config.embeddingSize)]")
        }
        let classifier = SequenceClassifier(body: model, head: Tensor(shape: head.shape, data: head.values, requiresGrad: true))
        let trainer = try SophonTrainer(classifier: classifier, settings: state.settings, restricted: restricted,
                                        original: original, startingHeldOutLoss: state.startingHeldOutLoss)
        func optimizerState(_ prefix: String) -> [String: [Float]] {
            var out: [String: [Float]] = [:]
            for (key, value) in extras where key.hasPrefix(prefix) { out[String(key.dropFirst(prefix.count))] = value.values }
            return out
        }
        do {
            try trainer.suppressionOptimizer.load(state: optimizerState("sophon/fts/"))
            try trainer.reinforcementOptimizer.load(state: optimizerState("sophon/ntr/"))
        } catch { throw GPT2Error("\(path): \(error)") }
        if let frozen = extras["sophon/frozen_wte"] {
            guard frozen.values.count == trainer.frozenUnembedding.count else { throw GPT2Error("\(path): sophon/frozen_wte has the wrong size") }
            trainer.frozenUnembedding.data = frozen.values
        }
        for p in trainer.frozenModel?.parameters ?? [] {   // the distill teacher: the model the run started from
            guard let saved = extras["sophon/frozen/" + p.name], saved.values.count == p.tensor.count else {
                throw GPT2Error("\(path): sophon/frozen/\(p.name) is missing or the wrong size (the distill objective's starting model)")
            }
            p.tensor.data = saved.values
        }
        guard let rng = RNG(stateWords: state.rng) else { throw GPT2Error("\(path): damaged RNG state") }
        trainer.rng = rng
        trainer.iteration = state.iteration
        trainer.log = state.log
        return trainer
    }
}
