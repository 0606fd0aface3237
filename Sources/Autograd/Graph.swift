// Graph.swift — reverse-mode differentiation: topological order, then each node's backward.

/// Whether ops record a graph. Turn it off for inference with ``GradMode/withNoGrad(_:)``.
public enum GradMode {
    @TaskLocal static var enabled = true

    public static var isEnabled: Bool { enabled }

    /// Runs `body` without recording any graph (PyTorch's `torch.no_grad()`).
    public static func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
        try $enabled.withValue(false, operation: body)
    }
}

extension Tensor {
    /// Back-propagates from this scalar: every tensor in its history that requires a gradient
    /// gets `∂self/∂tensor` added into its `grad`. The graph is released afterwards unless
    /// `retainGraph` is set.
    public func backward(retainGraph: Bool = false) {
        precondition(count == 1, "backward: called on a tensor of shape \(shape); expected a scalar")
        backward(seed: [1], retainGraph: retainGraph)
    }

    /// Back-propagates with an explicit output gradient `seed` (same count as the tensor).
    public func backward(seed: [Float], retainGraph: Bool = false) {
        precondition(seed.count == count, "backward: seed has \(seed.count) values, tensor has \(count)")
        accumulateGrad { g in for i in 0..<g.count { g[i] += seed[i] } }
        let order = topologicalOrder()
        for tensor in order.reversed() {
            guard let node = tensor.node, tensor.grad != nil else { continue }
            node.backward(tensor)
            if !retainGraph {
                tensor.node = nil
                // Interior tensors' gradients are no longer needed; keep only leaves' gradients.
                if tensor !== self { tensor.grad = nil }
            }
        }
    }

    /// Tensors reachable from `self` through recorded nodes, inputs before outputs.
    func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative post-order DFS: deep graphs (many layers × many ops) must not overflow the stack.
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            let id = ObjectIdentifier(tensor)
            if visited.contains(id) { continue }
            visited.insert(id)
            stack.append((tensor, true))
            if let node = tensor.node {
                for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                    stack.append((input, false))
                }
            }
        }
        return order
    }
}
