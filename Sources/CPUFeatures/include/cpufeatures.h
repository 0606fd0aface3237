#ifndef LETHE_CPUFEATURES_H
#define LETHE_CPUFEATURES_H
/* The OpenBLAS kernel family this CPU's instructions can run, for CPUs OpenBLAS does not recognise:
 * "Cooperlake" (AVX-512 with BF16), "SkylakeX" (AVX-512), "Haswell" (AVX2 with FMA), or NULL.
 * In C because Swift has no way to ask the CPU what it supports. */
const char *lethe_blas_family_for_cpu(void);
#endif
