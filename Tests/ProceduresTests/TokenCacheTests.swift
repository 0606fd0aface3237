// TokenCacheTests.swift — cached token ids are only reused by the tokenizer that made them.
import Foundation
import GPT2
import Procedures
import Testing

@Suite("Token cache")
struct TokenCacheTests {
    @Test func aDifferentTokenizerDoesNotReadAnotherTokenizersCache() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lethe-cache-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = dir + "/text.txt"
        let body = String(repeating: "Sherlock Holmes took his bottle from the corner of the mantelpiece. ", count: 20)
        try body.write(toFile: text, atomically: true, encoding: .utf8)
        let source = [CorpusSource(name: "text", files: [text])]
        let gpt2 = try BPETokenizer.bundled()
        let bytesOnly = try BPETokenizer(directory: Fixtures.path("tokenizer-bytes-only"))
        #expect(gpt2.fingerprint != bytesOnly.fingerprint)
        let first = try TokenCorpus(sources: source, tokenizer: gpt2, heldOutFraction: 0, cacheDirectory: dir + "/cache")
        let second = try TokenCorpus(sources: source, tokenizer: bytesOnly, heldOutFraction: 0, cacheDirectory: dir + "/cache")
        // A byte-level tokenizer without merges gives one token per byte (plus the end-of-text separator).
        #expect(second.parts[0].train.count == body.utf8.count + 1, "\(second.parts[0].train.count)")
        #expect(first.parts[0].train.count < second.parts[0].train.count / 3)
        // And each reads its own cache back.
        let again = try TokenCorpus(sources: source, tokenizer: gpt2, heldOutFraction: 0, cacheDirectory: dir + "/cache")
        #expect(again.parts[0].train == first.parts[0].train)
    }
}
