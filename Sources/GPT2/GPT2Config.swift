// GPT2Config.swift — the shape of a GPT-2, read from Hugging Face's config.json or inferred from weights.
import Foundation

public struct GPT2Config: Codable, Equatable, Sendable {
    public var vocabSize: Int
    public var contextLength: Int
    public var embeddingSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var innerSize: Int
    public var layerNormEpsilon: Float
    public var embeddingDropout: Float
    public var residualDropout: Float
    public var attentionDropout: Float

    public init(vocabSize: Int = 50257, contextLength: Int = 1024, embeddingSize: Int = 768, layerCount: Int = 12,
                headCount: Int = 12, innerSize: Int? = nil, layerNormEpsilon: Float = 1e-5,
                embeddingDropout: Float = 0.1, residualDropout: Float = 0.1, attentionDropout: Float = 0.1) {
        self.vocabSize = vocabSize
        self.contextLength = contextLength
        self.embeddingSize = embeddingSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.innerSize = innerSize ?? 4 * embeddingSize
        self.layerNormEpsilon = layerNormEpsilon
        self.embeddingDropout = embeddingDropout
        self.residualDropout = residualDropout
        self.attentionDropout = attentionDropout
    }

    /// Hugging Face's `config.json` keys.
    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", contextLength = "n_positions", embeddingSize = "n_embd"
        case layerCount = "n_layer", headCount = "n_head", innerSize = "n_inner"
        case layerNormEpsilon = "layer_norm_epsilon", embeddingDropout = "embd_pdrop"
        case residualDropout = "resid_pdrop", attentionDropout = "attn_pdrop"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let embd = try c.decodeIfPresent(Int.self, forKey: .embeddingSize) ?? 768
        self.init(vocabSize: try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? 50257,
                  contextLength: try c.decodeIfPresent(Int.self, forKey: .contextLength) ?? 1024,
                  embeddingSize: embd,
                  layerCount: try c.decodeIfPresent(Int.self, forKey: .layerCount) ?? 12,
                  headCount: try c.decodeIfPresent(Int.self, forKey: .headCount) ?? 12,
                  innerSize: try c.decodeIfPresent(Int?.self, forKey: .innerSize) ?? nil,
                  layerNormEpsilon: try c.decodeIfPresent(Float.self, forKey: .layerNormEpsilon) ?? 1e-5,
                  embeddingDropout: try c.decodeIfPresent(Float.self, forKey: .embeddingDropout) ?? 0.1,
                  residualDropout: try c.decodeIfPresent(Float.self, forKey: .residualDropout) ?? 0.1,
                  attentionDropout: try c.decodeIfPresent(Float.self, forKey: .attentionDropout) ?? 0.1)
    }

    public var headSize: Int { embeddingSize / headCount }

    /// Checks every field is in a range that makes a GPT-2; the message names the offending field
    /// (by its config.json key) and what was expected.
    public func validate() throws {
        func fail(_ s: String) -> GPT2Error { GPT2Error("config: \(s)") }
        let sizes: [(String, Int, ClosedRange<Int>)] = [
            ("vocab_size", vocabSize, 1...10_000_000), ("n_positions", contextLength, 1...1_048_576),
            ("n_embd", embeddingSize, 1...65_536), ("n_layer", layerCount, 0...1_000),
            ("n_head", headCount, 1...65_536), ("n_inner", innerSize, 1...1_048_576)]
        for (key, value, range) in sizes where !range.contains(value) {
            throw fail("\(key) must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
        guard embeddingSize % headCount == 0 else {
            throw fail("n_embd \(embeddingSize) is not divisible by n_head \(headCount)")
        }
        guard layerNormEpsilon.isFinite, layerNormEpsilon > 0, layerNormEpsilon < 1 else {
            throw fail("layer_norm_epsilon must be a positive number below 1 (GPT-2: 1e-5), got \(layerNormEpsilon)")
        }
        for (name, p) in [("embd_pdrop", embeddingDropout), ("resid_pdrop", residualDropout), ("attn_pdrop", attentionDropout)] where !(p >= 0 && p < 1) {
            throw fail("\(name) must be in [0, 1), got \(p)")
        }
    }

    /// The number of parameters (the LM head is tied to `wte`).
    public var parameterCount: Int {
        let d = embeddingSize, f = innerSize
        let block = 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + 2 * d + (d * f + f) + (f * d + d)
        return vocabSize * d + contextLength * d + layerCount * block + 2 * d
    }
}

/// A GPT-2 problem a user can fix: bad weights, bad config, bad input.
public struct GPT2Error: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
