// WHPTranslateCommand.swift — `whp translate`: one block beside its translation.
import Procedures
enum WHPTranslateCommand: Command {
    static let info = CommandInfo(name: "whp translate", abstract: "Show a target block and its anchored-term translation side by side.",
                                  arguments: "[TEXT]",
                                  flags: [FlagInfo("block", value: "N", "block index (default 0)")],
                                  examples: ["whp translate --block 3", #"whp translate "Holmes looked at Watson.""#])

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        let procedure = try ProcedureRuns.current(WHPProcedure.self, context)
        let tokenizer = try context.session.tokenizer()
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
