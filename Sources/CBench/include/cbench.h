#ifndef LETHE_CBENCH_H
#define LETHE_CBENCH_H
/* The reference side of `lethe bench sgemm`: OpenBLAS called straight from C, timed in C. */
double lethe_c_sgemm_seconds(int m, int n, int k, int repetitions);
#endif
