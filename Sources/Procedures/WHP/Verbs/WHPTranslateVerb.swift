// WHPTranslateVerb.swift — `whp translate`: one block beside its translation.
import GPT2

public enum WHPTranslateVerb: ProcedureVerb {
    public typealias Owner = WHPProcedure
    public static let verb = "translate"
    public static let abstract = "Show a target block and its anchored-term translation side by side."
    public static let arguments = "[TEXT]"
    public static let flags = [FlagInfo("block", value: "N", "block index (default 0)")]
    public static let examples = ["whp translate --block 3", #"whp translate "Holmes looked at Watson.""#]

    public static func run(_ a: VerbArguments, _ context: VerbContext) throws {
        let procedure = try context.run(WHPProcedure.self)
        let tokenizer = try context.tokenizer()
        let original: [Int32]
        if a.positionals.isEmpty {
            let index = try a.int("block", default: 0)
            guard index >= 0 && index < procedure.blockCount else { throw UsageError("whp translate: --block must be in 0..<\(procedure.blockCount)") }
            original = procedure.block(index)
        } else {
            original = tokenizer.encode(try a.text("a text"))
        }
        let t = procedure.dictionary.translate(original)
        let anchors = Set(t.anchorAt.compactMap { $0 }).count
        context.print("original (\(original.count) tokens):")
        context.print("  " + tokenizer.decode(original).replacingOccurrences(of: "\n", with: "\n  "))
        context.print("translation (\(t.translated.count) tokens, \(anchors) distinct anchors):")
        context.print("  " + tokenizer.decode(t.translated).replacingOccurrences(of: "\n", with: "\n  "))
        context.set("original", .string(tokenizer.decode(original)))
        context.set("translation", .string(tokenizer.decode(t.translated)))
    }
}
