// ZeroShotCommand.swift — `zeroshot sentiment`: the notebook's part (a), no training at all.
import Foundation
import GPT2
import Procedures

enum ZeroShotCommand: Command {
    static let info = CommandInfo(
        name: "zeroshot sentiment",
        abstract: "Zero-shot IMDB sentiment: compare the logits of \"positive\" and \"negative\" after the notebook's prompt.",
        arguments: "[TEXT]",
        flags: [FlagInfo("test", value: "PATH", "labelled reviews (default \(DataLayout.testReviews))"),
                FlagInfo("test-limit", value: "N", "the first N reviews only (the notebook uses 100)"),
                FlagInfo("template", value: "T", "the prompt, with {text} where the review goes"),
                FlagInfo("batch", value: "B", "prompts per forward pass (default 8)")],
        examples: ["zeroshot sentiment --test-limit 100", #"zeroshot sentiment "The movie was terrible!""#],
        discussion: "Reviews that do not fit the model's context with the prompt are cut at a token boundary (the notebook did not cut; real GPT-2 then fails on reviews over 1,024 tokens).")

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let model = try context.session.model()
        let scorer = try ZeroShotSentiment(tokenizer: try context.session.tokenizer(),
                                           template: arguments.string("template") ?? ZeroShotSentiment.defaultTemplate)
        let batch = max(1, try arguments.int("batch", default: 8))
        if !arguments.positionals.isEmpty {
            let text = try arguments.text("a text")
            let p = try scorer.positiveProbabilities(model: model, texts: [text]).probabilities[0]
            context.print(String(format: "P(negative) %.4f  P(positive) %.4f  → %@", 1 - p, p, p > 0.5 ? "positive" : "negative"))
            context.set("p_positive", .number(p))
            return
        }
        let path = DataPaths.resolve(arguments.string("test") ?? DataLayout.testReviews)
        var examples = try SentimentDataset.read(path)
        if arguments.string("test-limit") != nil {
            let limit = try arguments.int("test-limit", default: 0)
            guard limit >= 1 else { throw UsageError("zeroshot sentiment: --test-limit must be at least 1") }
            examples = Array(examples.prefix(limit))
        }
        let result = try scorer.evaluate(model: model, examples: examples, batchSize: batch,
                                         progress: { context.progress("zero-shot", done: $0, of: $1) })
        context.endProgress()
        let m = result.metrics
        let accuracy = Intervals.wilson(successes: m.truePositives + m.trueNegatives, trials: m.count)
        context.print(String(format: "zero-shot on %d reviews of %@: accuracy %.3f [%.3f, %.3f]  precision %.3f  recall %.3f  F1 %.3f",
                             m.count, URL(fileURLWithPath: path).lastPathComponent, m.accuracy, accuracy.lower, accuracy.upper, m.precision, m.recall, m.f1))
        context.print("confusion (rows = truth):   predicted neg  predicted pos")
        context.print(String(format: "  negative                %9d  %13d", m.trueNegatives, m.falsePositives))
        context.print(String(format: "  positive                %9d  %13d", m.falseNegatives, m.truePositives))
        context.print(String(format: "predicted positive: %.1f%%", 100 * m.predictedPositiveShare)
                      + (result.truncated > 0 ? "  (\(result.truncated) reviews cut to fit the context)" : ""))
        context.set("examples", .int(m.count))
        context.set("accuracy", .number(m.accuracy))
        context.set("accuracy_interval", .array([.number(accuracy.lower), .number(accuracy.upper)]))
        context.set("precision", .number(m.precision))
        context.set("recall", .number(m.recall))
        context.set("f1", .number(m.f1))
        context.set("confusion", .array([.ints([m.trueNegatives, m.falsePositives]), .ints([m.falseNegatives, m.truePositives])]))
        context.set("predicted_positive", .number(m.predictedPositiveShare))
        context.set("truncated", .int(result.truncated))
    }
}
