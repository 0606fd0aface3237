// LensCommand.swift — `lens TEXT`: the logit lens (nostalgebraist 2020) — the residual stream after
// every block, read through ln_f and the tied head, at the last position.
import Procedures
import Autograd
import Foundation
import GPT2

enum LensCommand: Command {
    static let info = CommandInfo(
        name: "lens", abstract: "Logit lens: the top next token after every block, at the text's last position (or at every position).",
        arguments: "TEXT", flags: [FlagInfo("top", value: "K", "tokens shown per block (default 3)"),
                                   FlagInfo("all-positions", "a grid: every position of the text × every block, its top token and probability"),
                                   Plot.flag("the --all-positions grid (top token per cell, shaded by its probability)")],
        examples: [#"lens "Sherlock Holmes and Dr." --top 3"#, #"lens "Sherlock Holmes and Dr. Watson" --all-positions"#])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let text = try arguments.text("a text")
        let k = try arguments.int("top", default: 3)
        guard k > 0 else { throw UsageError("lens: --top must be positive") }
        let plot = try Plot.destination(arguments, context)
        if plot != nil && !arguments.has("all-positions") { throw UsageError("lens: --plot draws the --all-positions grid; add --all-positions") }
        let model = try context.session.model()
        let tokenizer = try context.session.tokenizer()
        let ids = Array(tokenizer.encode(text).suffix(model.config.contextLength))
        guard !ids.isEmpty else { throw UsageError("lens: the text has no tokens") }
        let layers = model.config.layerCount
        let wanted = Set([HookPoint.embed, .positionEmbed] + (0..<layers).map { HookPoint.block($0, .residPost) })
        let (_, cache) = try model.runWithCache(TokenBatch(sequences: [ids]), points: wanted.contains)
        var stages: [(String, Tensor)] = []
        if let e = cache[.embed], let p = cache[.positionEmbed] { stages.append(("embed", GradMode.withNoGrad { add(e, p) })) }
        for l in 0..<layers { if let r = cache[.block(l, .residPost)] { stages.append(("block \(l)", r)) } }
        if arguments.has("all-positions") { return try grid(stages, ids, model, tokenizer, plot: plot, context) }
        var rows: [JSONValue] = []
        for (name, stream) in stages {
            let last = GradMode.withNoGrad { sliceSequence(stream, (ids.count - 1)..<ids.count) }
            let normalized = GradMode.withNoGrad { layerNorm(last, weight: model.lnFWeight, bias: model.lnFBias, epsilon: model.config.layerNormEpsilon) }
            let row = GradMode.withNoGrad { model.logits(fromHidden: normalized) }.data
            let top = topTokens(row, k: k)
            context.print(name.padding(toLength: 9, withPad: " ", startingAt: 0) + top.map { "[" + visible(tokenizer.tokenText($0.0)) + "]" + String(format: " %.3f", $0.1) }.joined(separator: "  "))
            rows.append(.object([("stage", .string(name)), ("top", .array(top.map { .object([("token", .string(tokenizer.tokenText($0.0))), ("probability", .number($0.1))]) }))]))
        }
        context.set("stages", .array(rows))
    }

    /// Every position × every stage: the top token after that stage, read through ln_f and the head.
    private static func grid(_ stages: [(String, Tensor)], _ ids: [Int32], _ model: GPT2Model, _ tokenizer: BPETokenizer,
                             plot: (path: String, shown: String)?, _ context: CommandContext) throws {
        let cell = 14
        context.print(pad("position", 20) + stages.map { pad($0.0, cell) }.joined())
        var positions: [JSONValue] = []
        var tops = [[(Int32, Double)]](repeating: [], count: ids.count)   // [pos][stage]
        for (_, stream) in stages {
            let normalized = GradMode.withNoGrad { layerNorm(stream, weight: model.lnFWeight, bias: model.lnFBias, epsilon: model.config.layerNormEpsilon) }
            let logits = GradMode.withNoGrad { model.logits(fromHidden: normalized) }.data   // [1, pos, vocab]
            let vocab = model.config.vocabSize
            for t in ids.indices { let best = topTokens(Array(logits[(t * vocab)..<((t + 1) * vocab)]), k: 1)[0]; tops[t].append((best.0, best.1)) }
        }
        for t in ids.indices {
            let label = String(format: "%3d ", t) + "[" + visible(tokenizer.tokenText(ids[t])) + "]"
            context.print(pad(String(label.prefix(19)), 20) + tops[t].map { top in
                pad(String(visible(tokenizer.tokenText(top.0)).prefix(8)) + String(format: " %.2f", top.1), cell)
            }.joined())
            positions.append(.object([("position", .int(t)), ("token", .string(tokenizer.tokenText(ids[t]))),
                                      ("top", .array(zip(stages, tops[t]).map { stage, top in
                                          .object([("stage", .string(stage.0)), ("token", .string(tokenizer.tokenText(top.0))), ("probability", .number(top.1))])
                                      }))]))
        }
        context.set("positions", .array(positions))
        let rows = ids.indices.map { t in String(format: "%d ", t) + String(visible(tokenizer.tokenText(ids[t])).prefix(12)) }
        try Plot.write(HeatMap(title: "Logit lens: the top next token after each stage, shaded by its probability",
                               rowLabels: rows, columnLabels: stages.map(\.0), values: tops.map { $0.map(\.1) }, scale: 0...1,
                               cellLabels: tops.map { $0.map { visible(tokenizer.tokenText($0.0)) } }).svg(),
                       to: plot, what: "lens grid", context)
    }
}
