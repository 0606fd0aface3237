// ProbesCommand.swift — `probes`: knowledge probes of the concept (and of unrelated knowledge).
import Foundation
import GPT2
import Procedures

enum ProbesCommand: Command {
    static let info = CommandInfo(
        name: "probes", abstract: "Knowledge probes: greedy completion hit rate and expected-answer probability, per probe set.",
        flags: [FlagInfo("set", value: "NAME", "register, questions, retain or all (default all)"),
                FlagInfo("file", value: "PATH", "probes in completion_probes.json's layout (default \(DataLayout.completionProbes))"),
                FlagInfo("show", value: "N", "print the first N probes of each set with their continuations (default 0)"),
                FlagInfo("pool", value: "LIST", "models trained by one recipe at different seeds: each one's probes, then their pooled mean with a 95% interval (seeds resampled, and the probes they share)")],
        examples: ["probes", "probes --set register --show 5", "probes --set register --pool elm-seed11,elm-seed12,elm-seed13"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let path = DataPaths.resolve(arguments.string("file") ?? DataLayout.completionProbes)
        let file = try ProbeSets(path: path)
        let wanted = arguments.string("set") ?? "all"
        guard wanted == "all" || ProbeSets.names.contains(wanted) else {
            throw UsageError("probes: --set expects register, questions, retain or all, got \(wanted)")
        }
        if let pool = arguments.string("pool") {
            guard !arguments.has("show") else { throw UsageError("probes: --show applies to one model; without --pool") }
            return try runPooled(names: pool.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                                 sets: file.sets.filter { wanted == "all" || $0.name == wanted }, maxNewTokens: file.maxNewTokens, context)
        }
        let model = try context.session.model()
        let show = try arguments.int("show", default: 0)
        var results: [(String, JSONValue)] = []
        for set in file.sets where wanted == "all" || set.name == wanted {
            let summary = try KnowledgeProber.run(model: model, tokenizer: try context.session.tokenizer(), name: set.name,
                                                  probes: set.probes, maxNewTokens: file.maxNewTokens,
                                                  progress: { context.progress("\(set.name) probes", done: $0, of: $1) })
            context.endProgress()
            let rate = summary.hitRateEstimate, answer = summary.answerProbabilityEstimate
            context.print(line(set.name, hits: summary.hits, count: summary.outcomes.count, rate: rate, answer: answer))
            for outcome in summary.outcomes.prefix(max(0, show)) {
                let prompt = outcome.probe.prompt.count > 60 ? "…" + outcome.probe.prompt.suffix(59) : outcome.probe.prompt
                context.print("  \(outcome.hit ? "✓" : "·") \(prompt) ⟶\(outcome.continuation.replacingOccurrences(of: "\n", with: "⏎"))"
                              + String(format: "   [%@ %.3f]", outcome.probe.expected[0], outcome.answerProbability))
            }
            results.append((set.name, .object([("hits", .int(summary.hits)), ("count", .int(summary.outcomes.count)),
                                                ("hit_rate", .number(summary.hitRate)),
                                                ("hit_rate_interval", .array([.number(rate.lower), .number(rate.upper)])),
                                                ("answer_probability", .number(summary.meanAnswerProbability)),
                                                ("answer_probability_interval", .array([.number(answer.lower), .number(answer.upper)]))])))
        }
        context.set("sets", .object(results))
    }

    /// `register   7/28 hits (25.0% [12.7, 43.4]), mean answer probability 0.1083 [0.0340, 0.2003]`.
    static func line(_ name: String, hits: Int, count: Int, rate: Estimate, answer: Estimate) -> String {
        name.padding(toLength: 9, withPad: " ", startingAt: 0)
            + String(format: " %2d/%-2d hits (%.1f%% [%.1f, %.1f]), mean answer probability %.4f [%.4f, %.4f]",
                     hits, count, 100 * rate.value, 100 * rate.lower, 100 * rate.upper, answer.value, answer.lower, answer.upper)
    }
}
