// PerplexityIntervals.swift — `perplexity --interval`, `--pool A,B,C`, `--baseline NAME`: held-out
// perplexity as a measured effect. Items are the held-out windows: one model's interval is the
// percentile bootstrap over windows; a pool (one recipe at several seeds, all scored on the same
// windows) resamples seeds and one set of windows shared by them (Intervals.crossedBootstrapMean);
// a change against a baseline is paired window by window
// (specs/measurements.md, "Uncertainty"). Perplexity is exp of the mean loss, so the bounds are too.
import Foundation
import GPT2
import Procedures

extension PerplexityCommand {
    struct IntervalRequest {
        var models: [String]          // one name, or the pool
        var pooled: Bool
        var baseline: String?
        var windowsPerSource: Int
    }

    static func runWithIntervals(_ request: IntervalRequest, corpus: TokenCorpus, _ context: CommandContext) throws {
        let models = try request.models.map { try context.session.model(named: $0, for: "perplexity") }
        let baseline = try request.baseline.map { try context.session.model(named: $0, for: "perplexity --baseline") }
        let contextLength = models[0].config.contextLength
        for (name, model) in zip(request.models, models) + (baseline.map { [(request.baseline ?? "", $0)] } ?? [])
        where model.config.contextLength != contextLength || model.config.vocabSize != models[0].config.vocabSize {
            throw UsageError("perplexity: \(name) has context \(model.config.contextLength) and vocabulary \(model.config.vocabSize); "
                             + "\(request.models[0]) has \(contextLength) and \(models[0].config.vocabSize) (models compared on the same windows must match)")
        }
        var rows: [(String, JSONValue)] = []
        for (index, part) in corpus.parts.enumerated() {
            let windows = corpus.heldOutWindows(part: index, length: contextLength - 1, limit: request.windowsPerSource)
            guard windows.count >= 2 else { throw UsageError("perplexity: \(part.name) has \(windows.count) held-out window; an interval needs at least 2") }
            func losses(_ name: String, _ model: GPT2Model) throws -> [Double] {
                try context.windowLosses(of: model, on: windows, what: "\(name) on \(part.name)")
            }
            let baseLosses = try baseline.map { try losses(request.baseline ?? "", $0) }
            let perModel = try zip(request.models, models).map { name, model in
                name == request.baseline ? baseLosses ?? [] : try losses(name, model)   // a model against itself is scored once
            }
            let tokens = windows.reduce(0) { $0 + $1.count - 1 }
            var fields: [(String, JSONValue)] = [("tokens", .int(tokens)), ("windows", .int(windows.count))]
            func report(_ label: String, _ losses: [[Double]]) -> JSONValue {
                let loss = Intervals.crossedBootstrapMean(losses)   // every model scored the same windows
                var line = label + part.name.padding(toLength: 9, withPad: " ", startingAt: 0)
                    + String(format: " %7d tokens  perplexity %8.2f [%.2f, %.2f]", tokens, exp(loss.value), exp(loss.lower), exp(loss.upper))
                var json: [(String, JSONValue)] = [("loss", .number(loss.value)), ("perplexity", .number(exp(loss.value))),
                                                   ("perplexity_interval", .array([.number(exp(loss.lower)), .number(exp(loss.upper))]))]
                if let baseLosses, let baseName = request.baseline {
                    let change = Intervals.crossedBootstrapMean(losses.map { zip($0, baseLosses).map { $0 - $1 } }).asPerplexityChange
                    line += String(format: "  vs %@ %+.1f%% [%+.1f, %+.1f]", baseName, 100 * change.value, 100 * change.lower, 100 * change.upper)
                    json += [("change_vs_baseline", .number(change.value)),
                             ("change_interval", .array([.number(change.lower), .number(change.upper)]))]
                }
                context.print(line)
                return .object(json)
            }
            if let baseLosses, let baseName = request.baseline {
                let loss = Intervals.bootstrapMean(baseLosses)
                context.print("\(baseName): " + part.name.padding(toLength: 9, withPad: " ", startingAt: 0)
                              + String(format: " %7d tokens  perplexity %8.2f [%.2f, %.2f]", tokens, exp(loss.value), exp(loss.lower), exp(loss.upper)))
                fields.append(("baseline_perplexity", .number(exp(loss.value))))
            }
            var perModelJSON: [(String, JSONValue)] = []
            for (name, losses) in zip(request.models, perModel) {
                perModelJSON.append((name, report(request.pooled || baseline != nil ? "\(name): " : "", [losses])))
            }
            fields.append(("models", .object(perModelJSON)))
            if request.pooled { fields.append(("pooled", report("pooled over \(models.count) models: ", perModel))) }
            rows.append((part.name, .object(fields)))
        }
        context.set("sources", .object(rows))
    }
}
