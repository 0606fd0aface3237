// WHPTests.swift — the anchored-term translation and its position map, the combination formula,
// labels that are never shifted twice, and the anti-repetition rules, on hand-made logits.
import Autograd
import Foundation
import GPT2
import Procedures
import Testing

private let tokenizer = try! BPETokenizer.bundled()   // the bundled files; a failure is a broken checkout
private func dictionary() throws -> AnchorDictionary {
    try AnchorDictionary(terms: [AnchoredTerm(term: "Sherlock Holmes", generic: "Tom Harris"),
                                 AnchoredTerm(term: "Holmes", generic: "Harris"),
                                 AnchoredTerm(term: "Moriarty", generic: "Professor Smith"),
                                 AnchoredTerm(term: "Baker Street", generic: "Elm Road")], tokenizer: tokenizer)
}

@Suite("WHP")
struct WHPTests {
    @Test func translationKeepsAPositionMap() throws {
        let text = "Sherlock Holmes met Moriarty in Baker Street. \"Holmes!\" cried Moriarty."
        let original = tokenizer.encode(text)
        let t = try dictionary().translate(original)
        #expect(tokenizer.decode(t.translated) == "Tom Harris met Professor Smith in Elm Road. \"Harris!\" cried Professor Smith.")
        #expect(t.translated.count != original.count)   // anchors and translations differ in length
        for i in original.indices {
            if t.anchorAt[i] == nil {
                // Ordinary tokens map to themselves in the translation.
                #expect(t.map[i].map { t.translated[$0] } == original[i], "position \(i)")
            } else if i + 1 == original.count || t.occurrenceStart[i + 1] != t.occurrenceStart[i] {
                // An anchor's last token maps to its translation's last token.
                let m = try #require(t.map[i])
                #expect(m + 1 == t.translated.count || t.anchorAt.indices.contains { t.map[$0] == m + 1 })
            } else {
                #expect(t.map[i] == nil, "interior anchor token \(i) must have no counterpart")
            }
        }
        // Longest match first: "Sherlock Holmes" is one anchor, not "Sherlock" + "Holmes".
        #expect(Set(t.anchorAt.prefix(3).compactMap { $0 }) == [0])
        // The second "Moriarty" is a repeated anchor; the first is not.
        let moriarty = original.indices.filter { t.anchorAt[$0] == 2 }
        #expect(!t.isRepeatedAnchor(moriarty.first!) && t.isRepeatedAnchor(moriarty.last!))
    }

    @Test func combinationFormula() {
        let base: [Float] = [1, 2, 3, -1], reinforced: [Float] = [1, 5, 2, 0]
        // v_b − α·ReLU(v_r − v_b) with α = 2: only logits that rose under reinforcement move.
        #expect(GenericLabels.combine(base: base[...], reinforced: reinforced[...], alpha: 2) == [1, -4, 3, -3])
        #expect(GenericLabels.combine(base: base[...], reinforced: reinforced[...], alpha: 0) == base)
    }

    @Test func labelsComeFromTheMappedRowAndAreNeverShiftedTwice() throws {
        let dict = try dictionary()
        let original = tokenizer.encode("Then Holmes said that Holmes ran home.")
        let t = dict.translate(original)
        #expect(t.anchorAt[1] == 1 && t.anchorAt[2] == nil)   // " Holmes" is one token here
        let vocab = 50257, harris = tokenizer.encode(" Harris")[0]
        // Baseline row m: first choice 1000+m (5), second 3000+m (4); " Harris" at 4.5 everywhere.
        var base = [Float](repeating: 0, count: t.translated.count * vocab)
        for m in 0..<t.translated.count {
            base[m * vocab + 1000 + m] = 5; base[m * vocab + 3000 + m] = 4; base[m * vocab + Int(harris)] = 4.5
        }
        // The reinforced model boosts the baseline's first choice to 9 at every original position.
        var reinforced = [Float](repeating: 0, count: original.count * vocab)
        for i in original.indices { if let m = t.map[i] { reinforced[i * vocab + 1000 + m] = 9 } }
        var settings = GenericLabelSettings()
        settings.repeatPenalty = 20
        settings.alpha = 0.1   // 5 − 0.1·4 = 4.6: the first choice survives
        let mild = GenericLabels.labels(translation: t, baseLogits: base, reinforcedLogits: reinforced, vocabSize: vocab,
                                        dictionary: dict, settings: settings)
        settings.alpha = 5     // 5 − 5·4 < 0: the boosted token is pushed out
        let strong = GenericLabels.labels(translation: t, baseLogits: base, reinforcedLogits: reinforced, vocabSize: vocab,
                                          dictionary: dict, settings: settings)
        let second = original.indices.filter { t.anchorAt[$0] != nil }.last!   // the repeated " Holmes"
        for i in 0..<(original.count - 1) {
            let m = try #require(t.map[i])   // single-token anchors: every position maps
            if i + 1 == second {
                #expect(mild.targets[i] == ignoreIndex && strong.targets[i] == ignoreIndex, "repeated anchors stay out of the loss")
            } else if i >= 1 {
                // " Holmes" has occurred: its translation " Harris" is pushed down by the penalty.
                #expect(mild.targets[i] == Int32(1000 + m), "position \(i)")
                #expect(strong.targets[i] == Int32(3000 + m), "position \(i)")
            } else {
                #expect(strong.targets[i] == harris)   // before any anchor, " Harris" (4.5) beats 3000+m (4)
            }
        }
        #expect(mild.targets.last == ignoreIndex)   // the last token predicts nothing
    }

    @Test func softTargetsAreTheGenericDistributionAtTheLabelledPositions() throws {
        let dict = try dictionary()
        let original = tokenizer.encode("Then Holmes said that Holmes ran home.")
        let t = dict.translate(original)
        let vocab = 50257
        var base = [Float](repeating: 0, count: t.translated.count * vocab)
        for m in 0..<t.translated.count { base[m * vocab + 1000 + m] = 5 }
        var reinforced = [Float](repeating: 0, count: original.count * vocab)
        for i in original.indices { if let m = t.map[i] { reinforced[i * vocab + 1000 + m] = 9 } }
        var settings = GenericLabelSettings()
        settings.alpha = 0.5
        let hard = GenericLabels.labels(translation: t, baseLogits: base, reinforcedLogits: reinforced, vocabSize: vocab,
                                        dictionary: dict, settings: settings)
        var soft = [Float](repeating: -1, count: original.count * vocab)   // -1 marks rows the call must not touch
        let filled = soft.withUnsafeMutableBufferPointer {
            GenericLabels.softTargets(translation: t, baseLogits: base, reinforcedLogits: reinforced, vocabSize: vocab,
                                      dictionary: dict, settings: settings, into: $0)
        }
        #expect(filled == hard.targets.indices.filter { hard.targets[$0] != ignoreIndex })
        for i in original.indices {
            let row = soft[(i * vocab)..<((i + 1) * vocab)]
            guard filled.contains(i) else { #expect(row.allSatisfy { $0 == -1 }, "row \(i) is out of the loss"); continue }
            let total = row.reduce(0.0) { $0 + Double($1) }
            #expect(abs(total - 1) < 1e-4, "row \(i) sums to \(total)")
            // The argmax of the soft target is the hard label, and its probability is softmax's:
            // the boosted logit 5 − 0.5·4 = 3 against vocab − 1 zeros (less the anchor penalty).
            let best = row.indices.max { row[$0] < row[$1] }! - i * vocab
            #expect(Int32(best) == hard.targets[i], "row \(i)")
            let m = try #require(t.map[i])
            let others = row.filter { $0 > 0 && $0 < 1e-3 }.count
            #expect(others >= vocab - 10, "row \(i): the rest of the vocabulary keeps its mass")
            #expect(abs(Double(row[i * vocab + 1000 + m]) - exp(3) / (exp(3) + Double(others))) < 1e-3 * exp(3) / (exp(3) + Double(others)))
        }
    }

    @Test func dictionaryLoadsTheShippedFileWithBothForms() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/data/concept/whp_anchored_terms.json")
        let dict = try AnchorDictionary(path: url.path, tokenizer: tokenizer)
        #expect(dict.terms.count == 54)
        let quoted = dict.translate(tokenizer.encode("\"Holmes,\" said Watson."))
        #expect(tokenizer.decode(quoted.translated) == "\"Harris,\" said Miller.")
    }
}

/// `whp dictionary`'s rules on a text small enough to count by eye: names used mid-sentence and far
/// more often than elsewhere become terms (a capitalised run stays whole); abbreviations, short words
/// and sentence openers do not; generic counterparts are the other text's names, word by word.
@Suite("Anchored terms built from the books")
struct DictionaryBuilderTests {
    // "Watson" only ever follows "Dr.": without the abbreviation rule it would never be mid-sentence.
    let concept = String(repeating: "It was then that Holmes looked at Dr. Watson, and Holmes said that Baker Street was near. Yes, said Holmes. ", count: 12)
    let other = String(repeating: "Elizabeth walked with Mr. Darcy, and Elizabeth smiled at Darcy near the Pemberley gate with Wickham. Yes, said Elizabeth. ", count: 12)

    @Test func namesBecomeTermsAndOpenersDoNot() {
        let terms = DictionaryBuilder.build(concept: concept, other: other, generics: other).terms
        #expect(terms == [BuiltTerm(term: "Holmes", generic: "Elizabeth", conceptCount: 36, otherCount: 0),
                          BuiltTerm(term: "Baker Street", generic: "Darcy Pemberley", conceptCount: 12, otherCount: 0),
                          BuiltTerm(term: "Watson", generic: "Wickham", conceptCount: 12, otherCount: 0)])
    }

    @Test func aTermAsFrequentElsewhereIsNotOne() {
        var settings = DictionaryBuilder.Settings()
        settings.minRatio = 2
        // "Holmes" as often elsewhere (per word) as in the books: no longer idiosyncratic.
        let elsewhere = other + String(repeating: "and Holmes, and Holmes, and Holmes. ", count: 12)
        let terms = DictionaryBuilder.build(concept: concept, other: elsewhere, generics: other, settings: settings).terms
        #expect(!terms.contains { $0.term == "Holmes" })
        #expect(terms.map(\.term) == ["Baker Street", "Watson"])
        settings.minCount = 13
        #expect(DictionaryBuilder.build(concept: concept, other: elsewhere, generics: other, settings: settings).terms.isEmpty)
    }

    /// Two names never share a generic: with one name to give, the rarer term is left out.
    @Test func namesDoNotMergeWhenGenericsRunOut() {
        let result = DictionaryBuilder.build(concept: concept, other: other, generics: String(repeating: "They met Elizabeth there. ", count: 12))
        #expect(result.genericPoolSize == 1)
        #expect(result.terms == [BuiltTerm(term: "Holmes", generic: "Elizabeth", conceptCount: 36, otherCount: 0)])
        #expect(result.droppedForWantOfGenerics == 2)
    }
}
