// Interventions.swift — ablations and steering vectors as lasting edits at hook points, kept in
// the autograd graph (a fine-tuning attack on an ablated model trains through them).
import Autograd

extension GPT2Model {
    /// The shape of one position's activation at a per-token hook: `[dModel]`, `[dMLP]`, or
    /// `[head, headDim]` for q, k, v and z. Nil for points that are not per-token.
    public func tokenShape(at point: HookPoint) -> [Int]? {
        guard point.isPerToken else { return nil }
        if case let .block(_, hook) = point {
            switch hook {
            case .q, .k, .v, .z: return [config.headCount, config.headSize]
            case .mlpPre, .mlpPost: return [config.innerSize]
            default: break
            }
        }
        return [config.embeddingSize]
    }

    /// The mean over `tokens`' positions of the activation at `point` (one position's shape), from
    /// the model as it is now (its interventions included).
    public func meanActivation(at point: HookPoint, tokens: [Int32]) throws -> [Float] {
        guard let shape = tokenShape(at: point) else { throw GPT2Error("hook \(point) is not per-token") }
        let (_, cache) = try runWithCache(TokenBatch(sequences: [Array(tokens.suffix(config.contextLength))]), points: { $0 == point })
        guard let value = cache[point] else { throw GPT2Error("hook \(point) recorded nothing") }
        let width = shape.reduce(1, *), positions = value.count / width
        var mean = [Float](repeating: 0, count: width)
        for t in 0..<positions { for j in 0..<width { mean[j] += value.data[t * width + j] } }
        return mean.map { $0 / Float(positions) }
    }
}

extension Intervention {
    /// Replaces a slice of every position's activation at `point` with `replacement` (zeros for a
    /// zero-ablation, a mean activation for a mean-ablation). `selected[j]` marks the slice within one
    /// position's activation `[tokenShape]`; the rest passes unchanged.
    public static func ablation(at point: HookPoint, tokenShape: [Int], selected: [Bool], replacement: [Float], label: String) throws -> Intervention {
        let width = tokenShape.reduce(1, *)
        guard selected.count == width, replacement.count == width else { throw GPT2Error("ablation: expected \(width) values per position at \(point)") }
        let keep = Tensor(shape: tokenShape, data: selected.map { $0 ? 0 : 1 })
        let fill = Tensor(shape: tokenShape, data: zip(selected, replacement).map { $0 ? $1 : 0 })
        return try Intervention(point: point, label: label) { x in add(mul(x, keep), fill) }   // x ⊙ keep + fill, in the graph
    }

    /// Adds `scale · vector` to every position's activation at `point`.
    public static func steering(at point: HookPoint, tokenShape: [Int], vector: [Float], scale: Float, label: String) throws -> Intervention {
        guard vector.count == tokenShape.reduce(1, *) else { throw GPT2Error("steering: expected \(tokenShape.reduce(1, *)) values at \(point)") }
        let shift = Tensor(shape: tokenShape, data: vector.map { $0 * scale })
        return try Intervention(point: point, label: label) { x in add(x, shift) }
    }
}
