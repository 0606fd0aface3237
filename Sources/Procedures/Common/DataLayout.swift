// DataLayout.swift — where Lethe's bundled data lives (`examples/data/`), and how a relative data
// path resolves: in one place, for the procedures and the shell alike.
import Foundation
import GPT2

public enum DataPaths {
    /// `path` as given if it exists; otherwise a relative path is looked up under `$LETHE_HOME` and
    /// the folders above the executable (so the shipped `examples/data/...` works from anywhere).
    public static func resolve(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") || FileManager.default.fileExists(atPath: expanded) { return expanded }
        var roots: [String] = []
        if let home = ProcessInfo.processInfo.environment["LETHE_HOME"] { roots.append(home) }
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 { roots.append(dir.path); dir.deleteLastPathComponent() }
        return roots.map { $0 + "/" + expanded }.first { FileManager.default.fileExists(atPath: $0) } ?? expanded
    }
}

public enum DataLayout {
    public static let root = "examples/data"
    public static let conceptFolder = "examples/data/concept"
    public static let originalDomainFolder = "examples/data/original-domain"
    public static let completionProbes = "examples/data/concept/completion_probes.json"
    /// Whole short reviews (≤ 128 tokens), the attacks' own data.
    public static let shortTrainReviews = "examples/data/sentiment/imdb_short_train.tsv"
    public static let shortTestReviews = "examples/data/sentiment/imdb_short_test.tsv"
    /// The notebook's 500 test reviews, whole.
    public static let testReviews = "examples/data/sentiment/imdb_test.tsv"
    /// The notebook's training reviews, whole (the reference code's restricted data).
    public static let trainReviews = "examples/data/sentiment/imdb_train.tsv"
    /// WHP's anchored terms and generic translations.
    public static let anchoredTerms = "examples/data/concept/whp_anchored_terms.json"
    /// ELM's expert/novice prompt pairs, written as instructions.
    public static let elmPromptPairs = "examples/data/concept/elm_prompt_pairs.json"
    /// The model a command loads when it needs one and none is loaded.
    public static let defaultModel = "models/gpt2-mini/tf_model.h5"
    /// Token-split caches, shared by every command that reads a corpus.
    public static let tokenCache = ".lethe-cache/tokens"

    /// The `.txt` files of a data folder (resolved as ``DataPaths`` does) that `keep` accepts, sorted by name.
    public static func textFiles(in folder: String, _ keep: (String) -> Bool = { _ in true }) -> [String] {
        let dir = DataPaths.resolve(folder)
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".txt") && keep($0) }.sorted().map { dir + "/" + $0 }
    }

    /// The Holmes books' files (the concept every forgetting procedure and measure uses).
    public static func holmesFiles(for command: String) throws -> [String] {
        let files = textFiles(in: conceptFolder) { $0.hasPrefix("holmes") }
        guard !files.isEmpty else { throw GPT2Error("\(command): no holmes_*.txt files under \(DataPaths.resolve(conceptFolder))") }
        return files
    }

    /// The Holmes books as one corpus source, split (train / held out) as every procedure splits them.
    public static func holmesCorpus(tokenizer: BPETokenizer, for command: String) throws -> TokenCorpus {
        try TokenCorpus(sources: [CorpusSource(name: "holmes", files: try holmesFiles(for: command))], tokenizer: tokenizer, cacheDirectory: tokenCache)
    }

    /// The original domain (novels and WikiText), split as pretraining split it.
    public static func originalDomain(tokenizer: BPETokenizer) throws -> TokenCorpus {
        try OriginalDomain.corpus(dataDirectory: DataPaths.resolve(root), tokenizer: tokenizer)
    }

    /// The register, question and retain probes of the concept.
    public static func probes() throws -> ProbeSets { try ProbeSets(path: DataPaths.resolve(completionProbes)) }
}
