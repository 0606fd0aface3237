// BLAS.swift — the one place Lethe calls OpenBLAS. Every matrix product goes through `gemm`.
import CBLAS
import CPUFeatures
import Foundation

/// Row-major single-precision matrix product `C = alpha · op(A) · op(B) + beta · C`.
///
/// `op(A)` is `[m, k]`, `op(B)` is `[k, n]`, `C` is `[m, n]`. Leading dimensions default to the
/// packed row-major widths, so callers only pass them when working on sub-matrices.
@inline(__always)
public func gemm(
    transA: Bool = false, transB: Bool = false,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int? = nil,
    b: UnsafePointer<Float>, ldb: Int? = nil,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int? = nil
) {
    if m == 0 || n == 0 { return }
    _ = BLASThreads.kernelsForThisCPU
    let lda = lda ?? (transA ? m : k)
    let ldb = ldb ?? (transB ? k : n)
    let ldc = ldc ?? n
    // A single row or column is a matrix–vector product. OpenBLAS 0.3.21's sgemm does not notice
    // and packs the whole other matrix on every call — in KV-cache decoding, where every
    // projection has m = 1, packing took over half the time. sgemv reads the matrix once.
    if (m == 1 || n == 1) && k > 0 && beta == 0 {
        // BLAS says beta = 0 ignores C, but some OpenBLAS versions scale it by 0 (NaN stays NaN).
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] = 0 } }
    }
    if m == 1 && k > 0 {
        // c[1, n] = alpha · op(B)ᵀ · a + beta · c: the row of op(A) is A's row, or A's column (stride lda).
        cblas_sgemv(CblasRowMajor, transB ? CblasNoTrans : CblasTrans,
                    Int32(transB ? n : k), Int32(transB ? k : n),
                    alpha, b, Int32(ldb), a, Int32(transA ? lda : 1),
                    beta, c, 1)
        return
    }
    if n == 1 && k > 0 {
        // c[m, 1] = alpha · op(A) · b + beta · c: c's column has stride ldc; op(B)'s column is B's
        // column (stride ldb) or B's row.
        cblas_sgemv(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                    Int32(transA ? k : m), Int32(transA ? m : k),
                    alpha, a, Int32(lda), b, Int32(transB ? 1 : ldb),
                    beta, c, Int32(ldc))
        return
    }
    cblas_sgemm(CblasRowMajor,
                transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k),
                alpha, a, Int32(lda), b, Int32(ldb),
                beta, c, Int32(ldc))
}

/// Thread control for OpenBLAS; Swift-side kernels read ``Threads/count`` too.
enum BLASThreads {
    static func set(_ n: Int) {
        _ = sleepWhenIdle
        openblas_set_num_threads(Int32(n))
    }

    /// OpenBLAS's idle workers spin (`sched_yield`) for 2²⁸ cycles after each product before they
    /// sleep. Between products Lethe runs its own kernels on every core, so on 2 cores a spinning
    /// worker takes a third of the machine from them: measured, a GPT-2 124M training step took
    /// 4.8 s with the default and 4.0 s with workers that sleep at once (2⁴ cycles, OpenBLAS's
    /// minimum). The variable is read when the library loads, so set it, have OpenBLAS re-read it
    /// and restart its workers — once, before the first product. A value the user exported is kept.
    /// The three functions are exported by OpenBLAS's threaded builds but declared in no header, so
    /// they are looked up rather than linked: a build without them (serial) simply keeps its default.
    private static let sleepWhenIdle: Void = {
        _ = kernelsForThisCPU
        let program = dlopen(nil, RTLD_NOW)
        defer { if let program { dlclose(program) } }
        guard let readEnvironment = dlsym(program, "openblas_read_env"),
              let stopWorkers = dlsym(program, "blas_thread_shutdown_"),
              let startWorkers = dlsym(program, "blas_thread_init") else { return }
        setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0)
        unsafeBitCast(readEnvironment, to: (@convention(c) () -> Void).self)()
        _ = unsafeBitCast(stopWorkers, to: (@convention(c) () -> Int32).self)()
        _ = unsafeBitCast(startWorkers, to: (@convention(c) () -> Int32).self)()
    }()

    /// OpenBLAS 0.3.21 picks its kernels by CPU model, and a model newer than the library (Intel's
    /// Emerald Rapids, for one) gets its fallback, Prescott: SSE3 kernels, measured at 25–33 GFLOP/s
    /// where Cooperlake's reach 280–300 on the same two cores, and other roundings than the machines
    /// the sessions were recorded on. So when OpenBLAS fell back to Prescott, Lethe chooses the family
    /// by the instructions the CPU has, as OpenBLAS would for a model it knew, and has OpenBLAS load
    /// it again — once, before the first product. A family the user chose (`OPENBLAS_CORETYPE`) is kept.
    static let kernelsForThisCPU: Void = {
        guard getenv("OPENBLAS_CORETYPE") == nil, loadedCoreName == "Prescott", let family = lethe_blas_family_for_cpu() else { return }
        let program = dlopen(nil, RTLD_NOW)
        defer { if let program { dlclose(program) } }
        guard let unload = dlsym(program, "gotoblas_dynamic_quit"), let load = dlsym(program, "gotoblas_dynamic_init") else { return }
        setenv("OPENBLAS_CORETYPE", family, 1)
        unsafeBitCast(unload, to: (@convention(c) () -> Void).self)()
        unsafeBitCast(load, to: (@convention(c) () -> Void).self)()
    }()

    static func get() -> Int { Int(openblas_get_num_threads()) }

    /// The kernel family OpenBLAS chose for this CPU (`Haswell`, `SkylakeX`, `Zen`, …).
    static var coreName: String {
        _ = kernelsForThisCPU
        return loadedCoreName
    }

    private static var loadedCoreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }
}
