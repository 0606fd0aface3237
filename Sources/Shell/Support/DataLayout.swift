// DataLayout.swift — where Lethe's bundled data lives (`examples/data/`), in one place.
import Foundation
import GPT2
import Procedures

enum DataLayout {
    static let conceptFolder = "examples/data/concept"
    static let completionProbes = "examples/data/concept/completion_probes.json"

    /// The `.txt` files of a data folder (resolved as ``DataPaths`` does) that `keep` accepts, sorted by name.
    static func textFiles(in folder: String, _ keep: (String) -> Bool = { _ in true }) -> [String] {
        let dir = DataPaths.resolve(folder)
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".txt") && keep($0) }.sorted().map { dir + "/" + $0 }
    }

    /// The five Holmes books as one corpus source, split (train / held out) as every procedure splits them.
    static func holmesCorpus(tokenizer: BPETokenizer, for command: String) throws -> TokenCorpus {
        let files = textFiles(in: conceptFolder) { $0.hasPrefix("holmes") }
        guard !files.isEmpty else { throw UsageError("\(command): no holmes_*.txt files under \(DataPaths.resolve(conceptFolder))") }
        return try TokenCorpus(sources: [CorpusSource(name: "holmes", files: files)], tokenizer: tokenizer, cacheDirectory: ".lethe-cache/tokens")
    }

    /// The register, question and retain probes of the concept.
    static func probes() throws -> ProbeSets { try ProbeSets(path: DataPaths.resolve(completionProbes)) }
}
