// ScoreCommand.swift — `score TEXT` / `score --file PATH`: mean next-token loss and perplexity.
import Autograd
import Foundation
import GPT2
import Procedures

enum ScoreCommand: Command {
    static let info = CommandInfo(
        name: "score", abstract: "Mean next-token loss (nats) and perplexity of a text or file under the current model.",
        arguments: "[TEXT]",
        flags: [FlagInfo("file", value: "PATH", "score a UTF-8 text file (in context-sized windows)"),
                FlagInfo("per-token", "also list every token's loss and probability (a text of at most one context)")],
        examples: [#"score "It was a dark and stormy night.""#, #"score "Sherlock Holmes took his bottle from the corner." --per-token"#, "score --file examples/data/original-domain/wells_time_machine_pg35.txt"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let text: String
        if let file = arguments.string("file") {
            guard let contents = try? String(contentsOfFile: (file as NSString).expandingTildeInPath, encoding: .utf8) else {
                throw UsageError("score: cannot read \(file) (expected a UTF-8 text file)")
            }
            text = contents
        } else {
            text = try arguments.text("a text, or --file PATH")
        }
        let model = try context.session.model()
        let ids = try context.session.tokenizer().encode(text)
        guard ids.count >= 2 else { throw UsageError("score: the text has \(ids.count) token; at least 2 are needed") }
        // Non-overlapping windows of the model's context (each window's first token has no prediction).
        let window = model.config.contextLength
        var windows: [[Int32]] = []
        var start = 0
        while start < ids.count - 1 {
            let end = min(ids.count, start + window)
            windows.append(Array(ids[start..<end]))
            start = end - 1
        }
        if arguments.has("per-token") { try perToken(ids, model, context) }
        let loss = try meanLoss(model: model, windows: windows, batchSize: 8, progress: { context.progress("score", done: $0, of: $1) })
        context.endProgress()
        let scored = windows.reduce(0) { $0 + $1.count - 1 }
        context.print(String(format: "tokens %d, loss %.4f nats, perplexity %.2f", scored, loss, exp(loss)))
        context.set("tokens", .int(scored))
        context.set("loss", .number(loss))
        context.set("perplexity", .number(exp(loss)))
    }

    /// Each token's loss −log p(token | the tokens before it), from one forward pass.
    private static func perToken(_ ids: [Int32], _ model: GPT2Model, _ context: CommandContext) throws {
        guard ids.count <= model.config.contextLength else {
            throw UsageError("score --per-token: the text has \(ids.count) tokens, more than the model's context of \(model.config.contextLength)")
        }
        let tokenizer = try context.session.tokenizer()
        let losses = ids.count >= 2 ? try model.tokenLosses(ids) : []
        var rows: [JSONValue] = []
        context.print("  pos  token            loss     p")
        for (t, loss) in zip(1..., losses) {
            context.print(String(format: "  %3d  ", t) + pad("[" + visible(tokenizer.tokenText(ids[t])) + "]", 16) + String(format: " %6.3f  %.4f", loss, Foundation.exp(-loss)))
            rows.append(.object([("position", .int(t)), ("id", .int(Int(ids[t]))), ("token", .string(tokenizer.tokenText(ids[t]))),
                                 ("loss", .number(loss))]))
        }
        context.set("per_token", .array(rows))
    }
}
