#ifndef CBLAS_SHIM_H
#define CBLAS_SHIM_H
#include <cblas.h>
/* OpenBLAS declares these in cblas.h; repeated here so the shim documents what Lethe uses. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
/* Exported by OpenBLAS's pthreads build but not declared in cblas.h: re-read OPENBLAS_* variables,
   and stop / restart the worker threads so they pick up a new OPENBLAS_THREAD_TIMEOUT. */
void openblas_read_env(void);
int blas_thread_shutdown_(void);
int blas_thread_init(void);
#endif
