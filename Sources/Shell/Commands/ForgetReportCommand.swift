// ForgetReportCommand.swift — `forget report`: the standard forgetting metrics for several models side
// by side, against the exact never-trained reference (gpt2-mini-noholmes).
import Foundation
import GPT2
import Procedures

enum ForgetReportCommand: Command {
    static let info = CommandInfo(
        name: "forget report",
        abstract: "Forgetting metrics for several models: verbatim and knowledge memorisation, membership inference, forget quality, utility.",
        flags: [FlagInfo("models", value: "LIST", required: true, "models to report (loaded names, or folders under models/), comma-separated"),
                FlagInfo("reference", value: "NAME", "the model that never trained on the concept (default gpt2-mini-noholmes)"),
                FlagInfo("passages", value: "N", "member and held-out passages each (default 100)"),
                FlagInfo("length", value: "T", "tokens per passage (default 128)"),
                FlagInfo("verbatim", value: "N", "member passages prompted for verbatim memorisation (default 40; prompt and continuation are half the length each)"),
                FlagInfo("data", value: "DIR", "corpus folder (default \(DataLayout.root))"),
                Plot.flag("four panels, one bar per model: the register probes' answer probability, membership-inference AUC, forget quality and original-domain perplexity")],
        examples: ["forget report --models gpt2-mini,gpt2-mini-noholmes", "forget report --models gpt2-mini,unlearned --passages 50"],
        discussion: """
        Members are passages of the Holmes books' training part (what gpt2-mini trained on); held-out passages come from \
        the last 5% of every book, which no model trained on. Membership inference: ROC AUC of −loss and of Min-K%++ \
        (k = 20%), members against held-out; PrivLeak = (AUC − AUC of the reference) / AUC of the reference, with \
        Min-K%++. Forget quality (TOFU): the two-sample Kolmogorov–Smirnov p-value between the model's and the \
        reference's per-passage mean losses on the members (high: indistinguishable from never having trained). \
        Rates and means come with 95% intervals (Wilson for hit rates, bootstrap over passages or probes otherwise).
        """)

    typealias Column = (name: String, memorisation: ConceptMemorisation, probes: [ProbeSummary], perplexity: [(String, Double)])

    /// Every metric of one model: memorisation and membership on the concept passages, the probes, and
    /// perplexity on 32 held-out windows of each other source.
    static func measure(_ name: String, _ model: GPT2Model, passages: ConceptPassages, verbatim: Int, probes: ProbeSets, corpus: TokenCorpus,
                        tokenizer: BPETokenizer, _ context: CommandContext) throws -> Column {
        let length = passages.members.first?.count ?? 0
        let memorisation = try ConceptMemorisation.measure(model: model, passages: passages, verbatimCount: verbatim, prefix: length / 2,
                                                           continuation: length / 2, progress: { done, total in
            context.progress("\(name) passages", done: done, of: total)
        })
        context.endProgress()
        let summaries = try probes.sets.map { try KnowledgeProber.run(model: model, tokenizer: tokenizer, name: $0.name, probes: $0.probes,
                                                                      maxNewTokens: probes.maxNewTokens) }
        var perplexity: [(String, Double)] = []
        for (index, part) in corpus.parts.enumerated() where part.name != "holmes" {
            let windows = corpus.heldOutWindows(part: index, length: model.config.contextLength - 1, limit: 32)
            perplexity.append((part.name, exp(try meanLoss(model: model, windows: windows, batchSize: 8))))
        }
        return (name, memorisation, summaries, perplexity)
    }

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        guard let list = arguments.string("models") else { throw UsageError("forget report: --models A,B,... is required") }
        let names = list.split(separator: ",").map(String.init)
        let referenceName = arguments.string("reference") ?? "gpt2-mini-noholmes"
        let models = try (names + (names.contains(referenceName) ? [] : [referenceName])).map { ($0, try context.session.model(named: $0, for: "forget report")) }
        let length = try arguments.int("length", default: 128), count = try arguments.int("passages", default: 100)
        let verbatim = try arguments.int("verbatim", default: 40)
        guard length >= 16, length <= models.map({ $0.1.config.contextLength }).min() ?? 0, count >= 10, verbatim >= 0 else {
            throw UsageError("forget report: --length must be 16 to the models' context, --passages at least 10, --verbatim not negative")
        }
        let plot = try Plot.destination(arguments, context)
        let tokenizer = try context.session.tokenizer()
        let sources = try PretrainCommand.sources(data: arguments.string("data"), resolve: DataPaths.resolve)
        let corpus = try TokenCorpus(sources: sources.filter { ["holmes", "original", "wikitext"].contains($0.name) }, tokenizer: tokenizer,
                                     cacheDirectory: DataLayout.tokenCache)
        guard let concept = corpus.parts.firstIndex(where: { $0.name == "holmes" }) else { throw UsageError("forget report: no Holmes books in the corpus") }
        let passages = try ConceptPassages(part: corpus.parts[concept], count: count, length: length)
        let probes = try DataLayout.probes()
        context.print("forget report on the Holmes books: \(passages.members.count) member and \(passages.holdout.count) held-out passages of \(length) tokens, "
                      + "\(min(verbatim, passages.members.count)) verbatim prompts; reference \(referenceName)")

        var columns: [Column] = []
        for (name, model) in models {
            columns.append(try measure(name, model, passages: passages, verbatim: verbatim, probes: probes, corpus: corpus, tokenizer: tokenizer, context))
        }
        guard let reference = columns.first(where: { $0.name == referenceName }) else { return }
        let shown = columns.filter { names.contains($0.name) } + (names.contains(referenceName) ? [] : [reference])

        var rows: [(String, [String])] = []
        func row(_ label: String, _ value: (ConceptMemorisation, [ProbeSummary], [(String, Double)], String) -> String) {
            rows.append((label, shown.map { value($0.memorisation, $0.probes, $0.perplexity, $0.name) }))
        }
        func interval(_ e: Estimate, percent: Bool = false, digits: Int = 3) -> String {
            let k = percent ? 100.0 : 1.0
            return String(format: "%.\(digits)f [%.\(digits)f, %.\(digits)f]", k * e.value, k * e.lower, k * e.upper)
        }
        row("verbatim ROUGE-L") { m, _, _, _ in interval(Intervals.bootstrapMean(m.verbatimRougeL)) }
        for set in probes.sets.map(\.name) {
            row("\(set) probes hit %") { _, p, _, _ in p.first { $0.name == set }.map { interval($0.hitRateEstimate, percent: true, digits: 1) } ?? "–" }
            row("\(set) answer probability") { _, p, _, _ in p.first { $0.name == set }.map { interval($0.answerProbabilityEstimate, digits: 4) } ?? "–" }
        }
        row("MIA AUC, loss") { m, _, _, _ in String(format: "%.3f", m.lossAUC) }
        row("MIA AUC, Min-K%++") { m, _, _, _ in String(format: "%.3f", m.minKPlusPlusAUC) }
        row("PrivLeak (Min-K%++)") { m, _, _, _ in String(format: "%+.3f", Memorisation.privLeak(auc: m.minKPlusPlusAUC, retrainedAUC: reference.memorisation.minKPlusPlusAUC)) }
        row("member loss (nats)") { m, _, _, _ in interval(Intervals.bootstrapMean(m.memberLosses)) }
        row("forget quality (KS p)") { m, _, _, _ in
            (try? KolmogorovSmirnov(m.memberLosses, reference.memorisation.memberLosses)).map { String(format: "%.3g", $0.pValue) } ?? "–"
        }
        for source in reference.perplexity.map(\.0) {
            row("\(source) perplexity") { _, _, p, _ in p.first { $0.0 == source }.map { String(format: "%.2f", $0.1) } ?? "–" }
        }
        let labelWidth = rows.map(\.0.count).max() ?? 10
        let widths = shown.indices.map { i in max(shown[i].name.count, rows.map { $0.1[i].count }.max() ?? 0) }
        context.print("metric".padding(toLength: labelWidth, withPad: " ", startingAt: 0)
                      + zip(shown, widths).map { "  " + $0.name.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined())
        for (label, values) in rows {
            context.print(label.padding(toLength: labelWidth, withPad: " ", startingAt: 0)
                          + zip(values, widths).map { "  " + $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined())
        }
        if plot != nil {
            let register = probes.sets.first { $0.name == "register" }?.name ?? probes.sets.first?.name
            let answer = shown.map { column -> Bar in
                let e = column.probes.first { $0.name == register }?.answerProbabilityEstimate
                return Bar(label: column.name, value: e?.value ?? .nan, interval: e.map { ($0.lower, $0.upper) })
            }
            let auc = shown.map { Bar(label: $0.name, value: $0.memorisation.minKPlusPlusAUC) }
            let quality = shown.map { column in
                Bar(label: column.name, value: (try? KolmogorovSmirnov(column.memorisation.memberLosses, reference.memorisation.memberLosses)).map { p -> Double in let v = -log10(max(p.pValue, 1e-300)); return v > 0 ? v : 0 } ?? .nan)   // p = 1 draws 0, not −0
            }
            let perplexity = shown.map { column in Bar(label: column.name, value: column.perplexity.first { $0.0 == "original" }?.1 ?? .nan) }
            let figure = BarChart.panels([
                BarChart.svg(answer, title: "\(register ?? "") probes: answer probability (95%)", yLabel: "probability"),
                BarChart.svg(auc, title: "membership inference: Min-K%++ AUC", yLabel: "AUC", reference: ReferenceLine(y: 0.5, label: "chance")),
                BarChart.svg(quality, title: "forget quality: −log10 KS p vs \(referenceName)", yLabel: "−log10 p", reference: ReferenceLine(y: -log10(0.05), label: "p = 0.05")),
                BarChart.svg(perplexity, title: "original-domain perplexity", yLabel: "perplexity"),
            ], title: "forget report on the Holmes books (reference \(referenceName))")
            try Plot.write(figure, to: plot, what: "forget report", context)
        }
        context.set("models", .object(shown.map { column in
            (column.name, .object([
                ("verbatim_rouge_l", .number(Intervals.bootstrapMean(column.memorisation.verbatimRougeL).value)),
                ("mia_auc_loss", .number(column.memorisation.lossAUC)), ("mia_auc_min_k_plus_plus", .number(column.memorisation.minKPlusPlusAUC)),
                ("privleak", .number(Memorisation.privLeak(auc: column.memorisation.minKPlusPlusAUC, retrainedAUC: reference.memorisation.minKPlusPlusAUC))),
                ("forget_quality_ks_p", (try? KolmogorovSmirnov(column.memorisation.memberLosses, reference.memorisation.memberLosses)).map { .number($0.pValue) } ?? .null),
                ("probes", .object(column.probes.map { ($0.name, .object([("hit_rate", .number($0.hitRate)), ("answer_probability", .number($0.meanAnswerProbability))])) })),
                ("perplexity", .object(column.perplexity.map { ($0.0, .number($0.1)) })),
            ]))
        }))
    }
}
