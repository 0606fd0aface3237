// RelearnCommand.swift — `relearn`: the relearning attack — fine-tune a copy on a little concept text
// and watch the knowledge probes come back (or not).
import Foundation
import GPT2
import Procedures

enum RelearnCommand: Command {
    static let info = CommandInfo(
        name: "relearn", abstract: "Relearning attack: fine-tune a copy on a little Holmes text and probe as it trains.",
        flags: [FlagInfo("steps", value: "N", "fine-tuning steps (default 40)"), FlagInfo("eval-every", value: "K", "probe every K steps (default 10)"),
                FlagInfo("lr", value: "LR", "AdamW learning rate (default 3e-4)"),
                FlagInfo("tokens", value: "N", "how much Holmes text the attacker has: the first N tokens of the held-out split (default 8000)"),
                FlagInfo("batch", value: "B", "windows per step (default 8)"), FlagInfo("window", value: "T", "tokens per window (default 128)"),
                FlagInfo("seed", value: "S", "seed (default 5)"), Plot.flag("the register probes' answer probability against steps")],
        examples: ["relearn", "relearn --steps 100 --eval-every 20"],
        discussion: "The attacker's text is held-out Holmes text (never in the pretraining data), so probes recover only through what the model still holds or relearns.")

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        let model = try context.session.model()
        let tokenizer = try context.session.tokenizer()
        let corpus = try DataLayout.holmesCorpus(tokenizer: tokenizer, for: "relearn")
        let text = Array(corpus.parts[0].heldOut.prefix(max(1, try a.int("tokens", default: 8000))))
        let file = try DataLayout.probes()
        guard let register = file.sets.first(where: { $0.name == "register" }) else { throw UsageError("relearn: the probes file has no register_probes") }
        let seed = try a.seed(default: 5)
        let plot = try Plot.destination(a, context)
        let points = try RelearningAttack.run(model: model.copy(), tokenizer: tokenizer, text: text, probes: register.probes,
                                              maxNewTokens: file.maxNewTokens, steps: try a.int("steps", default: 40),
                                              evalEvery: try a.int("eval-every", default: 10), learningRate: try a.float("lr", default: 3e-4),
                                              batchSize: try a.int("batch", default: 8), windowLength: try a.int("window", default: 128), seed: seed,
                                              report: { p in
                                                  context.endProgress()
                                                  context.print(String(format: "step %3d: register probes %2d/%d hits, answer probability %.4f", p.step,
                                                                       p.register.hits, p.register.outcomes.count, p.register.meanAnswerProbability))
                                              }, progress: { context.progress("relearning", done: $0, of: $1) })
        context.endProgress()
        context.set("steps", .ints(points.map(\.step)))
        context.set("hits", .ints(points.map(\.register.hits)))
        context.set("answer_probability", .array(points.map { .number($0.register.meanAnswerProbability) }))
        try Plot.write(CurveChart.svg([CurveSeries(label: "\(context.session.currentName ?? "model"): register probes' answer probability",
                                                   points: points.map { (Double($0.step), $0.register.meanAnswerProbability) }),
                                       CurveSeries(label: "share of register probes answered",
                                                   points: points.map { (Double($0.step), Double($0.register.hits) / Double(max(1, $0.register.outcomes.count))) })],
                                      title: "Relearning on \(text.count) held-out Holmes tokens", xLabel: "fine-tuning step", yLabel: "probability / share"),
                       to: plot, what: "relearning curve", context)
    }
}
