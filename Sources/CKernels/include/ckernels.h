#ifndef LETHE_CKERNELS_H
#define LETHE_CKERNELS_H
/*
 * Single-row matrix products for KV-cache decoding, where each token reads every weight once and
 * the time is memory bandwidth. Swift can emit only the portable build's SSE2; these kernels pick
 * AVX-512 or AVX2 with FMA at run time. Every variant performs the same fused multiply-adds in the
 * same order, so the results are bit-identical whichever instructions the CPU has.
 */

/* y[j] = sum over i in [i0, i1) of x[i] * w[i * ldw + j], for j in [0, n).
 * Each y[j] is one chain of fused multiply-adds in increasing i, starting from 0. */
void lethe_vecmat_rows(const float *x, const float *w, long ldw, long i0, long i1, long n, float *y);

/* y[r] = sum over i in [0, k) of w[r * ldw + i] * x[i], for r in [r0, r1).
 * Each sum keeps 16 partial sums (element i goes to partial i mod 16, in increasing i) that are
 * added in a fixed tree at the end. */
void lethe_matvec_rows(const float *w, long ldw, const float *x, long k, long r0, long r1, float *y);

/* Which instructions the kernels use on this CPU: "avx512", "avx2-fma" or "scalar". */
const char *lethe_kernels_isa(void);

/* The same products with a chosen variant (0 scalar, 1 avx2-fma, 2 avx512), for tests that check
 * every variant the CPU can run gives the scalar reference's bits. `lethe_kernels_best()` is the
 * variant the CPU runs. */
int lethe_kernels_best(void);
void lethe_vecmat_rows_variant(int variant, const float *x, const float *w, long ldw, long i0, long i1, long n, float *y);
void lethe_matvec_rows_variant(int variant, const float *w, long ldw, const float *x, long k, long r0, long r1, float *y);

/* The OpenBLAS kernel family this CPU's instructions can run, for CPUs OpenBLAS does not recognise:
 * "Cooperlake" (AVX-512 with BF16), "SkylakeX" (AVX-512), "Haswell" (AVX2 with FMA), or NULL. */
const char *lethe_blas_family_for_cpu(void);
#endif
