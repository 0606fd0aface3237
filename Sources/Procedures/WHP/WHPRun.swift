// WHPRun.swift — how a WHP run starts (bound to the current model, the baseline; its target is the
// Holmes books' training split) and how it reports where its three moves stand.
import Foundation
import GPT2

extension WHPProcedure {
    public static let trainsInPlace = false

    public static func start(_ start: ProcedureStart, settings: WHPSettings) throws -> StartedRun<WHPProcedure> {
        let dictionary = try AnchorDictionary(path: DataPaths.resolve(settings.dictionary ?? WHPSettings.defaultDictionary), tokenizer: start.tokenizer)
        let corpus = try DataLayout.holmesCorpus(tokenizer: start.tokenizer, for: "whp")
        let procedure = try WHPProcedure(baseline: start.model, dictionary: dictionary, target: corpus.parts[0].train, settings: settings)
        start.say("WHP on \(start.modelName) (the baseline): target \(procedure.target.count) tokens of the Holmes books' training split, \(procedure.blockCount) blocks of \(procedure.settings.blockLength); \(dictionary.terms.count) anchored terms")
        return StartedRun(procedure, modelName: start.modelName)
    }

    public static func noRunLines(_ settings: WHPSettings) -> [String] {
        ["no WHP run yet; `whp anchors`, `whp translate` or `whp reinforce` starts one on the current model"]
    }

    public func statusLines(modelName: String, last: Int) -> [String] {
        let s = settings
        return ["reinforce \(reinforceStep)/\(s.reinforceSteps) steps; labels \(labelled.count)/\(min(s.blocks, blockCount)) blocks; finetune \(finetuneStep)/\(s.finetuneSteps) steps",
                String(format: "alpha %g, penalty %g, blocks of %d tokens, lr %g / %g, batch %d", s.labels.alpha, s.labels.repeatPenalty,
                       s.blockLength, s.reinforceLearningRate, s.finetuneLearningRate, s.batchSize)]
    }

    public var statusFields: [(String, JSONValue)] {
        [("reinforce_steps", .int(reinforceStep)), ("labelled_blocks", .int(labelled.count)), ("finetune_steps", .int(finetuneStep))]
    }
}
