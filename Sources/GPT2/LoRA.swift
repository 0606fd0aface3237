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

    /// The projections an adapter can sit on, by their Hugging Face names within a block.
    public static let modules = ["attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"]

    public let rank: Int
    public let alpha: Float
    public let dropout: Float
    /// Keyed by projection, e.g. `h.1.attn.c_attn`.
    public private(set) var adapters: [String: Adapter] = [:]
    /// When false the model runs as if it had no adapters (the frozen teacher of ELM).
    public var enabled = true

    public var scale: Float { alpha / Float(rank) }

    public init(config: GPT2Config, layers: [Int], modules: [String], rank: Int, alpha: Float, dropout: Float, rng: inout RNG) throws {
        guard rank >= 1, alpha > 0, dropout >= 0, dropout < 1 else { throw GPT2Error("lora: rank must be ≥ 1, alpha > 0 and dropout in [0, 1)") }
        guard !layers.isEmpty, layers.allSatisfy({ $0 >= 0 && $0 < config.layerCount }) else {
            throw GPT2Error("lora: layers must be in 0..<\(config.layerCount), got \(layers)")
        }
        guard !modules.isEmpty, modules.allSatisfy(LoRAAdapters.modules.contains) else {
            throw GPT2Error("lora: modules must be among \(LoRAAdapters.modules.joined(separator: ", ")), got \(modules)")
        }
        self.rank = rank; self.alpha = alpha; self.dropout = dropout
        let d = config.embeddingSize, f = config.innerSize
        let shapes = ["attn.c_attn": (d, 3 * d), "attn.c_proj": (d, d), "mlp.c_fc": (d, f), "mlp.c_proj": (f, d)]
        for layer in layers.sorted() {
            for module in modules {
                guard let (inputs, outputs) = shapes[module] else { continue }
                // A: Kaiming-uniform as PyTorch's nn.Linear (bound 1/√in); B: zeros.
                let bound = 1 / Float(inputs).squareRoot()
                adapters["h.\(layer).\(module)"] = Adapter(a: Tensor.uniform([inputs, rank], low: -bound, high: bound, rng: &rng, requiresGrad: true),
                                                           b: Tensor(zeros: [rank, outputs], requiresGrad: true))
            }
        }
    }

    /// The adapters' trainable tensors, named `h.1.attn.c_attn.lora_A` / `.lora_B` (peft's names).
    public var parameters: [Parameter] {
        adapters.keys.sorted().flatMap { key -> [Parameter] in
            guard let adapter = adapters[key] else { return [] }
            return [Parameter(key + ".lora_A", adapter.a, decays: true), Parameter(key + ".lora_B", adapter.b, decays: true)]
        }
    }

    /// `x·W + b`, plus the adapter's low-rank update when one sits on `projection` and adapters are enabled.
    func project(_ x: Tensor, projection: String, weight: Tensor, bias: Tensor, training: Bool, rng: inout RNG) -> Tensor {
        let base = linear(x, weight: weight, bias: bias)
        guard enabled, let adapter = adapters[projection] else { return base }
        let low = linear(linear(Autograd.dropout(x, p: dropout, training: training, rng: &rng), weight: adapter.a, bias: nil),
                         weight: adapter.b, bias: nil)                                              // [..., out]
        return add(base, Autograd.scale(low, scale))
    }

    /// W += (α/r)·A·B for every adapter: the model then needs no adapters.
    public func merge(into model: GPT2Model) {
        for (key, adapter) in adapters {
            guard let weight = model.parameter(named: key + ".weight") else { continue }
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
