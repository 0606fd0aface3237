// LogitsCommand.swift — `logits TEXT --top K`: the next-token distribution after a text.
import Procedures
import Foundation
import GPT2

enum LogitsCommand: Command {
    static let info = CommandInfo(
        name: "logits", abstract: "The likeliest next tokens after a text, with probabilities and logits.",
        arguments: "TEXT", flags: [FlagInfo("top", value: "K", "how many tokens (default 10)")],
        examples: [#"logits "Elementary, my dear" --top 5"#])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let text = try arguments.text("a text")
        let k = try arguments.int("top", default: 10)
        guard k > 0 else { throw UsageError("logits: --top must be positive") }
        let model = try context.session.model()
        let tokenizer = try context.session.tokenizer()
        let ids = tokenizer.encode(text)
        guard !ids.isEmpty else { throw UsageError("logits: the text has no tokens") }
        let logits = try model.logits(TokenBatch(sequences: [Array(ids.suffix(model.config.contextLength))]))
        let last = Array(logits.data.suffix(model.config.vocabSize))
        let top = topTokens(last, k: k)
        var rows: [JSONValue] = []
        for (rank, (id, p, z)) in top.enumerated() {
            context.print(String(format: "%2d  ", rank + 1) + pad("[" + visible(tokenizer.tokenText(id)) + "]", 16) + String(format: " p %.4f  logit %.3f  (id %d)", p, z, id))
            rows.append(.object([("id", .int(Int(id))), ("token", .string(tokenizer.tokenText(id))), ("probability", .number(p)), ("logit", .number(Double(z)))]))
        }
        context.set("top", .array(rows))
    }
}

/// The `k` highest logits of one row with their softmax probabilities: `(id, probability, logit)`.
func topTokens(_ row: [Float], k: Int) -> [(Int32, Double, Float)] {
    let maxLogit = row.max() ?? 0
    let total = row.reduce(0.0) { $0 + exp(Double($1 - maxLogit)) }
    let order = row.indices.sorted { row[$0] > row[$1] }.prefix(k)
    return order.map { (Int32($0), exp(Double(row[$0] - maxLogit)) / total, row[$0]) }
}
