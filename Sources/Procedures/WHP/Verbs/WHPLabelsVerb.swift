// WHPLabelsVerb.swift — `whp labels`: build the generic labels and show where they differ and why.
import Autograd
import GPT2

public enum WHPLabelsVerb: ProcedureVerb {
    public typealias Owner = WHPProcedure
    public static let verb = "labels"
    public static let abstract = "Build generic labels for the target blocks and show, for one block, where a label differs from the text."
    public static let flags = [FlagInfo("show-block", value: "N", "block to explain (default 0)"),
                               FlagInfo("limit", value: "N", "changed positions to list (default 12)")]
    public static let examples = ["whp labels", "whp labels --show-block 5"]

    public static func run(_ a: VerbArguments, _ context: VerbContext) throws {
        let procedure = try context.run(WHPProcedure.self)
        try procedure.buildLabels(report: WHPProgress.reporter(context))
        context.endProgress()
        let tokenizer = try context.tokenizer()
        let counted = procedure.labelled.reduce(0) { $0 + $1.targets.filter { $0 != ignoreIndex }.count }
        let changed = procedure.labelled.reduce(0) { $0 + $1.changed.count }
        context.print(String(format: "%d blocks labelled: %d positions in the loss, %d (%.1f%%) with a label that differs from the text",
                             procedure.labelled.count, counted, changed, 100 * Double(changed) / Double(max(1, counted))))
        if procedure.settings.labels.soft {
            context.print("soft labels: `whp finetune` trains toward the whole softmax(v_generic) at these positions; a label below is its likeliest token")
        }
        let index = try a.int("show-block", default: 0)
        guard index >= 0 && index < procedure.labelled.count else { throw UsageError("whp labels: --show-block must be in 0..<\(procedure.labelled.count)") }
        let block = procedure.labelled[index], original = block.translation.original
        for i in block.changed.prefix(max(0, try a.int("limit", default: 12))) {
            let context3 = tokenizer.decode(Array(original[max(0, i - 5)...i])).replacingOccurrences(of: "\n", with: "⏎")
            let why = block.translation.anchorAt[i + 1] != nil ? "anchor → generic" : "generic prediction"
            context.print("  …\(context3) | text \(tokenizer.decode([original[i + 1]]).debugDescription) → label \(tokenizer.decode([block.targets[i]]).debugDescription)  (\(why))")
        }
        let masked = block.targets.indices.dropLast().filter { block.targets[$0] == ignoreIndex }.count
        context.print("block \(index): \(block.changed.count) labels changed, \(masked) positions left out (repeated anchors, anchor interiors)")
        context.set("blocks", .int(procedure.labelled.count))
        context.set("changed_fraction", .number(Double(changed) / Double(max(1, counted))))
    }
}
