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
                FlagInfo("interval", "each perplexity with a 95% bootstrap interval over the held-out windows"),
                FlagInfo("pool", value: "LIST", "models trained by one recipe at different seeds: each one's perplexity, then their pooled perplexity with a 95% interval (seeds resampled, and the windows they share)"),
                FlagInfo("baseline", value: "MODEL", "also the change in perplexity against MODEL on the same windows, with a paired 95% interval"),
                FlagInfo("data", value: "DIR", "corpus folder (default \(DataLayout.root))")],
        examples: ["perplexity", "perplexity --sources holmes,original --windows 64", "perplexity --unigram",
                   "perplexity --sources original --baseline gpt2-mini --pool elm-seed11,elm-seed12,elm-seed13"],
        discussion: "Held-out text is the last 5% of every file, never trained on by `pretrain`; windows are consecutive and fixed, so numbers compare across models. With --interval, --pool or --baseline each perplexity carries a 95% interval over those windows: a difference whose intervals overlap is a tie, and the paired change against --baseline is the sharper test.")

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
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
        let pool = arguments.string("pool").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        let baseline = arguments.string("baseline")
        if pool != nil || baseline != nil || arguments.has("interval") {
            guard !arguments.has("unigram") else { throw UsageError("perplexity: --unigram applies without --interval, --pool and --baseline") }
            guard windowsPerSource >= 2 else { throw UsageError("perplexity: --windows must be at least 2 for an interval (got \(windowsPerSource))") }
            if let pool {
                guard pool.count >= 2 else { throw UsageError("perplexity: --pool needs at least two models, comma-separated (got \(pool.count))") }
                guard Set(pool).count == pool.count else { throw UsageError("perplexity: --pool names a model twice; each model is one seed") }
                if let baseline, pool.contains(baseline) { throw UsageError("perplexity: --baseline \(baseline) is also in --pool; the baseline is what the pool is compared with") }
            } else {
                _ = try context.session.model()   // the bundled model, when none is loaded yet
            }
            guard let current = pool ?? context.session.currentName.map({ [$0] }) else { throw UsageError("perplexity: no model loaded (expected `load model` or `use` first, or --pool)") }
            let corpus = try TokenCorpus(sources: sources, tokenizer: try context.session.tokenizer(), cacheDirectory: DataLayout.tokenCache)
            let request = IntervalRequest(models: current, pooled: pool != nil, baseline: baseline, windowsPerSource: windowsPerSource)
            return try runWithIntervals(request, corpus: corpus, context)
        }
        let corpus = try TokenCorpus(sources: sources, tokenizer: try context.session.tokenizer(), cacheDirectory: DataLayout.tokenCache)
        let model = try context.session.model()
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
