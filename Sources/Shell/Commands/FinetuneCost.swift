// FinetuneCost.swift — `finetune --cost MODEL`: what each attacked model's protection cost, as its
// original-domain perplexity against MODEL paired window by window over the held-out windows, and
// with --plot a second figure of protection (the attack's best test accuracy) against that cost.
import Foundation
import GPT2
import Procedures

extension FinetuneCommand {
    /// Held-out original-domain windows scored by every model and the baseline.
    static let costWindows = 32

    /// Each model's perplexity change against `baseline` (a fraction: 0.05 is +5%), with its paired 95% interval.
    static func costs(of models: [(String, GPT2Model)], baseline name: String, _ context: CommandContext) throws -> [String: Estimate] {
        let baseline = try context.session.model(named: name, for: "finetune --cost")
        let sources = try PretrainCommand.sources(data: nil, resolve: DataPaths.resolve).filter { $0.name == "original" }
        guard !sources.isEmpty else { throw UsageError("finetune --cost: no original-domain texts under \(DataLayout.root) (expected the corpus's original/ folder)") }
        let corpus = try TokenCorpus(sources: sources, tokenizer: try context.session.tokenizer(), cacheDirectory: DataLayout.tokenCache)
        let windows = corpus.heldOutWindows(part: 0, length: baseline.config.contextLength - 1, limit: costWindows)
        func losses(_ label: String, _ model: GPT2Model) throws -> [Double] {
            guard model.config.contextLength == baseline.config.contextLength, model.config.vocabSize == baseline.config.vocabSize else {
                throw UsageError("finetune --cost: \(label) and \(name) differ in context or vocabulary; their perplexities are not paired")
            }
            return try context.windowLosses(of: model, on: windows, what: label)
        }
        guard windows.count >= 2 else {
            throw UsageError("finetune --cost: the original domain has \(windows.count) held-out window of \(baseline.config.contextLength) tokens; an interval needs at least 2")
        }
        let base = try losses(name, baseline)
        context.print("cost: original-domain perplexity against \(name), paired over \(windows.count) held-out windows (95% intervals)")
        var costs: [String: Estimate] = [:]
        for (label, model) in models {
            let cost = Intervals.pairedDifference([try losses(label, model)], [base]).asPerplexityChange
            costs[label] = cost
            // Names up to 12 characters line up; a longer one is printed whole, never cut.
            let shown = label.count > 12 ? label : label.padding(toLength: 12, withPad: " ", startingAt: 0)
            context.print(String(format: "  %@ %+.1f%% [%+.1f, %+.1f]", shown,
                                 100 * cost.value, 100 * cost.lower, 100 * cost.upper))
        }
        context.set("cost", .object(models.compactMap { label, _ in
            costs[label].map { (label, .array([.number($0.value), .number($0.lower), .number($0.upper)])) }
        }))
        return costs
    }

    /// Beside `plot.svg`, `plot-cost.svg`.
    static func costFigurePath(_ plot: String) -> String {
        (plot.hasSuffix(".svg") ? String(plot.dropLast(4)) : plot) + "-cost.svg"
    }

    /// One point per model with a cost: x its perplexity change, y the best accuracy of its strongest
    /// attack (the recipe that reached the highest accuracy), so a grid still gives one point a model.
    static func costFigure(_ attacks: [(model: String, summary: AttackSummary)], costs: [String: Estimate], baseline: String, testCount: Int) -> String {
        var strongest: [(model: String, summary: AttackSummary)] = []
        for attack in attacks where costs[attack.model] != nil {
            if let i = strongest.firstIndex(where: { $0.model == attack.model }) {
                if attack.summary.best.value > strongest[i].summary.best.value { strongest[i] = attack }
            } else {
                strongest.append(attack)
            }
        }
        let points = strongest.compactMap { attack -> ScatterPoint? in
            guard let cost = costs[attack.model] else { return nil }
            return ScatterPoint(label: attack.summary.label, x: 100 * cost.value, y: attack.summary.best.value,
                                xInterval: (100 * cost.lower, 100 * cost.upper), yInterval: (attack.summary.best.lower, attack.summary.best.upper))
        }
        return ScatterChart.svg(points, title: "Protection against its cost: the attack's best accuracy and the perplexity paid",
                                xLabel: "original-domain perplexity against \(baseline) (%)",
                                yLabel: "best test accuracy on \(testCount) reviews",
                                horizontal: [ReferenceLine(y: 0.5, label: "chance"), ReferenceLine(y: 0.6, label: "protection goal: at most 0.60")],
                                vertical: [VerticalLine(x: 10, label: "budget +10%")], preferredY: 0.4...1)
    }
}
