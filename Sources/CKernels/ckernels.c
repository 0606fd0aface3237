#include "ckernels.h"
#include <immintrin.h>
#include <math.h>

/* ---- portable reference: the arithmetic every variant reproduces ---- */

static void vecmat_scalar(const float *x, const float *w, long ldw, long i0, long i1, long n, float *y) {
    for (long j = 0; j < n; j++) y[j] = 0.0f;
    for (long i = i0; i < i1; i++) {
        const float xi = x[i], *row = w + i * ldw;
        for (long j = 0; j < n; j++) y[j] = fmaf(xi, row[j], y[j]);
    }
}

/* Adds the 16 partial sums in a fixed tree: lanes l and l+8, then l and l+4, l+2, l+1. */
static float tree16(float *p) {
    for (int width = 8; width >= 1; width /= 2)
        for (int l = 0; l < width; l++) p[l] = p[l] + p[l + width];
    return p[0];
}

static void matvec_scalar(const float *w, long ldw, const float *x, long k, long r0, long r1, float *y) {
    for (long r = r0; r < r1; r++) {
        const float *row = w + r * ldw;
        float p[16] = {0};
        for (long i = 0; i < k; i++) p[i & 15] = fmaf(row[i], x[i], p[i & 15]);
        y[r] = tree16(p);
    }
}

/* ---- AVX2 + FMA: 8 lanes ---- */

__attribute__((target("avx2,fma")))
static void vecmat_avx2(const float *x, const float *w, long ldw, long i0, long i1, long n, float *y) {
    for (long j = 0; j < n; j++) y[j] = 0.0f;
    long i = i0;
    /* Four rows per pass over y: y stays in L1, and each column's chain of FMAs keeps increasing i. */
    for (; i + 4 <= i1; i += 4) {
        const float *r0 = w + i * ldw, *r1 = r0 + ldw, *r2 = r1 + ldw, *r3 = r2 + ldw;
        const __m256 x0 = _mm256_set1_ps(x[i]), x1 = _mm256_set1_ps(x[i + 1]), x2 = _mm256_set1_ps(x[i + 2]), x3 = _mm256_set1_ps(x[i + 3]);
        long j = 0;
        for (; j + 8 <= n; j += 8) {
            __m256 acc = _mm256_loadu_ps(y + j);
            acc = _mm256_fmadd_ps(x0, _mm256_loadu_ps(r0 + j), acc);
            acc = _mm256_fmadd_ps(x1, _mm256_loadu_ps(r1 + j), acc);
            acc = _mm256_fmadd_ps(x2, _mm256_loadu_ps(r2 + j), acc);
            acc = _mm256_fmadd_ps(x3, _mm256_loadu_ps(r3 + j), acc);
            _mm256_storeu_ps(y + j, acc);
        }
        for (; j < n; j++) {
            float acc = y[j];
            acc = fmaf(x[i], r0[j], acc); acc = fmaf(x[i + 1], r1[j], acc);
            acc = fmaf(x[i + 2], r2[j], acc); acc = fmaf(x[i + 3], r3[j], acc);
            y[j] = acc;
        }
    }
    for (; i < i1; i++) {
        const float xi = x[i], *row = w + i * ldw;
        for (long j = 0; j < n; j++) y[j] = fmaf(xi, row[j], y[j]);
    }
}

__attribute__((target("avx2,fma")))
static void matvec_avx2(const float *w, long ldw, const float *x, long k, long r0, long r1, float *y) {
    const long k16 = k & ~15L;
    for (long r = r0; r < r1; r++) {
        const float *row = w + r * ldw;
        __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();   /* partials 0–7 and 8–15 */
        for (long i = 0; i < k16; i += 16) {
            lo = _mm256_fmadd_ps(_mm256_loadu_ps(row + i), _mm256_loadu_ps(x + i), lo);
            hi = _mm256_fmadd_ps(_mm256_loadu_ps(row + i + 8), _mm256_loadu_ps(x + i + 8), hi);
        }
        float p[16];
        _mm256_storeu_ps(p, lo); _mm256_storeu_ps(p + 8, hi);
        for (long i = k16; i < k; i++) p[i & 15] = fmaf(row[i], x[i], p[i & 15]);
        y[r] = tree16(p);
    }
}

/* ---- AVX-512: 16 lanes ---- */

__attribute__((target("avx512f")))
static void vecmat_avx512(const float *x, const float *w, long ldw, long i0, long i1, long n, float *y) {
    for (long j = 0; j < n; j++) y[j] = 0.0f;
    long i = i0;
    const long n16 = n & ~15L;
    const __mmask16 tail = (__mmask16)((1u << (n - n16)) - 1u);
    for (; i + 4 <= i1; i += 4) {
        const float *r0 = w + i * ldw, *r1 = r0 + ldw, *r2 = r1 + ldw, *r3 = r2 + ldw;
        const __m512 x0 = _mm512_set1_ps(x[i]), x1 = _mm512_set1_ps(x[i + 1]), x2 = _mm512_set1_ps(x[i + 2]), x3 = _mm512_set1_ps(x[i + 3]);
        for (long j = 0; j < n16; j += 16) {
            __m512 acc = _mm512_loadu_ps(y + j);
            acc = _mm512_fmadd_ps(x0, _mm512_loadu_ps(r0 + j), acc);
            acc = _mm512_fmadd_ps(x1, _mm512_loadu_ps(r1 + j), acc);
            acc = _mm512_fmadd_ps(x2, _mm512_loadu_ps(r2 + j), acc);
            acc = _mm512_fmadd_ps(x3, _mm512_loadu_ps(r3 + j), acc);
            _mm512_storeu_ps(y + j, acc);
        }
        if (tail) {
            __m512 acc = _mm512_maskz_loadu_ps(tail, y + n16);
            acc = _mm512_fmadd_ps(x0, _mm512_maskz_loadu_ps(tail, r0 + n16), acc);
            acc = _mm512_fmadd_ps(x1, _mm512_maskz_loadu_ps(tail, r1 + n16), acc);
            acc = _mm512_fmadd_ps(x2, _mm512_maskz_loadu_ps(tail, r2 + n16), acc);
            acc = _mm512_fmadd_ps(x3, _mm512_maskz_loadu_ps(tail, r3 + n16), acc);
            _mm512_mask_storeu_ps(y + n16, tail, acc);
        }
    }
    for (; i < i1; i++) {
        const float xi = x[i], *row = w + i * ldw;
        for (long j = 0; j < n; j++) y[j] = fmaf(xi, row[j], y[j]);
    }
}

__attribute__((target("avx512f")))
static void matvec_avx512(const float *w, long ldw, const float *x, long k, long r0, long r1, float *y) {
    const long k16 = k & ~15L;
    for (long r = r0; r < r1; r++) {
        const float *row = w + r * ldw;
        __m512 acc = _mm512_setzero_ps();   /* partials 0–15 */
        for (long i = 0; i < k16; i += 16) acc = _mm512_fmadd_ps(_mm512_loadu_ps(row + i), _mm512_loadu_ps(x + i), acc);
        float p[16];
        _mm512_storeu_ps(p, acc);
        for (long i = k16; i < k; i++) p[i & 15] = fmaf(row[i], x[i], p[i & 15]);
        y[r] = tree16(p);
    }
}

/* ---- dispatch, decided once ---- */

typedef void (*vecmat_fn)(const float *, const float *, long, long, long, long, float *);
typedef void (*matvec_fn)(const float *, long, const float *, long, long, long, float *);

static int chosen = -1;   /* 0 scalar, 1 avx2-fma, 2 avx512; every thread computes the same value */

static int choose(void) {
    int isa = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (isa < 0) {
        __builtin_cpu_init();
        isa = __builtin_cpu_supports("avx512f") ? 2
            : (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 1 : 0;
        __atomic_store_n(&chosen, isa, __ATOMIC_RELAXED);
    }
    return isa;
}

static const vecmat_fn vecmat_variants[3] = {vecmat_scalar, vecmat_avx2, vecmat_avx512};
static const matvec_fn matvec_variants[3] = {matvec_scalar, matvec_avx2, matvec_avx512};

void lethe_vecmat_rows(const float *x, const float *w, long ldw, long i0, long i1, long n, float *y) {
    vecmat_variants[choose()](x, w, ldw, i0, i1, n, y);
}

void lethe_matvec_rows(const float *w, long ldw, const float *x, long k, long r0, long r1, float *y) {
    matvec_variants[choose()](w, ldw, x, k, r0, r1, y);
}

int lethe_kernels_best(void) { return choose(); }

/* A variant the CPU cannot run falls back to the scalar reference rather than faulting. */
void lethe_vecmat_rows_variant(int variant, const float *x, const float *w, long ldw, long i0, long i1, long n, float *y) {
    vecmat_variants[variant >= 0 && variant <= choose() ? variant : 0](x, w, ldw, i0, i1, n, y);
}

void lethe_matvec_rows_variant(int variant, const float *w, long ldw, const float *x, long k, long r0, long r1, float *y) {
    matvec_variants[variant >= 0 && variant <= choose() ? variant : 0](w, ldw, x, k, r0, r1, y);
}

const char *lethe_kernels_isa(void) {
    static const char *names[3] = {"scalar", "avx2-fma", "avx512"};
    return names[choose()];
}

const char *lethe_blas_family_for_cpu(void) {
    __builtin_cpu_init();
    const int avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
                    && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd");
    if (avx512 && __builtin_cpu_supports("avx512bf16")) return "Cooperlake";
    if (avx512) return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
    return 0;
}
