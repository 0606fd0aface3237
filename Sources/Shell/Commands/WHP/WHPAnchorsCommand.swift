// WHPAnchorsCommand.swift — `whp anchors`: the dictionary, with both token forms of each term.
import Procedures
enum WHPAnchorsCommand: Command {
    static let info = CommandInfo(name: "whp anchors", abstract: "Show the anchored-term dictionary and how each term tokenizes.",
                                  flags: [FlagInfo("limit", value: "N", "terms to show (default 20)")],
                                  examples: ["whp anchors", "whp anchors --limit 60"])

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        let procedure = try ProcedureRuns.current(WHPProcedure.self, context)
        let tokenizer = try context.session.tokenizer()
        let limit = try a.int("limit", default: 20)
        for term in procedure.dictionary.terms.prefix(max(0, limit)) {
            let spaced = tokenizer.encode(" " + term.term).count, bare = tokenizer.encode(term.term).count
            let generic = tokenizer.encode(" " + term.generic).count
            context.print("\(term.term) → \(term.generic)   (tokens: \(spaced) with a space, \(bare) bare → \(generic))")
        }
        context.set("terms", .int(procedure.dictionary.terms.count))
    }
}
