// LossValueTests.swift — loss values against the test vectors of specs/sophon.md §2 and PyTorch formulas.
import Autograd
import Foundation
import Testing

@Suite("Loss values")
struct LossValueTests {
    @Test func inverseCrossEntropyVector() {
        // specs/sophon.md §2.1: z = [2, −1], y = 0 → 3.048587 (both paper and code forms for C = 2).
        let v = inverseCrossEntropy(Tensor(shape: [1, 2], data: [2, -1]), labels: [0]).item
        #expect(abs(v - 3.048587) < 1e-5)
        // C = 3 uses the paper's −log(1−p_y): z = [2, 0.5, −1], y = 0 → 1.5399 (the code's form gives 3.2413).
        let three = inverseCrossEntropy(Tensor(shape: [1, 3], data: [2, 0.5, -1]), labels: [0]).item
        #expect(abs(three - 1.5399) < 1e-4)
    }

    @Test func klToUniformVector() {
        // specs/sophon.md §2.2: z = [2, −1] → 0.855440 with the correct 1/C target.
        let v = klToUniform(Tensor(shape: [1, 2], data: [2, -1])).item
        #expect(abs(v - 0.855440) < 1e-5)
        #expect(abs(klToUniform(Tensor(shape: [2, 3], data: [1, 1, 1, -4, -4, -4])).item) < 1e-6)
    }

    @Test func negativeEntropyIsLeastAtUniform() {
        // Uniform rows reach the minimum −log C; a confident row is near 0.
        #expect(abs(negativeEntropy(Tensor(shape: [2, 4], data: [3, 3, 3, 3, -1, -1, -1, -1])).item + log(4)) < 1e-6)
        #expect(negativeEntropy(Tensor(shape: [1, 2], data: [20, -20])).item > -1e-6)
    }

    @Test func crossEntropyMatchesDefinition() {
        // −log softmax([1, 2, 3])[2] = log(e + e² + e³) − 3
        let expected = Float(log(exp(1.0) + exp(2.0) + exp(3.0)) - 3)
        let v = crossEntropy(Tensor(shape: [2, 3], data: [1, 2, 3, 0, 0, 0]), targets: [2, ignoreIndex]).item
        #expect(abs(v - expected) < 1e-6)
        #expect(crossEntropy(Tensor(shape: [1, 3], data: [1, 2, 3]), targets: [ignoreIndex]).item == 0)
    }

    @Test func crossEntropyIsStableForHugeLogits() {
        let v = crossEntropy(Tensor(shape: [1, 2], data: [1e4, -1e4]), targets: [1]).item
        #expect(v.isFinite && abs(v - 2e4) < 1)
        let ice = inverseCrossEntropy(Tensor(shape: [1, 2], data: [-1e4, 1e4]), labels: [0]).item
        #expect(ice.isFinite && abs(ice) < 1e-3)
    }

    @Test func softCrossEntropyEqualsHardForOneHot() {
        let z = Tensor(shape: [2, 3], data: [0.5, -1, 2, 1, 1, 0])
        let oneHot = Tensor(shape: [2, 3], data: [0, 0, 1, 1, 0, 0])
        #expect(abs(softCrossEntropy(z, targets: oneHot).item - crossEntropy(z, targets: [2, 0]).item) < 1e-6)
        #expect(abs(klDivergence(z, targets: oneHot).item - crossEntropy(z, targets: [2, 0]).item) < 1e-6)
    }
}
