// OpGradientTests.swift — every op's backward against central finite differences.
import Autograd
import Testing

@Suite("Gradients match finite differences")
struct OpGradientTests {
    @Test(arguments: [[3, 4], [2, 3, 5]])
    func addMulSubScale(shape: [Int]) {
        let a = randomTensor(shape, seed: 1), b = randomTensor(shape, seed: 2)
        let bias = randomTensor([shape.last!], seed: 3)
        gradCheck("add", inputs: [a, b]) { add($0[0], $0[1]) }
        gradCheck("add broadcast", inputs: [a, bias]) { add($0[0], $0[1]) }
        gradCheck("mul", inputs: [a, b]) { mul($0[0], $0[1]) }
        gradCheck("mul broadcast", inputs: [a, bias]) { mul($0[0], $0[1]) }
        gradCheck("sub", inputs: [a, b]) { sub($0[0], $0[1]) }
        gradCheck("scale", inputs: [a]) { scale($0[0], -2.5) }
    }

    @Test func geluTanhDropout() {
        let x = randomTensor([4, 7], seed: 4, std: 2)
        gradCheck("gelu", inputs: [x]) { gelu($0[0]) }
        gradCheck("tanh", inputs: [x]) { tanh($0[0]) }
        gradCheck("dropout", inputs: [x]) { inputs in
            var rng = RNG(seed: 7)   // the same mask on every evaluation
            return dropout(inputs[0], p: 0.3, training: true, rng: &rng)
        }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulTransposes(transposeA: Bool, transposeB: Bool) {
        let a = randomTensor(transposeA ? [5, 3] : [3, 5], seed: 5)
        let b = randomTensor(transposeB ? [4, 5] : [5, 4], seed: 6)
        gradCheck("matmul", inputs: [a, b]) { matmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB) }
        let a3 = randomTensor(transposeA ? [2, 5, 3] : [2, 3, 5], seed: 7)
        let b3 = randomTensor(transposeB ? [2, 4, 5] : [2, 5, 4], seed: 8)
        gradCheck("batched matmul", inputs: [a3, b3]) { matmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB) }
    }

    @Test func matmulRowsAndLinear() {
        let x = randomTensor([2, 3, 5], seed: 9), w = randomTensor([5, 4], seed: 10), b = randomTensor([4], seed: 11)
        gradCheck("rows × matrix", inputs: [x, w]) { matmul($0[0], $0[1]) }
        gradCheck("rows × matrixᵀ", inputs: [x, randomTensor([4, 5], seed: 12)]) { matmul($0[0], $0[1], transposeB: true) }
        gradCheck("linear", inputs: [x, w, b]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        gradCheck("linear no bias", inputs: [x, w]) { linear($0[0], weight: $0[1], bias: nil) }
    }

    @Test func shapeOps() {
        let x = randomTensor([2, 5, 3], seed: 13)
        gradCheck("reshape", inputs: [x]) { reshape($0[0], [10, 3]) }
        gradCheck("gatherPositions", inputs: [x]) { gatherPositions($0[0], positions: [4, 1]) }
        gradCheck("sliceSequence", inputs: [x]) { sliceSequence($0[0], 1..<4) }
        let y = randomTensor([2, 2, 3], seed: 14)
        gradCheck("concatSequence", inputs: [x, y]) { concatSequence([$0[0], $0[1], $0[0]]) }
        let table = randomTensor([6, 4], seed: 15)
        gradCheck("embedding (repeated ids)", inputs: [table]) { embedding($0[0], ids: [1, 5, 1, 0, 1, 3], shape: [2, 3]) }
    }

    @Test func reductions() {
        let x = randomTensor([3, 4, 2], seed: 16)
        gradCheck("sum", inputs: [x]) { sum($0[0]) }
        gradCheck("mean", inputs: [x]) { mean($0[0]) }
        gradCheck("meanLastAxis", inputs: [x]) { meanLastAxis($0[0]) }
    }

    @Test(arguments: [[4, 8], [2, 3, 16]])
    func layerNormAllInputs(shape: [Int]) {
        let x = randomTensor(shape, seed: 17, std: 3)
        let w = randomTensor([shape.last!], seed: 18), b = randomTensor([shape.last!], seed: 19)
        gradCheck("layerNorm", inputs: [x, w, b], eps: 5e-3) { layerNorm($0[0], weight: $0[1], bias: $0[2]) }
    }

    @Test func softmaxes() {
        let x = randomTensor([3, 6], seed: 20, std: 2)
        gradCheck("softmax", inputs: [x]) { softmax($0[0]) }
        gradCheck("logSoftmax", inputs: [x]) { logSoftmax($0[0]) }
    }

    @Test(arguments: [(1, 4, 1, 8, nil as [Int]?), (2, 5, 2, 12, [5, 3]), (3, 6, 3, 6, [1, 6, 4])])
    func attention(batch: Int, length: Int, heads: Int, width: Int, lengths: [Int]?) {
        let qkv = randomTensor([batch, length, 3 * width], seed: 21)
        gradCheck("attention \(batch)×\(length) heads \(heads)", inputs: [qkv]) {
            causalSelfAttention($0[0], heads: heads, lengths: lengths)
        }
    }

    @Test func losses() {
        let logits = randomTensor([5, 4], seed: 22, std: 2)
        gradCheck("crossEntropy", inputs: [logits]) { crossEntropy($0[0], targets: [0, 3, 2, 1, 1]) }
        gradCheck("crossEntropy ignore", inputs: [logits]) { crossEntropy($0[0], targets: [0, ignoreIndex, 2, ignoreIndex, 1]) }
        let targets = softmax(randomTensor([5, 4], seed: 23)).detach()
        gradCheck("softCrossEntropy", inputs: [logits]) { softCrossEntropy($0[0], targets: targets) }
        gradCheck("klDivergence", inputs: [logits]) { klDivergence($0[0], targets: targets) }
        gradCheck("inverseCrossEntropy", inputs: [logits]) { inverseCrossEntropy($0[0], labels: [0, 3, 2, 1, 1]) }
        gradCheck("klToUniform", inputs: [logits]) { klToUniform($0[0]) }
        gradCheck("negativeEntropy", inputs: [logits]) { negativeEntropy($0[0]) }
        let binary = randomTensor([6, 2], seed: 24, std: 2)
        gradCheck("inverseCrossEntropy C=2", inputs: [binary]) { inverseCrossEntropy($0[0], labels: [0, 1, 1, 0, 0, 1]) }
    }

    @Test(arguments: [1, 2, 64])
    func projectedCrossEntropyMatchesUnfused(chunkRows: Int) {
        let hidden = randomTensor([2, 3, 4], seed: 30), weight = randomTensor([7, 4], seed: 31)
        let targets: [Int32] = [1, 6, ignoreIndex, 0, 3, 3]
        gradCheck("projectedCrossEntropy", inputs: [hidden, weight]) {
            projectedCrossEntropy($0[0], weight: $0[1], targets: targets, chunkRows: chunkRows)
        }
        let fused = projectedCrossEntropy(hidden, weight: weight, targets: targets, chunkRows: chunkRows).item
        let unfused = crossEntropy(matmul(hidden, weight, transposeB: true), targets: targets).item
        #expect(abs(fused - unfused) < 1e-5)
    }

    @Test func gradientsAccumulateAcrossBackwardCalls() {
        let x = randomTensor([3], seed: 25)
        x.requiresGrad = true
        sum(scale(x, 2)).backward()
        sum(scale(x, 3)).backward()
        #expect(x.grad == [5, 5, 5])
        x.zeroGrad()
        #expect(x.grad == nil)
    }

    @Test func noGradAndDetachRecordNothing() {
        let x = randomTensor([3], seed: 26)
        x.requiresGrad = true
        let y = GradMode.withNoGrad { scale(x, 2) }
        #expect(!y.requiresGrad && !y.hasGraph)
        let z = scale(x, 2).detach()
        #expect(!z.requiresGrad && !z.hasGraph && z.data == y.data)
    }
}
