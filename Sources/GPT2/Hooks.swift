// Hooks.swift — TransformerLens' hook points as typed values, read (`run_with_cache`) and written
// (`run_with_hooks`) in every forward path, the KV-cached one included.
import Autograd

/// A named point in the forward pass. Its `description` is TransformerLens' name
/// (`blocks.3.hook_resid_post`, `blocks.0.attn.hook_pattern`, …).
public enum HookPoint: Hashable, Sendable, CustomStringConvertible {
    case embed           // hook_embed: [batch, pos, dModel]
    case positionEmbed   // hook_pos_embed: [pos, dModel]
    case block(Int, BlockHook)
    case finalNormalized // ln_final.hook_normalized: [batch, pos, dModel]

    /// The hook points of one block, in the order they fire.
    public enum BlockHook: String, CaseIterable, Sendable {
        case residPre = "hook_resid_pre"         // [batch, pos, dModel]
        case q = "attn.hook_q"                   // [batch, pos, head, headDim]
        case k = "attn.hook_k"                   // [batch, pos, head, headDim]
        case v = "attn.hook_v"                   // [batch, pos, head, headDim]
        case attnScores = "attn.hook_attn_scores" // [batch, head, qPos, kPos], scaled, masked at −∞ (read only)
        case pattern = "attn.hook_pattern"       // [batch, head, qPos, kPos] (read only)
        case z = "attn.hook_z"                   // [batch, pos, head, headDim]: each head's output before c_proj
        case attnOut = "hook_attn_out"           // [batch, pos, dModel]
        case residMid = "hook_resid_mid"         // [batch, pos, dModel]
        case mlpPre = "mlp.hook_pre"             // [batch, pos, dMLP], before GELU
        case mlpPost = "mlp.hook_post"           // [batch, pos, dMLP]
        case mlpOut = "hook_mlp_out"             // [batch, pos, dModel]
        case residPost = "hook_resid_post"       // [batch, pos, dModel]

        /// Attention maps are computed inside the fused attention kernel: they can be read, not replaced.
        public var isWritable: Bool { self != .attnScores && self != .pattern }
    }

    public var description: String {
        switch self {
        case .embed: "hook_embed"
        case .positionEmbed: "hook_pos_embed"
        case let .block(layer, hook): "blocks.\(layer).\(hook.rawValue)"
        case .finalNormalized: "ln_final.hook_normalized"
        }
    }

    /// Parses a TransformerLens name for a model of `layers` blocks; nil when there is no such point.
    public init?(_ name: String, layers: Int) {
        guard let point = HookPoint.all(layers: layers).first(where: { $0.description == name }) else { return nil }
        self = point
    }

    /// Every hook point of a model of `layers` blocks, in the order the forward pass reaches them.
    public static func all(layers: Int) -> [HookPoint] {
        [.embed, .positionEmbed] + (0..<layers).flatMap { l in BlockHook.allCases.map { HookPoint.block(l, $0) } } + [.finalNormalized]
    }

    /// Holds one vector per token (`[batch, pos, …]`): what a probe or a steering vector can use.
    public var isPerToken: Bool {
        switch self {
        case .positionEmbed: false
        case let .block(_, hook): hook.isWritable
        default: true
        }
    }

    public var isWritable: Bool {
        if case let .block(_, hook) = self { return hook.isWritable }
        return true
    }
}

/// What one forward pass does at its hook points: record activations into `cache` and replace
/// them by `edits` (each gets the activation and returns what the forward continues with; edits
/// stay in the autograd graph).
public final class Hooks {
    public let cache: ActivationCache?
    public let edits: [HookPoint: (Tensor) -> Tensor]

    public init(cache: ActivationCache? = nil, edits: [HookPoint: (Tensor) -> Tensor] = [:]) throws {
        if let readOnly = edits.keys.first(where: { !$0.isWritable }) {
            throw GPT2Error("hook \(readOnly) can be read, not written (write the block's attn.hook_z or attn.hook_q/k/v instead)")
        }
        self.cache = cache
        self.edits = edits
    }

    /// Edits already checked to be at writable points.
    init(validated cache: ActivationCache?, edits: [HookPoint: (Tensor) -> Tensor]) {
        self.cache = cache
        self.edits = edits
    }

    func isActive(_ point: HookPoint) -> Bool { edits[point] != nil || cache?.wants(point) == true }

    /// The activation the forward continues with at `point`: edited if an edit is set, recorded if wanted.
    func apply(_ point: HookPoint, _ value: Tensor) -> Tensor {
        let result = edits[point]?(value) ?? value
        cache?.record(point, result)
        return result
    }

    /// A read-only observer for points computed inside a kernel (attention maps), nil when unwanted.
    func observer(_ point: HookPoint) -> ((Tensor) -> Void)? {
        guard let cache, cache.wants(point) else { return nil }
        return { cache.record(point, $0) }
    }
}

extension Optional where Wrapped == Hooks {
    /// `value` through the hooks at `point` (unchanged without hooks).
    func apply(_ point: HookPoint, _ value: Tensor) -> Tensor { self?.apply(point, value) ?? value }
    func isActive(_ point: HookPoint) -> Bool { self?.isActive(point) ?? false }
}

/// Activations recorded at hook points during one forward pass (detached from the graph).
public final class ActivationCache {
    private let filter: (HookPoint) -> Bool
    public private(set) var values: [HookPoint: Tensor] = [:]
    public private(set) var order: [HookPoint] = []

    public init(filter: @escaping (HookPoint) -> Bool = { _ in true }) { self.filter = filter }

    func wants(_ point: HookPoint) -> Bool { filter(point) }

    func record(_ point: HookPoint, _ value: Tensor) {
        guard filter(point) else { return }
        if values[point] == nil { order.append(point) }
        values[point] = value.detach()
    }

    public subscript(point: HookPoint) -> Tensor? { values[point] }
}

/// A lasting edit of a model's forward pass at one hook point (an ablation, a steering vector):
/// every forward of the model applies it, training and generation included, until it is removed.
public struct Intervention {
    public let point: HookPoint
    /// What it does, for `info` and `interventions` (e.g. "zero head 3").
    public let label: String
    public let edit: (Tensor) -> Tensor

    public init(point: HookPoint, label: String, edit: @escaping (Tensor) -> Tensor) throws {
        guard point.isWritable else { throw GPT2Error("hook \(point) can be read, not written") }
        self.point = point
        self.label = label
        self.edit = edit
    }

    public var description: String { "\(point): \(label)" }
}

extension Hooks {
    /// These hooks with `interventions` applied first at their points (the caller's edit, if any, after them).
    static func combining(_ hooks: Hooks?, with interventions: [Intervention]) -> Hooks? {
        guard !interventions.isEmpty else { return hooks }
        var edits = hooks?.edits ?? [:]
        for point in Set(interventions.map(\.point)) {
            let chain = interventions.filter { $0.point == point }.map(\.edit)
            let after = edits[point]
            edits[point] = { value in
                let edited = chain.reduce(value) { $1($0) }
                return after?(edited) ?? edited
            }
        }
        return Hooks(validated: hooks?.cache, edits: edits)
    }
}
