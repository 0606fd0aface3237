// AttentionCommand.swift — `attention TEXT --layer L [--head H]`: the pattern as a terminal heat map.
import Procedures
import Foundation
import GPT2

enum AttentionCommand: Command {
    static let info = CommandInfo(
        name: "attention", abstract: "Show an attention pattern as a heat map (rows: queries, columns: keys).",
        arguments: "TEXT",
        flags: [FlagInfo("layer", value: "L", "block index (default 0)"), FlagInfo("head", value: "H", "head index (default: mean over heads)"),
                Plot.flag("the pattern (queries × keys)")],
        examples: [#"attention "Holmes looked at Watson" --layer 2 --head 1"#])

    static let shades: [Character] = [" ", "·", "░", "▒", "▓", "█"]

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let text = try arguments.text("a text")
        let model = try context.session.model()
        let layer = try arguments.int("layer", default: 0)
        guard layer >= 0 && layer < model.config.layerCount else {
            throw UsageError("attention: --layer must be in 0..<\(model.config.layerCount), got \(layer)")
        }
        let headArg = arguments.string("head")
        let head = try headArg.map { _ in try arguments.int("head", default: 0) }
        if let head, head < 0 || head >= model.config.headCount {
            throw UsageError("attention: --head must be in 0..<\(model.config.headCount), got \(head)")
        }
        let plot = try Plot.destination(arguments, context)
        let tokenizer = try context.session.tokenizer()
        let ids = Array(tokenizer.encode(text).suffix(min(model.config.contextLength, 48)))
        guard !ids.isEmpty else { throw UsageError("attention: the text has no tokens") }
        let point = HookPoint.block(layer, .pattern)
        let (_, cache) = try model.runWithCache(TokenBatch(sequences: [ids])) { $0 == point }
        guard let pattern = cache[point] else { throw UsageError("attention: hook \(point) recorded nothing") }
        let (heads, n) = (model.config.headCount, ids.count)
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for h in 0..<heads where head == nil || head == h {
            for q in 0..<n { for k in 0..<n { matrix[q][k] += Double(pattern.data[(h * n + q) * n + k]) } }
        }
        if head == nil { for q in 0..<n { for k in 0..<n { matrix[q][k] /= Double(heads) } } }
        let labels = ids.map { String(visible(tokenizer.tokenText($0)).prefix(12)) }
        let width = labels.map(\.count).max() ?? 4
        context.print("layer \(layer), " + (head.map { "head \($0)" } ?? "mean of \(heads) heads") + "; shade ∝ attention (█ = 1)")
        for q in 0..<n {
            let cells = (0..<n).map { k -> Character in
                let v = matrix[q][k]
                return v <= 0 ? " " : shades[min(shades.count - 1, 1 + Int(v * Double(shades.count - 2) + 0.5))]
            }
            let strongest = (0..<n).max { matrix[q][$0] < matrix[q][$1] } ?? 0
            context.print(labels[q].padding(toLength: width, withPad: " ", startingAt: 0) + " │" + String(cells) + "│ → " + labels[strongest] + String(format: " %.2f", matrix[q][strongest]))
        }
        context.set("tokens", .array(labels.map { .string($0) }))
        context.set("pattern", .array(matrix.map { .array($0.map { .number($0) }) }))
        let what = "layer \(layer), " + (head.map { "head \($0)" } ?? "mean of \(heads) heads")
        try Plot.write(HeatMap(title: "Attention, \(what): each row (query) attends to the columns (keys)", rowLabels: labels, columnLabels: labels,
                               values: matrix, scale: -1...1).svg(), to: plot, what: "attention map", context)
    }
}
