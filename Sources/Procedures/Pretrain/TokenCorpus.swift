// TokenCorpus.swift — text sources tokenized once (cached), split into train and held-out parts,
// and sampled as random contiguous windows.
import Autograd
import Foundation
import GPT2

/// A named group of text files with a sampling weight (relative to its size).
public struct CorpusSource: Sendable, Equatable {
    public var name: String
    public var files: [String]
    /// Multiplies the source's share of training windows (1 = in proportion to its tokens).
    public var weight: Double
    /// Lines naming the source (``SourceLines``), one of which may start a training window.
    public var sourceLines: [String]

    public init(name: String, files: [String], weight: Double = 1, sourceLines: [String] = []) {
        self.name = name
        self.files = files
        self.weight = weight
        self.sourceLines = sourceLines
    }
}

/// Tokens of every source, each split into a training stream and a held-out stream (the last
/// `heldOutFraction` of every file, so held-out text is never seen in training).
public final class TokenCorpus {
    public struct Part {
        public let name: String
        public let train: [Int32]
        public let heldOut: [Int32]
        public let weight: Double
        /// The tokens of each of the source's ``CorpusSource/sourceLines``.
        public let sourceLines: [[Int32]]
        /// Where each file's tokens went, in the file's own token offsets: `train` is the training
        /// pool (every procedure trains only on this), `heldOut` what measurements evaluate on.
        public let files: [(path: String, train: Range<Int>, heldOut: Range<Int>)]
    }

    /// The one split every training pool and every evaluation set comes from: the first tokens of a
    /// file train, its last `heldOutFraction` is held out. Returns the offset of the first held-out token.
    public static func heldOutStart(tokenCount: Int, heldOutFraction: Double = 0.05) -> Int {
        tokenCount - Int(Double(tokenCount) * heldOutFraction)
    }

    /// The training pool of `files` as text (each file's tokens before the held-out start, decoded),
    /// for procedures that work on text passages (ELM). Nothing held out is in it.
    public static func trainingText(of files: [String], tokenizer: BPETokenizer, heldOutFraction: Double = 0.05,
                                    cacheDirectory: String?) throws -> [String] {
        try files.map { file in
            let tokens = try TokenCorpus.tokens(of: file, tokenizer: tokenizer, cacheDirectory: cacheDirectory)
            return tokenizer.decode(Array(tokens[..<heldOutStart(tokenCount: tokens.count, heldOutFraction: heldOutFraction)]))
        }
    }

    public let parts: [Part]
    private let cumulativeWeights: [Double]

    public init(sources: [CorpusSource], tokenizer: BPETokenizer, heldOutFraction: Double = 0.05, cacheDirectory: String?) throws {
        guard !sources.isEmpty else { throw GPT2Error("corpus: no sources given") }
        var parts: [Part] = []
        for source in sources {
            guard !source.files.isEmpty else { throw GPT2Error("corpus: source \(source.name) has no files") }
            var train: [Int32] = [], heldOut: [Int32] = []
            var files: [(path: String, train: Range<Int>, heldOut: Range<Int>)] = []
            for file in source.files {
                let tokens = try TokenCorpus.tokens(of: file, tokenizer: tokenizer, cacheDirectory: cacheDirectory)
                let cut = TokenCorpus.heldOutStart(tokenCount: tokens.count, heldOutFraction: heldOutFraction)
                train += tokens[..<cut]
                train.append(BPETokenizer.endOfTextID)
                heldOut += tokens[cut...]
                heldOut.append(BPETokenizer.endOfTextID)
                files.append((file, 0..<cut, cut..<tokens.count))
            }
            let lines = source.sourceLines.map { tokenizer.encode($0) }
            parts.append(Part(name: source.name, train: train, heldOut: heldOut, weight: source.weight,
                              sourceLines: lines, files: files))
        }
        self.parts = parts
        var running = 0.0
        cumulativeWeights = parts.map { running += Double($0.train.count) * $0.weight; return running }
    }

    public var trainTokenCount: Int { parts.reduce(0) { $0 + $1.train.count } }

    /// `count` random windows of `length + 1` tokens (inputs and shifted targets), the source
    /// chosen by weight, the start uniformly — all drawn from `rng`. With `sourceLineFraction` > 0,
    /// that fraction of the windows (of sources that have lines) starts with one of the source's
    /// lines, chosen uniformly, followed by the source's text; the window keeps its length.
    /// At 0 no extra numbers are drawn, so runs without source lines sample as they always did.
    /// `excludingLast` tokens at the end of every training stream are never sampled (a slice kept apart,
    /// e.g. for SOPHON's guard).
    public func sampleWindows(count: Int, length: Int, sourceLineFraction: Double = 0, excludingLast: Int = 0, rng: inout RNG) -> [[Int32]] {
        (0..<count).map { _ in
            let u = rng.nextDouble() * (cumulativeWeights.last ?? 0)
            let index = cumulativeWeights.firstIndex { u < $0 } ?? (parts.count - 1)
            var line: [Int32] = []
            if sourceLineFraction > 0, !parts[index].sourceLines.isEmpty, rng.nextDouble() < sourceLineFraction {
                let lines = parts[index].sourceLines
                line = Array(lines[rng.nextInt(below: lines.count)].prefix(length))
            }
            let stream = parts[index].train.dropLast(min(excludingLast, max(0, parts[index].train.count - length - 1)))
            let span = min(length + 1 - line.count, stream.count)
            let start = stream.startIndex + rng.nextInt(below: max(1, stream.count - span + 1))
            return line + stream[start..<(start + span)]
        }
    }

    /// Deterministic held-out windows of one part, at most `limit` of `length + 1` tokens, spread
    /// evenly over the whole held-out stream (so every file of the source contributes, not only the
    /// first), never overlapping.
    public func heldOutWindows(part: Int, length: Int, limit: Int) -> [[Int32]] {
        let stream = parts[part].heldOut
        let span = length + 1
        guard stream.count >= 2, limit >= 1 else { return [] }
        guard stream.count >= span else { return [stream] }
        let count = min(limit, stream.count / span)
        let gap = count > 1 ? (stream.count - count * span) / (count - 1) : 0
        return (0..<count).map { i in Array(stream[(i * (span + gap))..<(i * (span + gap) + span)]) }
    }

    // MARK: - Token cache

    /// Tokens of one file, from the cache when both the file's content and the tokenizer match.
    static func tokens(of path: String, tokenizer: BPETokenizer, cacheDirectory: String?) throws -> [Int32] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GPT2Error("corpus: cannot read \(path) (expected a UTF-8 text file)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw GPT2Error("corpus: \(path) is not UTF-8 text") }
        let key = String(fnv1a64(data), radix: 16) + "-" + String(tokenizer.fingerprint, radix: 16)
        let cachePath = cacheDirectory.map { "\($0)/\(key).tokens32" }
        if let cachePath, let cached = FileManager.default.contents(atPath: cachePath), cached.count % 4 == 0 {
            let ids = cached.withUnsafeBytes { raw in raw.bindMemory(to: UInt32.self).map { Int32(bitPattern: UInt32(littleEndian: $0)) } }
            if ids.allSatisfy({ $0 >= 0 && Int($0) < tokenizer.vocabularySize }) { return ids }
        }
        guard let tokens = tokenizer.encode(text, shouldStop: { Interrupt.isRequested }) else {
            throw Interrupted("tokenizing \(URL(fileURLWithPath: path).lastPathComponent) stopped")
        }
        if let cachePath, let cacheDirectory {
            try? FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
            var packed = Data(capacity: tokens.count * 4)
            for t in tokens { withUnsafeBytes(of: UInt32(bitPattern: t).littleEndian) { packed.append(contentsOf: $0) } }
            try? AtomicFile.write(packed, to: cachePath)   // a cache that cannot be written is only slower
        }
        return tokens
    }
}
