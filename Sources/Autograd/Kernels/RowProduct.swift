// RowProduct.swift — `gemm`'s single-row case (m = 1), the product of KV-cache decoding.
// Each decoded token reads every weight once, so the time is memory bandwidth; the kernels are in
// C (Sources/CKernels) because only there can Lethe use AVX-512 or AVX2 with FMA, chosen at run
// time, while Swift's portable build emits SSE2. Every variant does the same fused multiply-adds in
// the same order, and the work is split by shape alone, so one thread and two give the same bits.
import CKernels

enum RowProduct {
    /// Weights at least this large (in floats) are read in two halves of rows, one per core.
    static let splitFloats = 1 << 18

    /// The instructions the kernels use on this CPU (`avx512`, `avx2-fma` or `scalar`).
    static var instructionSet: String { String(cString: lethe_kernels_isa()) }

    /// `c[n] = a[k] · B`, where `B` is `[k, n]` (row stride `ldb`), or `Bᵀ` of a `[n, k]` `B` when
    /// `transB`. `a`'s elements are `strideA` apart.
    static func multiply(transB: Bool, n: Int, k: Int, a: UnsafePointer<Float>, strideA: Int,
                         b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>) {
        if strideA != 1 {
            let row = [Float](unsafeUninitializedCapacity: k) { buffer, count in
                for i in 0..<k { buffer[i] = a[i * strideA] }
                count = k
            }
            row.withUnsafeBufferPointer { multiply(transB: transB, n: n, k: k, a: $0.baseAddress!, strideA: 1, b: b, ldb: ldb, c: c) }
            return
        }
        if transB {
            // c[r] = B[r, :] · a: rows of B are independent dot products, so any split gives the same bits.
            let bp = UncheckedBox(b), ap = UncheckedBox(a), cp = SendablePointer(c)
            parallelChunks(n, minimumPerThread: max(1, splitFloats / (2 * k))) { rows in
                lethe_matvec_rows(bp.value, ldb, ap.value, k, rows.lowerBound, rows.upperBound, cp.base)
            }
            return
        }
        // c = a · B, summed over B's rows. Large weights: two halves of rows, each read contiguously
        // by its own core, their partial sums added in a fixed order (the same with one thread).
        guard k * n >= splitFloats, k >= 8 else {
            lethe_vecmat_rows(a, b, ldb, 0, k, n, c)
            return
        }
        var second = [Float](repeating: 0, count: n)
        second.withUnsafeMutableBufferPointer { partial in
            let bp = UncheckedBox(b), ap = UncheckedBox(a), cp = SendablePointer(c), pp = SendablePointer(partial.baseAddress!)
            let half = k / 2
            parallelFor(2) { part in
                if part == 0 { lethe_vecmat_rows(ap.value, bp.value, ldb, 0, half, n, cp.base) }
                else { lethe_vecmat_rows(ap.value, bp.value, ldb, half, k, n, pp.base) }
            }
            for j in 0..<n { c[j] += partial[j] }
        }
    }
}
