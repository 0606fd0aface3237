// WHPSupport.swift — what the `whp` commands share: the procedure bound to the baseline model, its
// target text (the Holmes books' training split) and dictionary, and progress reporting.
import Foundation
import GPT2
import Procedures

enum WHPSupport {
    /// The procedure in progress, or a new one on the current model (the baseline).
    static func procedure(_ context: CommandContext) throws -> WHPProcedure {
        if let running = context.session.whp { return running }
        let session = context.session
        let baseline = try session.model()
        let tokenizer = try session.tokenizer()
        let dictionary = try AnchorDictionary(path: DataPaths.resolve(session.whpSettings.dictionary ?? WHPSettings.defaultDictionary), tokenizer: tokenizer)
        let corpus = try DataLayout.holmesCorpus(tokenizer: tokenizer, for: "whp")
        let procedure = try WHPProcedure(baseline: baseline, dictionary: dictionary, target: corpus.parts[0].train, settings: session.whpSettings)
        session.whp = procedure
        context.print("WHP on \(session.currentName ?? "model") (the baseline): target \(procedure.target.count) tokens of the Holmes books' training split, \(procedure.blockCount) blocks of \(procedure.settings.blockLength); \(dictionary.terms.count) anchored terms")
        return procedure
    }

    static func reporter(_ context: CommandContext) -> (WHPEvent) -> Void {
        { event in
            switch event {
            case let .step(phase, step, total, loss): context.progress(String(format: "%@ step %d/%d  loss %.4f", phase, step, total, loss))
            case let .labelled(block, total): context.progress("labelled block \(block)/\(total)")
            }
        }
    }
}
