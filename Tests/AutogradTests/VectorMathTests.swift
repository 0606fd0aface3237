// VectorMathTests.swift — the vectorised exp and tanh against Foundation's Double versions.
import Autograd
import Foundation
import Testing

@Suite("Vector exp and tanh")
struct VectorMathTests {
    /// Every 1/4096 from −20 to 20 (and a few extremes), eight at a time.
    static let grid: [Float] = stride(from: -20.0, through: 20.0, by: 1.0 / 4096).map { Float($0) } + [-100, -88, 88, 100, 1e-30, -1e-30, 0]

    static func eachVector(_ values: [Float], _ body: (SIMD8<Float>) -> Void) {
        var i = 0
        while i < values.count {
            var v = SIMD8<Float>(repeating: 0)
            for j in 0..<8 where i + j < values.count { v[j] = values[i + j] }
            body(v)
            i += 8
        }
    }

    @Test func tanhWithin1point2e7Absolute() {
        var worst = 0.0
        Self.eachVector(Self.grid) { x in
            let t = vectorTanh(x)
            for j in 0..<8 { worst = max(worst, abs(Double(t[j]) - Foundation.tanh(Double(x[j])))) }
        }
        #expect(worst <= 1.2e-7, "max |vectorTanh − tanh| = \(worst)")
    }

    @Test func tanhIsOddAndExactAtZero() {
        let x = SIMD8<Float>(0.01, 0.09, 0.1, 0.11, 0.5, 2, 8, 30)
        #expect(vectorTanh(-x) == -vectorTanh(x))
        #expect(vectorTanh(SIMD8<Float>(repeating: 0)) == SIMD8<Float>(repeating: 0))
        #expect(vectorTanh(SIMD8<Float>(repeating: .infinity))[0] == 1)
    }

    @Test func expWithinTwoUlp() {
        var worst = 0.0
        let values = stride(from: -87.0, through: 88.0, by: 1.0 / 512).map { Float($0) }
        Self.eachVector(values) { x in
            let e = vectorExp(x)
            for j in 0..<8 {
                let exact = Foundation.exp(Double(x[j]))
                worst = max(worst, abs(Double(e[j]) - exact) / (exact * Double(Float.ulpOfOne)))
            }
        }
        #expect(worst <= 2, "max error of vectorExp = \(worst) ulp")
    }
}
