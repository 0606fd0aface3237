// LoRA.swift — low-rank adapters (Hu et al. 2021) on GPT-2's Conv1D projections:
// y = x·W + b + (α/r)·dropout(x)·A·B, with W [in, out] frozen, A [in, r], B [r, out].
// B starts at zero, so a fresh adapter leaves the model exactly as it was.
import Autograd
import Foundation

public final class LoRAAdapters {
    public struct Adapter {
        public let a: Tensor   // [in, rank]
        public let b: Tensor   // [rank, out]
    }

    /// A projection an adapter can sit on; its raw value is its Hugging Face name within a block.
    public enum Projection: String, CaseIterable, Codable, Sendable {
        case attention = "attn.c_attn", attentionOut = "attn.c_proj", mlpIn = "mlp.c_fc", mlpOut = "mlp.c_proj"

        /// Its weight's shape `[in, out]` in a model of `config`.
        func shape(_ config: GPT2Config) -> (inputs: Int, outputs: Int) {
            let d = config.embeddingSize
            switch self {
            case .attention: return (d, 3 * d)
            case .attentionOut: return (d, d)
            case .mlpIn: return (d, config.innerSize)
            case .mlpOut: return (config.innerSize, d)
            }
        }
    }

    /// One projection of one block: the typed key of an adapter, so no string can miss it.
    public struct Key: Hashable, Sendable {
        public let layer: Int
        public let projection: Projection
        public init(_ layer: Int, _ projection: Projection) { self.layer = layer; self.projection = projection }
        /// Its Hugging Face name, `h.1.attn.c_attn` (the weight is `NAME.weight`, the adapter's tensors `NAME.lora_A`/`_B`).
        public var name: String { "h.\(layer).\(projection.rawValue)" }
    }

    public let rank: Int
    public let alpha: Float
    public let dropout: Float
    public private(set) var adapters: [Key: Adapter] = [:]
    /// When false the model runs as if it had no adapters (the frozen teacher of ELM).
    public var enabled = true

    public var scale: Float { alpha / Float(rank) }

    public init(config: GPT2Config, layers: [Int], modules: [Projection], rank: Int, alpha: Float, dropout: Float, rng: inout RNG) throws {
        guard rank >= 1, alpha > 0, dropout >= 0, dropout < 1 else { throw GPT2Error("lora: rank must be ≥ 1, alpha > 0 and dropout in [0, 1)") }
        guard !layers.isEmpty, layers.allSatisfy({ $0 >= 0 && $0 < config.layerCount }) else {
            throw GPT2Error("lora: layers must be in 0..<\(config.layerCount), got \(layers)")
        }
        guard !modules.isEmpty else { throw GPT2Error("lora: modules must be among \(Projection.allCases.map(\.rawValue).joined(separator: ", ")), got none") }
        self.rank = rank; self.alpha = alpha; self.dropout = dropout
        for layer in layers.sorted() {
            for module in modules {
                let (inputs, outputs) = module.shape(config)
                // A: Kaiming-uniform as PyTorch's nn.Linear (bound 1/√in); B: zeros.
                let bound = 1 / Float(inputs).squareRoot()
                adapters[Key(layer, module)] = Adapter(a: Tensor.uniform([inputs, rank], low: -bound, high: bound, rng: &rng, requiresGrad: true),
                                                           b: Tensor(zeros: [rank, outputs], requiresGrad: true))
            }
        }
    }

    /// The adapters' trainable tensors, named `h.1.attn.c_attn.lora_A` / `.lora_B` (peft's names).
    public var parameters: [Parameter] {
        adapters.keys.sorted { $0.name < $1.name }.flatMap { key -> [Parameter] in
            guard let adapter = adapters[key] else { return [] }
            return [Parameter(key.name + ".lora_A", adapter.a, decays: true), Parameter(key.name + ".lora_B", adapter.b, decays: true)]
        }
    }

    /// `x·W + b`, plus the adapter's low-rank update when one sits on `projection` and adapters are enabled.
    func project(_ x: Tensor, projection: Key, weight: Tensor, bias: Tensor, training: Bool, rng: inout RNG) -> Tensor {
        let base = linear(x, weight: weight, bias: bias)
        guard enabled, let adapter = adapters[projection] else { return base }
        let low = linear(linear(Autograd.dropout(x, p: dropout, training: training, rng: &rng), weight: adapter.a, bias: nil),
                         weight: adapter.b, bias: nil)                                              // [..., out]
        return add(base, Autograd.scale(low, scale))
    }

    /// W += (α/r)·A·B for every adapter: the model then needs no adapters.
    public func merge(into model: GPT2Model) {
        for (key, adapter) in adapters {
            guard let weight = model.parameter(named: key.name + ".weight") else { continue }
            let delta = GradMode.withNoGrad { Autograd.scale(matmul(adapter.a, adapter.b), scale) }   // [in, out]
            for i in 0..<weight.count { weight.data[i] += delta.data[i] }
        }
    }

    /// Saves or loads the adapters as HDF5-ready extras (`lora/<name>`), with rank and alpha in the names' file.
    public var extras: [String: (shape: [Int], values: [Float])] {
        var out: [String: (shape: [Int], values: [Float])] = [:]
        for p in parameters { out["lora/" + p.name] = (p.tensor.shape, p.tensor.data) }
        return out
    }
}
