// TokenizerTests.swift — GPT-2 BPE against the shared test vectors and Hugging Face's tokenizer.
import Foundation
import GPT2
import Testing

private struct Cases: Decodable {
    struct Case: Decodable { let text: String; let ids: [Int32] }
    let cases: [Case]
}

private func load(_ name: String) throws -> [Cases.Case] {
    let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(name)))
    return try JSONDecoder().decode(Cases.self, from: data).cases
}

@Suite("GPT-2 tokenizer")
struct TokenizerTests {
    static let tokenizer = try! BPETokenizer.bundled()   // test setup: the bundled files are part of the build

    @Test func sharedTestVectors() throws {
        let cases = try load("tokenizer_test_vectors.json")
        #expect(cases.count == 13)
        for c in cases { #expect(Self.tokenizer.encode(c.text) == c.ids, "\(c.text.debugDescription)") }
    }

    @Test func huggingFaceOnAwkwardStrings() throws {
        let cases = try load("tokenizer_cases.json")
        #expect(cases.count > 200)
        for c in cases { #expect(Self.tokenizer.encode(c.text) == c.ids, "\(c.text.debugDescription)") }
    }

    @Test func decodingRoundTripsBytes() throws {
        for c in try load("tokenizer_cases.json") {
            #expect(try Self.tokenizer.decodeBytes(Self.tokenizer.encode(c.text)) == Array(c.text.utf8))
        }
    }

    @Test func endOfTextIsSpecialOnlyWhenAllowed() {
        #expect(Self.tokenizer.encode("a<|endoftext|>b", allowSpecial: true) == [64, BPETokenizer.endOfTextID, 65])
        #expect(Self.tokenizer.encode("<|endoftext|>") == [27, 91, 437, 1659, 5239, 91, 29])
    }

    @Test func unknownIdsAreErrorsNotSilence() {
        #expect(throws: GPT2Error.self) { try Self.tokenizer.decodeBytes([50257]) }
    }
}

@Suite("Token display")
struct TokenDisplayTests {
    @Test func characterFragmentsShowTheirBytes() throws {
        let tokenizer = try BPETokenizer.bundled()
        // "鬼" (E9 AC BC) after a space is split by GPT-2 into byte-level fragments.
        let ids = tokenizer.encode(" 鬼")
        #expect(ids.count > 1, "the test needs a character GPT-2 splits")
        let shown = ids.map(tokenizer.tokenText).joined()
        #expect(!shown.contains("\u{FFFD}"))
        let bytes = try tokenizer.decodeBytes(ids)
        #expect(shown == " " + bytes.dropFirst().map { String(format: "\\x%02X", $0) }.joined())
        #expect(tokenizer.tokenText(tokenizer.encode(" Holmes")[0]) == " Holmes")
    }
}
