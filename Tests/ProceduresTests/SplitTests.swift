// SplitTests.swift — one split for every training pool and every evaluation set: pools and held-out
// windows never share a token offset, held-out windows come from every file, and the text pool
// procedures train on (ELM) holds nothing of the held-out text.
import Foundation
import GPT2
import Procedures
import Testing

@Suite("One train / held-out split")
struct SplitTests {
    /// The shipped Holmes books: five files of very different lengths.
    private var holmesFiles: [String] {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { dir.deleteLastPathComponent() }
        let folder = dir.path + "/examples/data/concept"
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("holmes") && $0.hasSuffix(".txt") }.sorted().map { folder + "/" + $0 }
    }

    @Test func poolsAndHeldOutWindowsNeverShareAnOffsetAndEveryFileIsEvaluated() throws {
        let files = holmesFiles
        try #require(files.count == 5)
        let tokenizer = try BPETokenizer.bundled()
        let corpus = try TokenCorpus(sources: [CorpusSource(name: "holmes", files: files)], tokenizer: tokenizer, cacheDirectory: ".lethe-cache/tokens")
        let part = corpus.parts[0]
        // Each file: training offsets end where held-out offsets begin; the held-out part is its last 5%.
        var heldOutStreamStart: [Int] = []
        var offset = 0
        for file in part.files {
            #expect(file.train.upperBound == file.heldOut.lowerBound && file.train.lowerBound == 0)
            let total = file.heldOut.upperBound
            #expect(abs(Double(file.heldOut.count) / Double(total) - 0.05) < 0.001)
            heldOutStreamStart.append(offset)
            offset += file.heldOut.count + 1   // and the end-of-text separator
        }
        #expect(part.train.count == part.files.map { $0.train.count + 1 }.reduce(0, +))
        #expect(part.heldOut.count == offset)
        // 32 windows of 256 tokens: every book's held-out part contributes (before, only the first book's did).
        let windows = corpus.heldOutWindows(part: 0, length: 255, limit: 32)
        #expect(windows.count == 32)
        var starts: [Int] = []
        var from = 0
        for window in windows {
            let start = try #require((from...(part.heldOut.count - window.count)).first { Array(part.heldOut[$0..<($0 + window.count)]) == window })
            starts.append(start)
            from = start + window.count   // windows do not overlap
        }
        let filesSeen = Set(starts.map { start in heldOutStreamStart.lastIndex { $0 <= start } ?? 0 })
        #expect(filesSeen == Set(0..<5), "windows start at \(starts)")
    }

    @Test func theTextPoolHoldsNothingOfTheHeldOutText() throws {
        let tokenizer = try BPETokenizer.bundled()
        for file in holmesFiles {
            let tokens = try TokenCorpus(sources: [CorpusSource(name: "x", files: [file])], tokenizer: tokenizer, cacheDirectory: ".lethe-cache/tokens").parts[0]
            let pool = try TokenCorpus.trainingText(of: [file], tokenizer: tokenizer, cacheDirectory: ".lethe-cache/tokens")[0]
            let whole = try String(contentsOfFile: file, encoding: .utf8)
            let cut = try #require(tokens.files.first).heldOut.lowerBound
            let heldOutText = tokenizer.decode(Array(tokenizer.encode(whole)[cut...]))
            // The pool is exactly the text before the held-out tokens, and no held-out sentence is in it.
            #expect(whole.hasPrefix(pool) && whole.hasSuffix(heldOutText) && pool.count + heldOutText.count == whole.count)
            let probe = String(heldOutText.prefix(120))
            #expect(!pool.contains(probe), "\(file): held-out text is in the training pool")
        }
    }
}
