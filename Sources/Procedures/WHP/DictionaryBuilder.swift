// DictionaryBuilder.swift — an anchored-term dictionary built from the books themselves, not written
// by hand: WHP's paper asked GPT-4 for the idiosyncratic names of its target text; here they are the
// capitalised phrases far more frequent in the concept's training text than in the other sources, and
// each word's generic counterpart is a name as frequent in the other sources and absent from the
// concept. Nothing of it reads the probes, so probes can judge a WHP run that uses it.
import Foundation

public struct BuiltTerm: Sendable, Equatable {
    public let term: String
    public let generic: String
    /// Occurrences in the concept's text and in the other sources' text.
    public let conceptCount: Int
    public let otherCount: Int
    public init(term: String, generic: String, conceptCount: Int, otherCount: Int) {
        self.term = term; self.generic = generic; self.conceptCount = conceptCount; self.otherCount = otherCount
    }
}

public enum DictionaryBuilder {
    public struct Settings: Sendable {
        /// A term needs at least this many occurrences in the concept's text.
        public var minCount = 10
        /// …and a rate per million words at least this many times its rate elsewhere (both plus one).
        public var minRatio = 20.0
        /// The most frequent terms kept.
        public var limit = 80
        /// A generic counterpart needs at least this many occurrences in the other novels.
        public var genericMinCount = 3
        public init() {}
    }

    /// The terms, and what could not be kept: terms with a word left without a generic of its own
    /// (every word gets a different one, so two names never merge into one).
    public struct Result: Sendable {
        public let terms: [BuiltTerm]
        public let droppedForWantOfGenerics: Int
        public let genericPoolSize: Int
    }

    /// Titles kept as they are in a translation, and never a term alone.
    static let titles: Set<String> = ["Miss", "Lord", "Lady", "Sir", "Colonel", "Inspector", "Captain", "Doctor", "Professor", "Major",
                                      "General", "Master", "Madame", "Mister", "King", "Queen", "Prince", "Princess", "Baron", "Count", "Countess"]

    /// Terms of `concept` (most frequent first) whose rate there is `minRatio` times their rate in
    /// `other`, with word-by-word generic counterparts: names of `generics` (the other novels) that
    /// the concept's text hardly uses.
    public static func build(concept: String, other: String, generics: String, settings: Settings = Settings()) -> Result {
        let conceptStats = TextStatistics(concept), otherStats = TextStatistics(other), genericStats = TextStatistics(generics)
        func rate(_ count: Int, _ stats: TextStatistics) -> Double { Double(count) / Double(max(1, stats.wordCount)) * 1e6 }
        // Elsewhere, a single word counts every capitalised use, not only those that start a name there.
        func otherCount(_ phrase: String) -> Int { phrase.contains(" ") ? otherStats.phrases[phrase] ?? 0 : otherStats.words[phrase] ?? 0 }
        let terms = conceptStats.phrases
            .filter { phrase, count in
                !phrase.split(separator: " ").allSatisfy { titles.contains(String($0)) }
                    && count >= settings.minCount
                    && 5 * (conceptStats.midSentence[phrase] ?? 0) >= count   // a name, not a sentence opener ("Yes", "Precisely")
                    && (rate(count, conceptStats) + 1) / (rate(otherCount(phrase), otherStats) + 1) >= settings.minRatio
            }
            .sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            .prefix(settings.limit)
        // Generic words: single names of the other novels, used mid-sentence, that the concept's text hardly
        // uses, most frequent first, given to the concept's words in order of their frequency.
        let pool = genericStats.phrases
            .filter { phrase, count in
                !phrase.contains(" ") && count >= settings.genericMinCount && 5 * (genericStats.midSentence[phrase] ?? 0) >= count
                    && (conceptStats.words[phrase] ?? 0) <= count / 50
            }
            .sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            .map(\.key)
        let words = Set(terms.flatMap { $0.key.split(separator: " ").map(String.init) }).subtracting(titles)   // titles stay: "Miss Morstan" → "Miss …"
        let ordered = words.sorted { (conceptStats.words[$0] ?? 0, $1) > (conceptStats.words[$1] ?? 0, $0) }
        let generic = Dictionary(uniqueKeysWithValues: zip(ordered, pool))   // the rarest words may go without
        let kept = terms.compactMap { phrase, count -> BuiltTerm? in
            let parts = phrase.split(separator: " ").map { titles.contains(String($0)) ? String($0) : generic[String($0)] }
            guard parts.allSatisfy({ $0 != nil }) else { return nil }
            return BuiltTerm(term: phrase, generic: parts.compactMap { $0 }.joined(separator: " "), conceptCount: count, otherCount: otherCount(phrase))
        }
        return Result(terms: kept, droppedForWantOfGenerics: terms.count - kept.count, genericPoolSize: pool.count)
    }
}

/// Capitalised phrases of a text: runs of 1–3 capitalised words not broken by punctuation, whose first
/// word the text hardly ever writes in lower case ("When Holmes" is "Holmes"; "Baker Street" stays
/// whole, since a capitalised word after a name is part of it); and how often each word is capitalised.
struct TextStatistics {
    /// Titles written with a full stop that does not end the sentence.
    static let abbreviations: Set<String> = ["Mr", "Mrs", "Ms", "Dr", "St", "Jr", "Sr", "Messrs", "Col", "Capt", "Prof", "Rev"]

    var phrases: [String: Int] = [:]
    /// Occurrences of each phrase that do not follow punctuation (a sentence opener never does).
    var midSentence: [String: Int] = [:]
    var words: [String: Int] = [:]
    var wordCount = 0

    init(_ text: String) {
        // Words as letter runs (apostrophes end a word: "Holmes's" counts as "Holmes"). A title or an initial
        // before a full stop ("Mr.", "Dr.", "St.", "J.") is an abbreviation: its stop ends nothing, and it is
        // not part of a name ("Dr. Watson" is "Watson", mid-sentence).
        var tokens: [(word: Substring, followsBreak: Bool)] = []
        var lowercase: [String: Int] = [:]
        var start: String.Index?
        var pendingBreak = true
        for index in text.indices {
            let c = text[index]
            if c.isLetter {
                if start == nil { start = index }
            } else {
                if let s = start { tokens.append((text[s..<index], pendingBreak)); pendingBreak = false }
                start = nil
                if c == ".", let last = tokens.last, last.word.endIndex == index, text[index...].dropFirst().first?.isWhitespace == true,
                   Self.abbreviations.contains(String(last.word)) || (last.word.count == 1 && last.word.first?.isUppercase == true) {
                    tokens[tokens.count - 1].word = last.word.prefix(0)   // dropped: an empty word breaks no run and starts none
                    continue
                }
                if !(c.isWhitespace || c == "-") { pendingBreak = true }   // anything but white space or a hyphen ends a phrase
            }
        }
        if let s = start { tokens.append((text[s...], pendingBreak)) }
        wordCount = tokens.count
        for (word, _) in tokens where word.first?.isLowercase == true { lowercase[String(word), default: 0] += 1 }
        func isCapitalised(_ word: Substring) -> Bool {   // "Holmes", "McCarthy"; not "I" or "HOLMES"
            guard let first = word.first, first.isUppercase, word.count >= 2 else { return false }
            return word.dropFirst().contains { $0.isLowercase }
        }
        func startsName(_ word: Substring) -> Bool {
            guard isCapitalised(word), word.count >= 3 else { return false }
            let capitalised = String(word)
            return (lowercase[capitalised.lowercased()] ?? 0) * 4 < (words[capitalised] ?? 1)   // mostly capitalised
        }
        for (word, _) in tokens where word.first?.isUppercase == true { words[String(word), default: 0] += 1 }
        var run: [Substring] = []
        var runFollowsBreak = false
        func flush() {
            if !run.isEmpty {
                let phrase = run.joined(separator: " ")
                phrases[phrase, default: 0] += 1
                if !runFollowsBreak { midSentence[phrase, default: 0] += 1 }
            }
            run = []
        }
        for (word, followsBreak) in tokens {
            if word.isEmpty { flush(); continue }   // an abbreviation: "Dr." ends the run before it, and starts none
            if followsBreak { flush() }
            if !run.isEmpty && isCapitalised(word) && run.count < 3 {
                run.append(word)
            } else {
                flush()
                if startsName(word) { run = [word]; runFollowsBreak = followsBreak }
            }
        }
        flush()
    }
}
