// OriginalDomain.swift — the original-domain text (novels and WikiText that the demo model was
// pretrained on) with its held-out split: what SOPHON must keep intact and where it is measured.
import Foundation
import GPT2

public enum OriginalDomain {
    /// `original` (three public-domain novels) and `wikitext` (WikiText-2 raw test) under `dataDirectory`,
    /// split as pretraining split them (last 5% of each file held out).
    public static func corpus(dataDirectory: String, tokenizer: BPETokenizer, cacheDirectory: String? = ".lethe-cache/tokens") throws -> TokenCorpus {
        let folder = dataDirectory + "/original-domain"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
        let novels = files.filter { !$0.contains("wikitext") }.map { folder + "/" + $0 }
        let wiki = files.filter { $0.contains("wikitext") }.map { folder + "/" + $0 }
        guard !novels.isEmpty, !wiki.isEmpty else {
            throw GPT2Error("\(folder): expected the original-domain .txt files (novels and wikitext2_raw_test.txt)")
        }
        return try TokenCorpus(sources: [CorpusSource(name: "original", files: novels), CorpusSource(name: "wikitext", files: wiki)],
                               tokenizer: tokenizer, cacheDirectory: cacheDirectory)
    }

    /// The last `windowsPerPart` windows of each part's training stream: text SOPHON's reinforcement
    /// never samples (it excludes ``guardSliceLength(windowsPerPart:length:)`` tokens), so a guard
    /// measured on them is not measured on the held-out windows that reports use.
    public static func guardWindows(corpus: TokenCorpus, windowsPerPart: Int, length: Int) -> [[Int32]] {
        corpus.parts.flatMap { part -> [[Int32]] in
            let span = length + 1
            let count = min(windowsPerPart, part.train.count / span)
            let start = part.train.count - count * span
            return (0..<count).map { Array(part.train[(start + $0 * span)..<(start + ($0 + 1) * span)]) }
        }
    }

    public static func guardSliceLength(windowsPerPart: Int, length: Int) -> Int { windowsPerPart * (length + 1) }

    /// Mean held-out next-token loss over every part (equal windows per part), in nats.
    public static func heldOutLoss(model: GPT2Model, corpus: TokenCorpus, windowsPerPart: Int, length: Int = 255) throws -> Double {
        let windows = corpus.parts.indices.flatMap {
            corpus.heldOutWindows(part: $0, length: min(length, model.config.contextLength - 1), limit: windowsPerPart)
        }
        return try meanLoss(model: model, windows: windows, batchSize: 8)
    }
}
