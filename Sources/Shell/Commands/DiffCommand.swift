// DiffCommand.swift — `diff A B`: which tensors differ between two snapshots or models, and by how much.
import Foundation

enum DiffCommand: Command {
    static let info = CommandInfo(
        name: "diff", abstract: "Compare two snapshots or loaded models tensor by tensor (max |Δ| and relative L2 change).",
        arguments: "A B", flags: [FlagInfo("top", value: "N", "show the N most changed tensors (default 10)")],
        examples: ["diff before-sophon current", "diff gpt2-mini sophon"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let a = try weights(try arguments.positional(0, "two snapshot or model names"), context)
        let b = try weights(try arguments.positional(1, "a second snapshot or model name"), context)
        let top = try arguments.int("top", default: 10)
        var rows: [(name: String, maxDelta: Double, relative: Double)] = []
        for (name, x) in a {
            guard let y = b[name] else { throw UsageError("diff: tensor \(name) is missing from the second argument") }
            guard x.count == y.count else { throw UsageError("diff: tensor \(name) has \(x.count) values vs \(y.count)") }
            var maxDelta = 0.0, delta2 = 0.0, norm2 = 0.0
            for i in 0..<x.count {
                let d = Double(y[i] - x[i])
                maxDelta = max(maxDelta, abs(d)); delta2 += d * d; norm2 += Double(x[i]) * Double(x[i])
            }
            rows.append((name, maxDelta, delta2.squareRoot() / max(norm2.squareRoot(), 1e-12)))
        }
        let changed = rows.filter { $0.maxDelta > 0 }.sorted { $0.relative > $1.relative }
        context.print("\(changed.count) of \(rows.count) tensors differ")
        for r in changed.prefix(max(0, top)) {
            context.print("  " + pad(r.name, 28) + String(format: " max|Δ| %.3e  ‖Δ‖/‖A‖ %.3e", r.maxDelta, r.relative))
        }
        context.set("changed", .int(changed.count))
        context.set("tensors", .array(changed.map { .object([("name", .string($0.name)), ("max_delta", .number($0.maxDelta)), ("relative", .number($0.relative))]) }))
    }

    private static func weights(_ name: String, _ context: CommandContext) throws -> [String: [Float]] {
        if name == "current" {
            let m = try context.session.model()
            return Dictionary(uniqueKeysWithValues: m.parameters.map { ($0.name, $0.tensor.data) })
        }
        if let s = context.session.snapshots[name] { return s.weights }
        if let m = context.session.models[name] { return Dictionary(uniqueKeysWithValues: m.parameters.map { ($0.name, $0.tensor.data) }) }
        throw UsageError("diff: no snapshot or model named \(name)")
    }
}
