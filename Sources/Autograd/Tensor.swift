// Tensor.swift — Float32 tensors (contiguous, row-major) that remember how they were made.

/// A contiguous, row-major Float32 array with an optional gradient and the node that produced it.
///
/// Tensors are reference types: an op's output keeps its inputs alive until `backward()` has run,
/// exactly like PyTorch's autograd graph. Leaves that should learn set `requiresGrad = true`.
public final class Tensor {
    public let shape: [Int]
    public var data: [Float]
    /// Accumulated gradient (same shape as `data`), allocated on first use. `nil` means "no gradient yet".
    public var grad: [Float]?
    public var requiresGrad: Bool
    /// The op that produced this tensor; `nil` for leaves and for tensors made with grad disabled.
    var node: Node?

    public init(shape: [Int], data: [Float], requiresGrad: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == data.count,
                     "Tensor: \(data.count) values do not fill shape \(shape)")
        self.shape = shape
        self.data = data
        self.requiresGrad = requiresGrad
    }

    public convenience init(zeros shape: [Int], requiresGrad: Bool = false) {
        self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)), requiresGrad: requiresGrad)
    }

    public convenience init(filled value: Float, shape: [Int], requiresGrad: Bool = false) {
        self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)), requiresGrad: requiresGrad)
    }

    /// A scalar tensor.
    public convenience init(_ value: Float) {
        self.init(shape: [], data: [value])
    }

    /// Normal(0, std²) values from `rng`.
    public static func randn(_ shape: [Int], std: Float = 1, rng: inout RNG, requiresGrad: Bool = false) -> Tensor {
        let n = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = Float(rng.nextNormal()) * std }
        return Tensor(shape: shape, data: values, requiresGrad: requiresGrad)
    }

    /// Uniform values in `[low, high)` from `rng`.
    public static func uniform(_ shape: [Int], low: Float, high: Float, rng: inout RNG, requiresGrad: Bool = false) -> Tensor {
        let n = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = low + (high - low) * Float(rng.nextDouble()) }
        return Tensor(shape: shape, data: values, requiresGrad: requiresGrad)
    }

    public var count: Int { data.count }
    public var rank: Int { shape.count }

    /// The single value of a one-element tensor.
    public var item: Float {
        precondition(data.count == 1, "item: tensor of shape \(shape) has \(data.count) values")
        return data[0]
    }

    /// Whether this tensor was produced by an op that will pass gradients back.
    public var hasGraph: Bool { node != nil }

    /// Sets the gradient to nothing (as PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() { grad = nil }

    /// A new leaf with a copy of the values and no history.
    public func detach() -> Tensor { Tensor(shape: shape, data: data) }

    /// A copy that is a leaf and can learn.
    public func copyAsParameter() -> Tensor { Tensor(shape: shape, data: data, requiresGrad: true) }

    /// Adds `body`'s writes into the gradient buffer, allocating it with zeros first.
    @inline(__always)
    func accumulateGrad(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        // A leaf shared by the shares of a data-parallel step: this thread's share keeps its part apart.
        if Threads.isSharing, node == nil, let share = ShareGradients.current {
            share.accumulate(self, body)
            return
        }
        if grad == nil { grad = [Float](repeating: 0, count: data.count) }
        grad!.withUnsafeMutableBufferPointer { body($0) }   // non-nil: assigned just above
    }
}

/// One recorded op: its inputs and how to send the output's gradient back to them.
final class Node {
    let name: String
    let inputs: [Tensor]
    /// Reads `output.grad` and accumulates into the inputs' gradients.
    let backward: (_ output: Tensor) -> Void

    init(name: String, inputs: [Tensor], backward: @escaping (_ output: Tensor) -> Void) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }
}

extension Tensor {
    /// Wraps a freshly computed value as an op's output, recording the op when gradients are wanted.
    static func result(shape: [Int], data: [Float], op name: String, inputs: [Tensor],
                       backward: @escaping (_ output: Tensor) -> Void) -> Tensor {
        let out = Tensor(shape: shape, data: data)
        if GradMode.isEnabled && inputs.contains(where: { $0.requiresGrad }) {
            out.requiresGrad = true
            out.node = Node(name: name, inputs: inputs, backward: backward)
        }
        return out
    }

    /// The op that produced this tensor, for debugging and graph displays.
    public var opName: String? { node?.name }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = data.prefix(8).map { String(format: "%.4g", Double($0)) }.joined(separator: ", ")
        return "Tensor\(shape)[\(shown)\(data.count > 8 ? ", …" : "")]"
    }
}

import Foundation
