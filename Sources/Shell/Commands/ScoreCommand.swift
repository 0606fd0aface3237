// ScoreCommand.swift — `score TEXT` / `score --file PATH`: mean next-token loss and perplexity.
import Foundation
import GPT2
import Procedures

enum ScoreCommand: Command {
    static let info = CommandInfo(
        name: "score", abstract: "Mean next-token loss (nats) and perplexity of a text or file under the current model.",
        arguments: "[TEXT]",
        flags: [FlagInfo("file", value: "PATH", "score a UTF-8 text file (in context-sized windows)")],
        examples: [#"score "It was a dark and stormy night.""#, "score --file examples/data/original-domain/wells_time_machine_pg35.txt"])

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
        let loss = try meanLoss(model: model, windows: windows, batchSize: 8)
        let scored = windows.reduce(0) { $0 + $1.count - 1 }
        context.print(String(format: "tokens %d, loss %.4f nats, perplexity %.2f", scored, loss, exp(loss)))
        context.set("tokens", .int(scored))
        context.set("loss", .number(loss))
        context.set("perplexity", .number(exp(loss)))
    }
}
