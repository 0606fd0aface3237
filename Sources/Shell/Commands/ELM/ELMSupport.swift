// ELMSupport.swift — what the `elm` commands share: the procedure on a copy of the current model,
// its concept passages (Holmes books' training split), retain passages and prompt pairs.
import Autograd
import Foundation
import GPT2
import Procedures

enum ELMSupport {
    static func procedure(_ context: CommandContext) throws -> ELMProcedure {
        if let running = context.session.elm { return running.procedure }
        let session = context.session
        let base = try session.model()
        let tokenizer = try session.tokenizer()
        let settings = session.elmSettings
        func text(_ folder: String, _ keep: (String) -> Bool) throws -> String {
            let dir = DataPaths.resolve(folder)
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".txt") && keep($0) }.sorted()
            guard !files.isEmpty else { throw UsageError("elm: no text files under \(dir)") }
            // The training pool only, by the same token split as pretraining and every measurement.
            return try TokenCorpus.trainingText(of: files.map { dir + "/" + $0 }, tokenizer: tokenizer, cacheDirectory: ".lethe-cache/tokens")
                .joined(separator: "\n\n")
        }
        var rng = RNG(seed: settings.seed)
        var forget = ELMProcedure.passages(from: try text("examples/data/concept") { $0.hasPrefix("holmes") }, characters: settings.passageCharacters)
        var retain = ELMProcedure.passages(from: try text("examples/data/original-domain") { _ in true }, characters: settings.passageCharacters)
        rng.shuffle(&forget)
        rng.shuffle(&retain)
        let pairs = try promptPairs(session)
        let name = (session.currentName ?? "model") + "-elm"
        let procedure = try ELMProcedure(model: base.copy(), tokenizer: tokenizer, forget: forget, retain: retain, pairs: pairs, settings: settings)
        session.add(procedure.model, name: name)
        session.elm = (name, procedure)
        context.print("ELM on a copy of the current model, in the session as \(name): \(forget.count) concept passages, \(retain.count) retain passages, \(pairs.count) prompt pairs; LoRA rank \(settings.rank) on layers \(settings.layers.map(String.init).joined(separator: ","))")
        return procedure
    }

    /// The pairs `elm config --pairs` chose, or the source lines the demo models were trained with.
    static func promptPairs(_ session: Session) throws -> [PromptPair] {
        guard let path = session.elmSettings.pairs else { return PromptPair.sourceLinePairs }
        return try PromptPair.load(path: DataPaths.resolve(path), concept: session.elmSettings.concept ?? ELMSettings.defaultConcept)
    }

    static func line(_ iteration: Int, _ l: ELMTermLosses) -> String {
        String(format: "iteration %d: erase %.4f, retain %.4f, fluency %.4f", iteration, l.erase, l.retain, l.fluency)
    }
}
