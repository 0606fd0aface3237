// FluencyCommand.swift — `fluency`: does the model still talk sensibly when prompted about the concept?
import Autograd
import Foundation
import GPT2
import Procedures

enum FluencyCommand: Command {
    static let info = CommandInfo(
        name: "fluency", abstract: "Reverse perplexity: continuations of concept prompts from the current model, scored by a reference model.",
        flags: [FlagInfo("reference", value: "NAME", required: true, "loaded model that scores the continuations (e.g. the original model)"),
                FlagInfo("tokens", value: "T", "new tokens per prompt (default 32)"),
                FlagInfo("set", value: "NAME", "probe prompts to continue: questions (default) or register"),
                FlagInfo("show", value: "K", "continuations to print (default 3)"),
                FlagInfo("seed", value: "S", "sampling seed (default 0); top-p 0.95, temperature 1")],
        examples: ["fluency --reference gpt2-mini", "fluency --reference original --set register --show 5"])

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        let model = try context.session.model()
        guard let referenceName = a.string("reference") else { throw UsageError("fluency: --reference NAME is required (a loaded model that scores)") }
        guard let reference = context.session.models[referenceName] else {
            throw UsageError("fluency: no model named \(referenceName) (loaded: \(context.session.models.keys.sorted().joined(separator: ", ")))")
        }
        let file = try DataLayout.probes()
        let setName = a.string("set") ?? "questions"
        guard let set = file.sets.first(where: { $0.name == setName }) else { throw UsageError("fluency: --set expects questions or register") }
        let tokenizer = try context.session.tokenizer()
        let seed = try a.seed(default: 0)
        var rng = RNG(seed: seed)
        let prompts = set.probes.map { tokenizer.encode($0.prompt) }
        let (perplexity, samples) = try ReversePerplexity.measure(model: model, reference: reference, prompts: prompts,
                                                                   newTokens: max(1, try a.int("tokens", default: 32)), rng: &rng,
                                                                   progress: { context.progress("fluency", done: $0, of: $1) })
        context.endProgress()
        context.print(String(format: "reverse perplexity %.2f (%d %@ prompts continued by %@, scored by %@)", perplexity, prompts.count,
                             setName, context.session.currentName ?? "model", referenceName))
        for (probe, sample) in zip(set.probes, samples).prefix(max(0, try a.int("show", default: 3))) {
            context.print("  \(probe.prompt) ⟶\(tokenizer.decode(sample).replacingOccurrences(of: "\n", with: " "))")
        }
        context.set("reverse_perplexity", .number(perplexity))
    }
}
