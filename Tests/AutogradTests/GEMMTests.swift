// GEMMTests.swift — the one matrix-product wrapper against a naive triple loop, including the
// single-row and single-column shapes it hands to sgemv, with transposes and padded strides.
import Autograd
import Testing

@Suite("gemm")
struct GEMMTests {
    struct Case: CustomStringConvertible, Sendable {
        let m: Int, n: Int, k: Int, transA: Bool, transB: Bool, pad: Int
        var description: String { "\(m)×\(n)×\(k) transA \(transA) transB \(transB) pad \(pad)" }
    }

    static let cases: [Case] = [(1, 7, 5), (6, 1, 5), (1, 1, 9), (4, 3, 6)].flatMap { m, n, k in
        [(false, false), (true, false), (false, true), (true, true)].flatMap { ta, tb in
            [0, 3].map { Case(m: m, n: n, k: k, transA: ta, transB: tb, pad: $0) }
        }
    }

    @Test(arguments: cases)
    func matchesNaiveProduct(_ c: Case) {
        // Stored shapes: A is [m, k] or [k, m], B is [k, n] or [n, k], each row padded by `pad`.
        let (aRows, aCols) = c.transA ? (c.k, c.m) : (c.m, c.k)
        let (bRows, bCols) = c.transB ? (c.n, c.k) : (c.k, c.n)
        let (lda, ldb, ldc) = (aCols + c.pad, bCols + c.pad, c.n + c.pad)
        var rng = RNG(seed: 42)
        let a = (0..<(aRows * lda)).map { _ in rng.nextFloat() - 0.5 }
        let b = (0..<(bRows * ldb)).map { _ in rng.nextFloat() - 0.5 }
        let initial = (0..<(c.m * ldc)).map { _ in rng.nextFloat() - 0.5 }
        let (alpha, beta): (Float, Float) = (0.75, 0.5)
        var out = initial
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { cp in
            gemm(transA: c.transA, transB: c.transB, m: c.m, n: c.n, k: c.k, alpha: alpha,
                 a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb, beta: beta, c: cp.baseAddress!, ldc: ldc)
        } } }
        for i in 0..<c.m {
            for j in 0..<c.n {
                var dot: Double = 0
                for p in 0..<c.k {
                    let aValue = c.transA ? a[p * lda + i] : a[i * lda + p]
                    let bValue = c.transB ? b[j * ldb + p] : b[p * ldb + j]
                    dot += Double(aValue) * Double(bValue)
                }
                let expected = Double(alpha) * dot + Double(beta) * Double(initial[i * ldc + j])
                #expect(abs(Double(out[i * ldc + j]) - expected) < 1e-5, "c[\(i), \(j)]")
            }
            for j in c.n..<ldc { #expect(out[i * ldc + j] == initial[i * ldc + j], "padding c[\(i), \(j)] was written") }
        }
    }

    @Test(arguments: [(1, 5), (5, 1), (3, 4)])
    func betaZeroOverwritesNaN(m: Int, n: Int) {
        let k = 3
        let a = [Float](repeating: 1, count: m * k), b = [Float](repeating: 2, count: k * n)
        var out = [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { cp in
            gemm(m: m, n: n, k: k, a: ap.baseAddress!, b: bp.baseAddress!, beta: 0, c: cp.baseAddress!)
        } } }
        #expect(out == [Float](repeating: 6, count: m * n))
    }
}
