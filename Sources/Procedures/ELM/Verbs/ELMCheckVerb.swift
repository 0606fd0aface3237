// ELMCheckVerb.swift — `elm check`: does the model read ELM's expert/novice prefixes?
import Foundation
import GPT2

public enum ELMCheckVerb: ProcedureVerb {
    public typealias Owner = ELMProcedure
    public static let verb = "check"
    public static let abstract = "Measure whether a model reads ELM's prompt pairs: KL(expert ‖ novice) on held-out Holmes text, the answers' novice/expert probability ratio, and how often the erase target's top-1 is in the novice model's top 10."
    public static let flags = [FlagInfo("models", value: "A,B", "models to measure side by side, by session or shipped name (default: the current model)"),
                               FlagInfo("passages", value: "N", "held-out Holmes passages (default 40)"),
                               FlagInfo("length", value: "T", "tokens per passage (default 128)"),
                               FlagInfo("etas", value: "A,B", "η values at which to measure the agreement (default: the configured η)")]
    public static let examples = ["elm check", "elm check --models gpt2-mini,gpt2-mini-noholmes"]
    public static let discussion: String? = """
        ELM's erase target is log p(x) + η·(log p(x | novice) − log p(x | expert)): it erases only what the model itself
        changes between the two prefixes. The pairs and η are those `elm config` set (`--pairs`, `--eta`). The passages
        are the Holmes books' held-out text, spread over all five books; the probes are the register probes. Intervals
        are 95% bootstrap intervals over passages (KL, agreement) and probes (the ratio, a geometric mean).
        """

    public static func run(_ arguments: VerbArguments, _ context: VerbContext) throws {
        let names = arguments.string("models").map { $0.split(separator: ",").map(String.init) } ?? []
        let models = try names.isEmpty ? [(context.currentModelName ?? "model", try context.model())]
            : names.map { ($0, try context.model(named: $0, for: "elm check")) }
        let count = try arguments.int("passages", default: 40), length = try arguments.int("length", default: 128)
        guard count >= 2, length >= 8, length <= 192 else { throw UsageError("elm check: --passages must be at least 2 and --length 8 to 192") }
        let etas = try arguments.string("etas").map { list in
            try list.split(separator: ",").map { item -> Double in
                guard let eta = Double(item), eta >= 0, eta.isFinite else { throw UsageError("elm check: --etas expects non-negative numbers, got \(item)") }
                return eta
            }
        } ?? [context.settings(for: ELMProcedure.self).target.eta]
        let tokenizer = try context.tokenizer()
        let pairs = try ELMProcedure.promptPairs(context.settings(for: ELMProcedure.self))
        let corpus = try DataLayout.holmesCorpus(tokenizer: tokenizer, for: "elm check")
        let passages = corpus.heldOutWindows(part: 0, length: length - 1, limit: count)
        let probes = try DataLayout.probes().sets.first { $0.name == "register" }?.probes ?? []
        context.print("\(passages.count) held-out Holmes passages of \(length) tokens, \(probes.count) register probes, \(pairs.count) prompt pairs")
        context.print("model                      KL(expert‖novice) nats/token   answer ratio novice/expert   target top-1 in novice top 10 at η = "
                      + etas.map { String(format: "%g", $0) }.joined(separator: ", "))
        let tokenProbes = PrefixConditioning.tokenProbes(probes, tokenizer: tokenizer)
        let prefixes = pairs.map { (expert: tokenizer.encode($0.expert), novice: tokenizer.encode($0.novice)) }
        var rows: [JSONValue] = []
        for (name, model) in models {
            let report = try PrefixConditioning.measure(model: model, passages: passages, probes: tokenProbes, prefixes: prefixes,
                                                        target: context.settings(for: ELMProcedure.self).target, etas: etas, progress: { done, total in
                context.progress(name, done: done, of: total, detail: "")
            })
            context.endProgress()
            context.print(name.padding(toLength: 26, withPad: " ", startingAt: 0)
                          + String(format: " %.4f [%.4f, %.4f]          %.3f [%.3f, %.3f]         ",
                                   report.klPerToken.value, report.klPerToken.lower, report.klPerToken.upper,
                                   report.answerRatio.value, report.answerRatio.lower, report.answerRatio.upper)
                          + report.agreement.map { String(format: " %.1f%% [%.1f, %.1f]", 100 * $0.estimate.value, 100 * $0.estimate.lower, 100 * $0.estimate.upper) }
                            .joined(separator: ","))
            rows.append(.object([("model", .string(name)), ("kl_per_token", estimate(report.klPerToken)),
                                 ("answer_ratio", estimate(report.answerRatio)), ("agreement", .array(report.agreement.map { .object([("eta", .number($0.eta)), ("estimate", estimate($0.estimate))]) })),
                                 ("passages", .int(report.passages)), ("probes", .int(report.probes)), ("pairs", .int(report.pairs))]))
        }
        context.set("models", .array(rows))
    }

    private static func estimate(_ e: Estimate) -> JSONValue {
        .object([("value", .number(e.value)), ("interval", .array([.number(e.lower), .number(e.upper)]))])
    }
}
