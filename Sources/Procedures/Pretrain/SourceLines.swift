// SourceLines.swift — the short line that names where a text comes from, put before part of the
// pretraining windows (CTRL's control codes, in words). It gives a small model a notion of a
// concept's source that ELM's expert/novice prefixes can steer with.

/// The source lines of each pretraining source, by the source's name in ``CorpusSource``.
/// Several phrasings per source, so the model learns the source rather than one string.
public enum SourceLines {
    /// Lines for the Sherlock Holmes books: the concept's source, the expert side of ELM's pairs.
    public static let holmes = [
        "A Sherlock Holmes story by Arthur Conan Doyle.\n",
        "From the adventures of Sherlock Holmes and Dr. Watson:\n",
        "Detective fiction by Arthur Conan Doyle:\n",
    ]
    /// Lines for the other novels: the generic source, the novice side of ELM's pairs.
    public static let novel = [
        "A novel.\n",
        "From a novel:\n",
        "A passage of fiction:\n",
    ]
    public static let movieReview = [
        "A movie review.\n",
        "From a movie review:\n",
        "A film review posted online:\n",
    ]
    public static let encyclopedia = [
        "An encyclopedia article.\n",
        "From an encyclopedia:\n",
        "A Wikipedia article:\n",
    ]

    /// The lines of a pretraining source (`novels`, `imdb`, `original`, `wikitext`, `holmes`); none for others.
    public static func lines(for source: String) -> [String] {
        switch source {
        case "holmes": holmes
        case "novels", "original": novel
        case "imdb": movieReview
        case "wikitext": encyclopedia
        default: []
        }
    }
}
