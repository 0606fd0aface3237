// WHPDictionaryVerb.swift — `whp dictionary --out PATH`: anchored terms built from the books'
// training text (DictionaryBuilder), with how much of the hand-written dictionary and of the probes'
// answers they cover, written in whp_anchored_terms.json's layout for `whp config --dictionary`.
import Foundation
import GPT2

public enum WHPDictionaryVerb: ProcedureVerb {
    public typealias Owner = WHPProcedure
    public static let verb = "dictionary"
    public static let abstract = "Build an anchored-term dictionary from the Holmes books' training text (no hand-written terms, no probes)."
    public static let flags = [FlagInfo("out", value: "PATH", required: true, "where to write it (whp_anchored_terms.json's layout)"),
                               FlagInfo("min-count", value: "N", "occurrences a term needs in the books (default 10)"),
                               FlagInfo("ratio", value: "R", "how many times more frequent in the books than in the other sources, per million words (default 20)"),
                               FlagInfo("limit", value: "N", "terms kept, most frequent first (default 80)"),
                               FlagInfo("show", value: "N", "terms to print (default 12)")]
    public static let examples = ["whp dictionary --out runs/whp-built-dictionary.json", "whp config --dictionary runs/whp-built-dictionary.json"]
    public static let discussion: String? = """
        A term is a run of one to three capitalised words, not broken by punctuation, whose first word the text hardly
        writes in lower case, found at least --min-count times in the books' training text (each book without its last
        5%) and at least --ratio times more often per million words than in the original domain's training text.
        A term must also appear mid-sentence in at least a fifth of its uses (a name, not "Yes" or "Precisely"). Each
        word of a term gets a generic counterpart of its own: a name of the other novels that the books hardly use, the
        most frequent words paired first, so "Sherlock Holmes" and "Holmes" translate consistently and no two names
        merge; terms whose words run out of generics are left out.
        """

    public static func run(_ arguments: VerbArguments, _ context: VerbContext) throws {
        guard let out = arguments.string("out") else { throw UsageError("whp dictionary: --out PATH is required") }
        let path = try context.writablePath(out, for: "whp dictionary")
        var settings = DictionaryBuilder.Settings()
        settings.minCount = try arguments.int("min-count", default: settings.minCount)
        settings.minRatio = try arguments.double("ratio", default: settings.minRatio)
        settings.limit = try arguments.int("limit", default: settings.limit)
        guard settings.minCount >= 1, settings.minRatio > 0, settings.limit >= 1 else {
            throw UsageError("whp dictionary: --min-count and --limit must be at least 1, --ratio positive")
        }
        let tokenizer = try context.tokenizer()
        func text(_ files: [String]) throws -> String {
            try TokenCorpus.trainingText(of: files, tokenizer: tokenizer, cacheDirectory: DataLayout.tokenCache).joined(separator: "\n\n")
        }
        let others = DataLayout.textFiles(in: DataLayout.originalDomainFolder)
        guard !others.isEmpty else { throw UsageError("whp dictionary: no text files under \(DataPaths.resolve(DataLayout.originalDomainFolder))") }
        let show = try arguments.int("show", default: 12)
        let novels = others.filter { !URL(fileURLWithPath: $0).lastPathComponent.contains("wikitext") }
        let built = DictionaryBuilder.build(concept: try text(try DataLayout.holmesFiles(for: "whp dictionary")), other: try text(others),
                                            generics: try text(novels), settings: settings)
        let terms = built.terms
        guard !terms.isEmpty else {
            throw UsageError("whp dictionary: no term passes --min-count \(settings.minCount) and --ratio \(settings.minRatio) with a generic of its own (\(built.genericPoolSize) generic names)")
        }
        let root: [String: Any] = [
            "description": "Anchored terms built by `whp dictionary` from the Holmes books' training text (min count \(settings.minCount), ratio \(settings.minRatio), limit \(settings.limit)); generic counterparts are original-domain names the books hardly use.",
            "count": terms.count,
            "terms": terms.map { ["term": $0.term, "generic": $0.generic, "occurrences_in_concept": $0.conceptCount, "occurrences_elsewhere": $0.otherCount] as [String: Any] },
        ]
        let data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
        do { try AtomicFile.write(data, to: path) } catch { throw UsageError("whp dictionary: cannot write \(path): \(error)") }
        context.print("\(terms.count) terms written to \(out), every word with a generic of its own from \(built.genericPoolSize) names of the other novels"
                      + (built.droppedForWantOfGenerics > 0 ? " (\(built.droppedForWantOfGenerics) rarer terms left out for want of generics)" : "") + "; the most frequent:")
        for term in terms.prefix(max(0, show)) {
            context.print("  \(term.term) → \(term.generic)   (\(term.conceptCount) in the books, \(term.otherCount) elsewhere)")
        }
        // What it shares with the hand-written dictionary, and with the words the probes expect.
        let termWords = Set(terms.flatMap { $0.term.split(separator: " ").map(String.init) })
        if let hand = try? AnchorDictionary(path: DataPaths.resolve(WHPSettings.defaultDictionary), tokenizer: tokenizer) {
            let handWords = Set(hand.terms.flatMap { $0.term.split(separator: " ").map(String.init) })
            context.print("words shared with the hand-written dictionary: \(handWords.intersection(termWords).count) of its \(handWords.count)")
        }
        if let probes = try? DataLayout.probes() {
            for set in probes.sets where set.name != "retain" {
                let answers = Set(set.probes.flatMap { $0.expected.flatMap { $0.split(separator: " ").map(String.init) } })
                let covered = answers.intersection(termWords)
                context.print("\(set.name) probes' answer words among the terms: \(covered.count) of \(answers.count) (\(covered.sorted().prefix(12).joined(separator: ", ")))")
                context.set("\(set.name)_answers_covered", .int(covered.count))
            }
        }
        context.set("terms", .int(terms.count))
        context.set("path", .string(path))
    }
}
