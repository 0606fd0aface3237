// ProbesPooled.swift — `probes --pool A,B,C`: one recipe trained at several seeds is one result. Each
// model's probes, then the pooled mean over the models: models resampled as seeds, and one set of
// probes resampled and shared by the drawn models, since all of them answered the same probes.
import Foundation
import GPT2
import Procedures

extension ProbesCommand {
    static func runPooled(names: [String], sets: [(name: String, probes: [KnowledgeProbe])], maxNewTokens: Int, _ context: CommandContext) throws {
        guard names.count >= 2 else { throw UsageError("probes: --pool needs at least two models, comma-separated (got \(names.count))") }
        guard Set(names).count == names.count else { throw UsageError("probes: --pool names a model twice; each model is one seed") }
        let models = try names.map { try context.session.model(named: $0, for: "probes --pool") }
        let tokenizer = try context.session.tokenizer()
        var results: [(String, JSONValue)] = []
        for set in sets {
            var hits: [[Double]] = [], answers: [[Double]] = []
            for (name, model) in zip(names, models) {
                let summary = try KnowledgeProber.run(model: model, tokenizer: tokenizer, name: set.name, probes: set.probes, maxNewTokens: maxNewTokens,
                                                      progress: { context.progress("\(name): \(set.name) probes", done: $0, of: $1) })
                context.endProgress()
                context.print("\(name): " + line(set.name, hits: summary.hits, count: summary.outcomes.count,
                                                  rate: summary.hitRateEstimate, answer: summary.answerProbabilityEstimate))
                hits.append(summary.outcomes.map { $0.hit ? 1 : 0 })
                answers.append(summary.outcomes.map(\.answerProbability))
            }
            // Every model answered the same probes: seeds and one shared set of probes are resampled.
            let rate = Intervals.crossedBootstrapMean(hits), answer = Intervals.crossedBootstrapMean(answers)
            let total = hits.joined().reduce(0, +), count = hits.joined().count
            context.print("pooled over \(names.count) models: " + line(set.name, hits: Int(total), count: count, rate: rate, answer: answer))
            results.append((set.name, .object([("models", .array(names.map { .string($0) })), ("hits", .int(Int(total))), ("count", .int(count)),
                                                ("hit_rate", .number(rate.value)), ("hit_rate_interval", .array([.number(rate.lower), .number(rate.upper)])),
                                                ("answer_probability", .number(answer.value)),
                                                ("answer_probability_interval", .array([.number(answer.lower), .number(answer.upper)]))])))
        }
        context.set("sets", .object(results))
    }
}
