// WHPAnchorsVerb.swift — `whp anchors`: the dictionary, with both token forms of each term.
import GPT2

public enum WHPAnchorsVerb: ProcedureVerb {
    public typealias Owner = WHPProcedure
    public static let verb = "anchors"
    public static let abstract = "Show the anchored-term dictionary and how each term tokenizes."
    public static let flags = [FlagInfo("limit", value: "N", "terms to show (default 20)")]
    public static let examples = ["whp anchors", "whp anchors --limit 60"]

    public static func run(_ a: VerbArguments, _ context: VerbContext) throws {
        let procedure = try context.run(WHPProcedure.self)
        let tokenizer = try context.tokenizer()
        let limit = try a.int("limit", default: 20)
        for term in procedure.dictionary.terms.prefix(max(0, limit)) {
            let spaced = tokenizer.encode(" " + term.term).count, bare = tokenizer.encode(term.term).count
            let generic = tokenizer.encode(" " + term.generic).count
            context.print("\(term.term) → \(term.generic)   (tokens: \(spaced) with a space, \(bare) bare → \(generic))")
        }
        context.set("terms", .int(procedure.dictionary.terms.count))
    }
}
