// PatchCommand.swift — `patch`: activation patching between a clean and a corrupted prompt.
import Foundation
import GPT2
import Procedures

enum PatchCommand: Command {
    static let info = CommandInfo(
        name: "patch",
        abstract: "Activation patching: how much of the clean answer each layer × position (or head) restores in a corrupted prompt.",
        flags: [FlagInfo("clean", value: "TEXT", "the prompt the model answers (required without --probes)"),
                FlagInfo("corrupted", value: "TEXT", "the same number of tokens with the evidence changed (default with --from: the clean prompt)"),
                FlagInfo("from", value: "MODEL", "take the clean run from this model of the same shape, and patch it into the current one"),
                FlagInfo("answer", value: "TOKEN", "the clean answer's first token (e.g. \" Holmes\"; required without --probes)"),
                FlagInfo("wrong", value: "TOKEN", "the corrupted prompt's answer, to compare with (required without --probes)"),
                FlagInfo("probes", value: "SET", "with --from: patch over every probe of a set (register, questions, retain), scoring the log-probability of the first token of each probe's first expected answer"),
                FlagInfo("file", value: "PATH", "probes for --probes (default \(DataLayout.completionProbes))"),
                FlagInfo("last", value: "N", "with --probes: the last N positions of each prompt, beside all positions at once (default 4)"),
                FlagInfo("hook", value: "resid_pre|attn_out|mlp_out|heads", "what to patch (default resid_pre; heads patches each head's hook_z)"),
                FlagInfo("plot", value: "FILE.svg", "write the map as an SVG heat map")],
        examples: [#"patch --clean "Mr. Sherlock Holmes and Dr. John" --corrupted "Mr. Sherlock Smith and Dr. John" --answer " Watson" --wrong " Smith""#,
                   #"patch --from gpt2-mini --clean "said Mr. Sherlock" --answer " Holmes" --wrong ",""#,
                   "patch --from gpt2-mini --probes register --hook mlp_out"],
        discussion: """
        The metric is the logit difference logit(answer) − logit(wrong) at the last position. Each cell runs the
        corrupted prompt with one activation taken from the clean run and reports (patched − corrupted) / (clean −
        corrupted): 1 means that activation alone restores the clean answer, 0 that it changes nothing.
        With --from, the clean run is another model's: patching an original's activations into its unlearned
        copy, on the same prompt, shows where the unlearned model lost what the original knew.
        With --probes, the same is done over a whole probe set: each probe's metric is the log-probability of its
        first expected answer's first token, and a cell is Σ(patched − current) / Σ(source − current) over the
        probes, with a 95% bootstrap interval over probes (none when that difference cannot be told from zero);
        columns are positions counted from each prompt's end, and `all` patches every position at once.
        """)

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        if let set = arguments.string("probes") {
            for flag in ["clean", "corrupted", "answer", "wrong"] where arguments.has(flag) {
                throw UsageError("patch: --\(flag) does not apply with --probes (each probe brings its prompt and answer)")
            }
            return try runOverProbes(ProbePatchRequest(set: set, source: arguments.string("from"), file: arguments.string("file"),
                                                       last: try arguments.int("last", default: 4), hook: arguments.string("hook") ?? "resid_pre",
                                                       plot: arguments.string("plot")), context)
        }
        for flag in ["last", "file"] where arguments.has(flag) { throw UsageError("patch: --\(flag) applies only with --probes") }
        let model = try context.session.model()
        let tokenizer = try context.session.tokenizer()
        let source = try arguments.string("from").map { try context.session.model(named: $0, for: "patch --from") }
        guard let cleanText = arguments.string("clean"), let corruptedText = arguments.string("corrupted") ?? (source == nil ? nil : cleanText),
              let answerText = arguments.string("answer"), let wrongText = arguments.string("wrong") else {
            throw UsageError("patch: --clean, --corrupted (or --from MODEL), --answer and --wrong are required")
        }
        let clean = tokenizer.encode(cleanText), corrupted = tokenizer.encode(corruptedText)
        guard clean.count == corrupted.count, !clean.isEmpty, clean.count <= model.config.contextLength else {
            throw UsageError("patch: --clean and --corrupted must have the same number of tokens, within the context (\(clean.count) and \(corrupted.count))")
        }
        func token(_ text: String, _ flag: String) throws -> Int32 {
            let ids = tokenizer.encode(text)
            guard let first = ids.first else { throw UsageError("patch: --\(flag) has no tokens") }
            if ids.count > 1 { context.note("--\(flag) \"\(text)\" is \(ids.count) tokens; its first, [\(visible(tokenizer.tokenText(first)))], is scored") }
            return first
        }
        let answer = try token(answerText, "answer"), wrong = try token(wrongText, "wrong")
        let kind = arguments.string("hook") ?? "resid_pre"
        let result: PatchingResult
        switch kind {
        case "heads":
            result = try ActivationPatching.heads(model: model, source: source, clean: clean, corrupted: corrupted, answer: answer, wrong: wrong)
        case "resid_pre", "attn_out", "mlp_out":
            let hook: HookPoint.BlockHook = kind == "resid_pre" ? .residPre : kind == "attn_out" ? .attnOut : .mlpOut
            let labels = zip(clean, corrupted).enumerated().map { t, pair in
                "\(t) " + visible(tokenizer.tokenText(pair.0)) + (pair.0 == pair.1 ? "" : "/" + visible(tokenizer.tokenText(pair.1)))
            }
            result = try ActivationPatching.positions(model: model, source: source, clean: clean, corrupted: corrupted, answer: answer, wrong: wrong,
                                                      labels: labels, point: { .block($0, hook) })
        default:
            throw UsageError("patch: --hook expects resid_pre, attn_out, mlp_out or heads, got \(kind)")
        }
        let runs = arguments.string("from").map { ("\($0)", "\(context.session.currentName ?? "current")") } ?? ("clean", "corrupted")
        context.print(String(format: "logit difference [%@] − [%@]: %@ %.3f, %@ %.3f; cells: share of it restored by patching %@",
                             visible(tokenizer.tokenText(answer)), visible(tokenizer.tokenText(wrong)), runs.0, result.cleanDifference, runs.1,
                             result.corruptedDifference, kind == "heads" ? "each head's hook_z" : "hook_\(kind) at one position"))
        let title = arguments.string("from").map { "Patching \($0)'s \(kind) into \(runs.1): share of the logit difference restored" }
            ?? "Activation patching (\(kind)): share of the clean logit difference restored"
        let map = HeatMap(title: title,
                          rowLabels: result.rowLabels, columnLabels: result.columnLabels, values: result.restored)
        for line in map.text() { context.print(line) }
        if let plot = arguments.string("plot") {
            try context.writeFigure(map.svg(), to: try context.session.writablePath(plot, for: "patch --plot"), shown: plot, what: "heat map")
        }
        context.set("clean_difference", .number(result.cleanDifference))
        context.set("corrupted_difference", .number(result.corruptedDifference))
        context.set("rows", .array(result.rowLabels.map { .string($0) }))
        context.set("columns", .array(result.columnLabels.map { .string($0) }))
        context.set("restored", .array(result.restored.map { .array($0.map { .number($0) }) }))
    }
}
