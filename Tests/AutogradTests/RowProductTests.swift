// RowProductTests.swift — decoding's single-row products (gemm with m = 1, alpha 1, beta 0), which
// run on Lethe's own C kernels: against a double-precision product, the same bits from every
// instruction-set variant the CPU can run, and the same bits on one thread and two.
import Autograd
import CKernels
import Testing

@Suite("Single-row products")
struct RowProductTests {
    struct Case: CustomStringConvertible, Sendable {
        let n: Int, k: Int, transA: Bool, transB: Bool, pad: Int
        var description: String { "1×\(n)×\(k) transA \(transA) transB \(transB) pad \(pad)" }
    }

    // Small shapes, tails of every width (n and k not multiples of 16), and shapes large enough to
    // be split between cores (k·n ≥ 2¹⁸).
    static let cases: [Case] = [(7, 5), (33, 17), (100, 200), (1_100, 600), (700, 1_031)].flatMap { n, k in
        [(false, false), (true, false), (false, true), (true, true)].map { ta, tb in
            Case(n: n, k: k, transA: ta, transB: tb, pad: (n + k) % 3)
        }
    }

    /// `a` stored as [1, k] or [k, 1] (stride lda), `b` as [k, n] or [n, k]; returns c and the reference.
    static func product(_ c: Case, seed: UInt64) -> (lethe: [Float], reference: [Double], scale: [Double]) {
        let lda = c.transA ? 1 + c.pad : c.k + c.pad
        let (bRows, bCols) = c.transB ? (c.n, c.k) : (c.k, c.n)
        let ldb = bCols + c.pad
        var rng = RNG(seed: seed)
        let a = (0..<(c.transA ? c.k * lda : lda)).map { _ in rng.nextFloat() - 0.5 }
        let b = (0..<(bRows * ldb)).map { _ in rng.nextFloat() - 0.5 }
        var out = [Float](repeating: .nan, count: c.n)
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { cp in
            gemm(transA: c.transA, transB: c.transB, m: 1, n: c.n, k: c.k,
                 a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb, c: cp.baseAddress!)
        } } }
        var reference = [Double](repeating: 0, count: c.n), scale = reference
        for j in 0..<c.n {
            for p in 0..<c.k {
                let x = Double(c.transA ? a[p * lda] : a[p])
                let w = Double(c.transB ? b[j * ldb + p] : b[p * ldb + j])
                reference[j] += x * w
                scale[j] += abs(x * w)
            }
        }
        return (out, reference, scale)
    }

    @Test(arguments: cases)
    func matchesDoublePrecisionProduct(_ c: Case) {
        let (lethe, reference, scale) = Self.product(c, seed: 7)
        for j in 0..<c.n {
            // Float accumulation over k terms: error at most about k·ε·Σ|x·w|.
            let bound = Double(c.k) * 1.2e-7 * scale[j] + 1e-30
            #expect(abs(Double(lethe[j]) - reference[j]) <= bound, "c[\(j)] = \(lethe[j]), expected \(reference[j])")
        }
    }

    @Test func oneThreadAndTwoGiveTheSameBits() {
        let saved = Threads.count
        defer { Threads.count = saved }
        for c in Self.cases {
            Threads.count = 1
            let one = Self.product(c, seed: 11).lethe
            Threads.count = 2
            let two = Self.product(c, seed: 11).lethe
            #expect(one.map(\.bitPattern) == two.map(\.bitPattern), "\(c)")
        }
    }

    /// Each variant the CPU can run (AVX-512, AVX2 with FMA) against the portable scalar reference.
    @Test func everyInstructionSetGivesTheScalarBits() {
        let best = lethe_kernels_best()
        var rng = RNG(seed: 5)
        for (rows, columns) in [(5, 7), (37, 45), (64, 768), (130, 3)] {
            let ld = columns + 2
            let w = (0..<(rows * ld)).map { _ in rng.nextFloat() - 0.5 }
            let xRows = (0..<rows).map { _ in rng.nextFloat() - 0.5 }, xColumns = (0..<columns).map { _ in rng.nextFloat() - 0.5 }
            func run(_ variant: Int32) -> (vecmat: [UInt32], matvec: [UInt32]) {
                var byColumn = [Float](repeating: 0, count: columns), byRow = [Float](repeating: 0, count: rows)
                lethe_vecmat_rows_variant(variant, xRows, w, ld, 0, rows, columns, &byColumn)
                lethe_matvec_rows_variant(variant, w, ld, xColumns, columns, 0, rows, &byRow)
                return (byColumn.map(\.bitPattern), byRow.map(\.bitPattern))
            }
            let scalar = run(0)
            for variant in 1...max(1, best) where variant <= best {
                let fast = run(variant)
                #expect(fast.vecmat == scalar.vecmat, "vecmat \(rows)×\(columns), variant \(variant)")
                #expect(fast.matvec == scalar.matvec, "matvec \(rows)×\(columns), variant \(variant)")
            }
        }
        #expect(best >= 0 && best <= 2)
    }

    /// OpenBLAS 0.3.21 falls back to its SSE3 kernels (`Prescott`) on CPUs newer than itself; Lethe
    /// then loads the family the CPU's instructions can run (BLAS.swift).
    @Test func openBLASUsesTheKernelsTheCPUCanRun() {
        guard let family = lethe_blas_family_for_cpu() else { return }   // a CPU without AVX2: nothing to choose
        #expect(!Threads.numericalSetting.contains("Prescott"), "\(Threads.numericalSetting); this CPU runs \(String(cString: family))")
    }
}
