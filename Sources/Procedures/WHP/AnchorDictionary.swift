// AnchorDictionary.swift — WHP's anchored terms (idiosyncratic names → generic counterparts) and
// the token-level translation of a block, with the map from original to translated positions.
import Foundation
import GPT2

public struct AnchoredTerm: Sendable, Equatable {
    public let term: String
    public let generic: String
    public init(term: String, generic: String) { self.term = term; self.generic = generic }
}

/// One tokenized form of an anchor: GPT-2 encodes " Holmes" (after a space) and "Holmes" (after a
/// quote or a newline) differently, so each term has both forms, each with its translation.
struct AnchorForm: Sendable {
    let anchor: Int          // index into `terms`
    let tokens: [Int32]
    let translation: [Int32]
}

public struct AnchorDictionary: Sendable {
    public let terms: [AnchoredTerm]
    let forms: [AnchorForm]                   // longest token sequence first
    let formsByFirstToken: [Int32: [Int]]     // first token → indices into `forms`

    public init(terms: [AnchoredTerm], tokenizer: BPETokenizer) throws {
        guard !terms.isEmpty else { throw GPT2Error("whp: the anchored-term dictionary is empty") }
        self.terms = terms
        var forms: [AnchorForm] = []
        for (index, t) in terms.enumerated() {
            for prefix in [" ", ""] {
                let tokens = tokenizer.encode(prefix + t.term), translation = tokenizer.encode(prefix + t.generic)
                guard !tokens.isEmpty, !translation.isEmpty else { throw GPT2Error("whp: anchor '\(t.term)' or its generic '\(t.generic)' is empty") }
                forms.append(AnchorForm(anchor: index, tokens: tokens, translation: translation))
            }
        }
        // Longest match first: more tokens first, then the longer term text.
        forms.sort { ($0.tokens.count, terms[$0.anchor].term.count) > ($1.tokens.count, terms[$1.anchor].term.count) }
        self.forms = forms
        var byFirst: [Int32: [Int]] = [:]
        for (i, f) in forms.enumerated() { byFirst[f.tokens[0], default: []].append(i) }
        formsByFirstToken = byFirst
    }

    /// Reads `whp_anchored_terms.json` (`{"terms": [{"term": …, "generic": …}, …]}`).
    public init(path: String, tokenizer: BPETokenizer) throws {
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = root["terms"] as? [[String: Any]] else {
            throw GPT2Error("\(path): expected a JSON object with a \"terms\" list of {term, generic}")
        }
        let terms = try list.enumerated().map { index, item -> AnchoredTerm in
            guard let term = item["term"] as? String, let generic = item["generic"] as? String, !term.isEmpty else {
                throw GPT2Error("\(path): terms[\(index)] needs a non-empty term and a generic")
            }
            return AnchoredTerm(term: term, generic: generic)
        }
        try self.init(terms: terms, tokenizer: tokenizer)
    }

    /// The first tokens of both forms of an anchor's translation (what anti-repetition pushes down).
    func translationFirstTokens(_ anchor: Int) -> [Int32] {
        forms.filter { $0.anchor == anchor }.map { $0.translation[0] }
    }

    /// Translates `original` anchor by anchor (longest match first, at token boundaries).
    public func translate(_ original: [Int32]) -> Translation {
        let n = original.count
        var translated: [Int32] = []
        var map = [Int?](repeating: nil, count: n)
        var anchorAt = [Int?](repeating: nil, count: n)
        var occurrenceStart = [Int?](repeating: nil, count: n)
        var i = 0
        while i < n {
            let match = formsByFirstToken[original[i]]?.lazy.map { self.forms[$0] }.first { form in
                i + form.tokens.count <= n && Array(original[i..<(i + form.tokens.count)]) == form.tokens
            }
            if let form = match {
                translated += form.translation
                for j in i..<(i + form.tokens.count) { anchorAt[j] = form.anchor; occurrenceStart[j] = i }
                map[i + form.tokens.count - 1] = translated.count - 1   // last anchor token ↔ last translated token
                i += form.tokens.count
            } else {
                translated.append(original[i])
                map[i] = translated.count - 1
                i += 1
            }
        }
        return Translation(original: original, translated: translated, map: map, anchorAt: anchorAt, occurrenceStart: occurrenceStart)
    }
}

/// A block and its translation. `map[i]` is the translated position whose prediction stands for
/// original position i's (nil inside a multi-token anchor, where no translated position matches).
public struct Translation: Sendable, Equatable {
    public let original: [Int32]
    public let translated: [Int32]
    public let map: [Int?]
    /// The anchor each original token belongs to, and where that occurrence starts.
    public let anchorAt: [Int?]
    public let occurrenceStart: [Int?]

    /// Whether original position `j` lies in an anchor that already occurred earlier in the block.
    public func isRepeatedAnchor(_ j: Int) -> Bool {
        guard let anchor = anchorAt[j], let start = occurrenceStart[j] else { return false }
        return (0..<start).contains { anchorAt[$0] == anchor }
    }
}
