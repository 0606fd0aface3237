#include "cbench.h"
#include <cblas.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Median-free simple timing: one warm-up product, then the mean of `repetitions` products. */
double lethe_c_sgemm_seconds(int m, int n, int k, int repetitions) {
    float *a = malloc(sizeof(float) * (size_t)m * k), *b = malloc(sizeof(float) * (size_t)k * n), *c = malloc(sizeof(float) * (size_t)m * n);
    if (!a || !b || !c) { free(a); free(b); free(c); return -1; }
    for (long i = 0; i < (long)m * k; i++) a[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    for (long i = 0; i < (long)k * n; i++) b[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
    double start = now();
    for (int r = 0; r < repetitions; r++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
    double seconds = (now() - start) / repetitions;
    free(a); free(b); free(c);
    return seconds;
}
