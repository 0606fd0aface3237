// CompareCommand.swift — `compare --models A,B,C COMMAND …`: one measuring command run on several
// models, its results side by side in one table, the current model left as it was.
import Procedures
import Foundation

enum CompareCommand: Command {
    static let info = CommandInfo(
        name: "compare", abstract: "Run one command on several models and show its results side by side.",
        arguments: "COMMAND…",
        flags: [FlagInfo("models", value: "A,B,…", required: true, "the session's models to run it on, in this order"),
                FlagInfo("field", value: "NAME", "the result field --plot draws (a row of the table, e.g. sets.register.answer_probability)"),
                Plot.flag("one field (--field) as bars, one per model, with its 95% interval when the command gives one (FIELD_interval)")],
        examples: ["compare --models original,whp perplexity --sources holmes,wikitext",
                   "compare --models gpt2-mini,gpt2-mini-noholmes probes --set register",
                   #"compare --models original,sophon generate "The film was" --max-tokens 12"#,
                   "compare --models gpt2-mini,gpt2-mini-noholmes,whp --field sets.register.answer_probability --plot probes.svg probes --set register"],
        discussion: """
            Everything after the flags is the command, with its own flags. It runs once per model, as if that model \
            were current; the table has a row per field of the command's --json result (nested fields joined with \
            dots, arrays of up to four numbers shown in full) and a column per model. The current model stays current.
            """,
        takesCommand: true)

    static let excluded: Set<String> = ["compare", "use", "load model", "new model", "load tokenizer", "save", "snapshot", "restore", "finetune", "ablate", "steer", "interventions", "pretrain", "bench", "help"]

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let session = context.session
        guard let list = arguments.string("models") else { throw UsageError("compare: --models A,B,… is required") }
        let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard names.count >= 1 else { throw UsageError("compare: --models expects model names separated by commas") }
        let words = arguments.positionals
        guard let found = CommandRegistry.find(words) else {
            throw UsageError("compare: expected a command after the flags (e.g. perplexity, probes, generate), got '\(words.first ?? "")'")
        }
        let name = found.command.info.name
        guard !excluded.contains(name) && !CommandRegistry.procedureNames.contains(found.command.info.words.first ?? "") else {
            throw UsageError("compare: \(name) changes the session; compare runs commands that measure or look (perplexity, probes, zeroshot, generate, logits, lens, score, …)")
        }
        let innerWords = Array(words.dropFirst(found.wordCount))
        if let flag = innerWords.first(where: { ["--plot", "--out", "--save", "--keep"].contains($0) }) {
            throw UsageError("compare: \(name) \(flag) would write once per model; run \(name) on each model for that, or use compare's own --plot")
        }
        let inner = try Arguments(innerWords, info: found.command.info)
        // The current model stays current; shipped models not yet loaded are loaded under their names.
        let previous = (try? session.model()).flatMap { _ in session.currentName }
        for model in names where !session.models.keys.contains(model) {
            session.add(try session.model(named: model, for: "compare"), name: model)
            context.print("loaded \(model) from models/\(model)/tf_model.h5")
        }
        if let previous { try session.use(previous) }
        let plot = try Plot.destination(arguments, context)
        let field = arguments.string("field")
        if plot != nil && field == nil { throw UsageError("compare: --plot draws one field; name it with --field (a row of the table)") }
        defer { if let previous { try? session.use(previous) } }
        var results: [(model: String, fields: [(String, String)])] = []
        var raw: [JSONValue] = []
        for (index, model) in names.enumerated() {
            try session.use(model)
            context.progress("\(name) on \(model)", done: index, of: names.count)
            // The command answers as with --json: its result fields, without its own printing.
            let nested = CommandContext(session: session, json: true, isTerminal: false, write: { _ in })
            try found.command.run(inner, nested)
            results.append((model, flatten(.object(nested.result))))
            raw.append(.object(nested.result))
            if let field, plot != nil, index == 0, lookup(.object(nested.result), field) == nil {
                throw UsageError("compare: \(name) gives no field \(field); its fields: \(results[0].fields.map(\.0).joined(separator: ", "))")
            }
        }
        context.endProgress()
        var fields: [String] = []
        for (_, pairs) in results { for (key, _) in pairs where !fields.contains(key) { fields.append(key) } }
        let table = results.map { Dictionary($0.fields, uniquingKeysWith: { a, _ in a }) }
        let keyWidth = min(48, max(8, fields.map(\.count).max() ?? 8)) + 2
        let cells = fields.map { field in table.map { $0[field] ?? "–" } }
        let columnWidth = min(40, max(10, max(names.map(\.count).max() ?? 0, cells.flatMap { $0 }.map(\.count).max() ?? 0) + 2))
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? String(s.prefix(n - 1)) + " " : s + String(repeating: " ", count: n - s.count) }
        context.print(pad("\(name)", keyWidth) + names.map { pad($0, columnWidth) }.joined())
        for (f, field) in fields.enumerated() {
            context.print(pad(field, keyWidth) + cells[f].map { pad($0, columnWidth) }.joined())
        }
        context.set("command", .string(([name] + inner.words).joined(separator: " ")))
        context.set("models", .array(names.map { .string($0) }))
        if let plot, let field {
            let bars = try zip(names, raw).map { model, result -> Bar in
                guard case .number(let value)? = lookup(result, field) else {
                    throw UsageError("compare: \(name) on \(model) has no number at \(field) (the table's rows are the fields)")
                }
                var interval: (lower: Double, upper: Double)?
                if case .array(let ends)? = lookup(result, field + "_interval"), ends.count == 2, case .number(let lo) = ends[0], case .number(let hi) = ends[1] { interval = (lo, hi) }
                return Bar(label: model, value: value, interval: interval)
            }
            try Plot.write(BarChart.svg(bars, title: "\(name): \(field)", yLabel: field), to: plot, what: "bar chart", context)
        }
        context.set("results", .object(results.map { r in (r.model, JSONValue.object(r.fields.map { ($0.0, JSONValue.string($0.1)) })) }))
    }

    /// The value at a dotted path (`sets.register.hits`, `sources.0.loss`) of a result object.
    static func lookup(_ value: JSONValue, _ path: String) -> JSONValue? {
        var current = value
        for key in path.split(separator: ".").map(String.init) {
            switch current {
            case .object(let pairs):
                guard let next = pairs.first(where: { $0.0 == key })?.1 else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(key), items.indices.contains(index) else { return nil }
                current = items[index]
            default: return nil
            }
        }
        return current
    }

    /// Leaf fields as `a.b.c` → shown value.
    static func flatten(_ value: JSONValue, prefix: String = "") -> [(String, String)] {
        switch value {
        case .object(let pairs):
            return pairs.flatMap { key, inner in flatten(inner, prefix: prefix.isEmpty ? key : prefix + "." + key) }
        case .array(let items):
            let numbers = items.compactMap { if case .number(let v) = $0 { return v } else { return nil } }
            if numbers.count == items.count && items.count <= 4 { return [(prefix, numbers.map(show).joined(separator: " / "))] }
            if items.allSatisfy({ if case .object = $0 { return false } else { return true } }) { return [(prefix, "[\(items.count) values]")] }
            return items.prefix(4).enumerated().flatMap { flatten($1, prefix: "\(prefix).\($0)") }
        case .number(let v): return [(prefix, show(v))]
        case .string(let s):
            let oneLine = s.replacingOccurrences(of: "\n", with: "⏎").replacingOccurrences(of: "\t", with: " ")
            return [(prefix, oneLine.count > 38 ? String(oneLine.prefix(37)) + "…" : oneLine)]
        case .bool(let b): return [(prefix, b ? "yes" : "no")]
        case .null: return [(prefix, "–")]
        }
    }

    static func show(_ v: Double) -> String {
        v.rounded() == v && abs(v) < 1e9 ? String(format: "%.0f", v) : String(format: abs(v) >= 100 ? "%.2f" : "%.4f", v)
    }
}
