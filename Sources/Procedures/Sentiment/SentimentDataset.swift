// SentimentDataset.swift — labelled reviews (`label<TAB>text` TSV or JSONL), tokenized and truncated.
import Autograd
import Foundation
import GPT2

/// One labelled text: `label` 1 = positive, 0 = negative.
public struct LabeledText: Sendable, Equatable {
    public var label: Int32
    public var text: String
    public init(label: Int32, text: String) { self.label = label; self.text = text }
}

/// A binary sentiment dataset, tokenized once. Reviews longer than `maxTokens` keep their first
/// `maxTokens` tokens (the notebook truncates at 512; Lethe's default is the model's context).
public struct SentimentDataset: Sendable {
    public let name: String
    public let texts: [LabeledText]
    public let tokens: [[Int32]]
    public var labels: [Int32] { texts.map(\.label) }
    public var count: Int { texts.count }

    public init(name: String, texts: [LabeledText], tokenizer: BPETokenizer, maxTokens: Int) throws {
        guard maxTokens >= 1 else { throw GPT2Error("\(name): the maximum length must be at least 1 token") }
        self.name = name
        self.texts = texts
        tokens = try texts.enumerated().map { index, example in
            let ids = tokenizer.encode(example.text)
            guard !ids.isEmpty else { throw GPT2Error("\(name): example \(index + 1) has no text") }
            return Array(ids.prefix(maxTokens))
        }
    }

    /// A dataset of already-tokenized examples (tests, and token-level tools).
    public init(name: String, tokens: [[Int32]], labels: [Int32]) throws {
        guard tokens.count == labels.count, tokens.allSatisfy({ !$0.isEmpty }) else {
            throw GPT2Error("\(name): \(tokens.count) token rows for \(labels.count) labels (each row needs a token)")
        }
        self.init(name: name, texts: labels.map { LabeledText(label: $0, text: "") }, tokens: tokens)
    }

    /// The first `limit` examples (all when nil).
    public func prefix(_ limit: Int?) -> SentimentDataset {
        guard let limit, limit < count else { return self }
        return SentimentDataset(name: name, texts: Array(texts.prefix(limit)), tokens: Array(tokens.prefix(limit)))
    }

    private init(name: String, texts: [LabeledText], tokens: [[Int32]]) {
        self.name = name; self.texts = texts; self.tokens = tokens
    }

    /// Reads a `.tsv` (`label<TAB>text`, no header) or `.jsonl` (`{"label": 0|1, "text": …}`) file.
    /// Labels may be 0/1 or neg/pos/negative/positive.
    public static func read(_ path: String) throws -> [LabeledText] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GPT2Error("\(path): cannot read the file (expected a label<TAB>text .tsv or a .jsonl file)")
        }
        let text = String(decoding: data, as: UTF8.self)
        var out: [LabeledText] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let (labelText, body): (String, String)
            if path.hasSuffix(".jsonl") || trimmed.hasPrefix("{") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any],
                      let body0 = object["text"] as? String, let label = object["label"] else {
                    throw GPT2Error("\(path):\(number + 1): expected a JSON object with \"label\" and \"text\"")
                }
                (labelText, body) = ("\(label)", body0)
            } else {
                guard let tab = line.firstIndex(of: "\t") else {
                    throw GPT2Error("\(path):\(number + 1): expected label<TAB>text")
                }
                (labelText, body) = (String(line[..<tab]), String(line[line.index(after: tab)...]))
            }
            guard let label = parseLabel(labelText) else {
                throw GPT2Error("\(path):\(number + 1): label '\(labelText)' is not 0/1 or neg/pos")
            }
            out.append(LabeledText(label: label, text: body))
        }
        guard !out.isEmpty else { throw GPT2Error("\(path): no examples") }
        return out
    }

    static func parseLabel(_ s: String) -> Int32? {
        switch s.trimmingCharacters(in: .whitespaces).lowercased() {
        case "0", "neg", "negative", "false": return 0
        case "1", "pos", "positive", "true": return 1
        default: return nil
        }
    }

    /// Indices in batches of about equal length (sorted by length): for evaluation, where order
    /// does not matter and padding costs time.
    public func lengthSortedBatches(size: Int) -> [[Int]] {
        let order = tokens.indices.sorted { (tokens[$0].count, $0) < (tokens[$1].count, $1) }
        return stride(from: 0, to: order.count, by: max(1, size)).map { Array(order[$0..<min(order.count, $0 + size)]) }
    }

    /// A deterministic shuffle of all indices, in batches (training order for one epoch).
    public func shuffledBatches(size: Int, rng: inout RNG) -> [[Int]] {
        var order = Array(tokens.indices)
        rng.shuffle(&order)
        return stride(from: 0, to: order.count, by: max(1, size)).map { Array(order[$0..<min(order.count, $0 + size)]) }
    }

    /// The right-padded token batch of the given examples. The pad id is 0, valid in any vocabulary;
    /// padded positions are masked, so its value never matters.
    public func batch(_ indices: [Int]) -> TokenBatch {
        TokenBatch(sequences: indices.map { tokens[$0] }, padID: 0)
    }
}
