// PerplexityCommand.swift — `perplexity`: held-out perplexity per source of the demo corpus (the
// model card's table, SOPHON's intactness, ELM/WHP's concept and original-domain perplexity).
import Foundation
import GPT2
import Procedures

enum PerplexityCommand: Command {
    static let info = CommandInfo(
        name: "perplexity", abstract: "Held-out perplexity per corpus source (novels, imdb, original, wikitext, holmes), optionally beside a unigram baseline.",
        flags: [FlagInfo("windows", value: "N", "held-out windows of the model's context per source (default 32)"),
                FlagInfo("sources", value: "LIST", "comma-separated subset, e.g. original,wikitext"),
                FlagInfo("unigram", "also score a unigram model of each source's training split"),
                FlagInfo("data", value: "DIR", "corpus folder (default \(DataLayout.root))")],
        examples: ["perplexity", "perplexity --sources holmes,original --windows 64", "perplexity --unigram"],
        discussion: "Held-out text is the last 5% of every file, never trained on by `pretrain`; windows are consecutive and fixed, so numbers compare across models.")

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let model = try context.session.model()
        let windowsPerSource = try arguments.int("windows", default: 32)
        guard windowsPerSource >= 1 else { throw UsageError("perplexity: --windows must be at least 1") }
        var sources = try PretrainCommand.sources(data: arguments.string("data"), resolve: DataPaths.resolve)
        if let wanted = arguments.string("sources")?.split(separator: ",").map(String.init) {
            let known = sources.map(\.name)
            if let unknown = wanted.first(where: { !known.contains($0) }) {
                throw UsageError("perplexity: unknown source \(unknown) (expected some of \(known.joined(separator: ", ")))")
            }
            sources = sources.filter { wanted.contains($0.name) }
        }
        let corpus = try TokenCorpus(sources: sources, tokenizer: try context.session.tokenizer(), cacheDirectory: DataLayout.tokenCache)
        var rows: [(String, JSONValue)] = []
        for (index, part) in corpus.parts.enumerated() {
            let windows = corpus.heldOutWindows(part: index, length: model.config.contextLength - 1, limit: windowsPerSource)
            let loss = try meanLoss(model: model, windows: windows, batchSize: 8,
                                    progress: { context.progress("perplexity on \(part.name)", done: $0, of: $1) })
            context.endProgress()
            let tokens = windows.reduce(0) { $0 + $1.count - 1 }
            var line = part.name.padding(toLength: 9, withPad: " ", startingAt: 0) + String(format: " %7d tokens  loss %.4f  perplexity %8.2f", tokens, loss, exp(loss))
            var fields: [(String, JSONValue)] = [("tokens", .int(tokens)), ("loss", .number(loss)), ("perplexity", .number(exp(loss)))]
            if arguments.has("unigram") {
                let unigram = UnigramModel(trainingStreams: [part.train], vocabularySize: model.config.vocabSize).meanLoss(windows: windows)
                line += String(format: "   unigram %8.2f", exp(unigram))
                fields.append(("unigram_perplexity", .number(exp(unigram))))
            }
            context.print(line)
            rows.append((part.name, .object(fields)))
        }
        context.set("sources", .object(rows))
    }
}
