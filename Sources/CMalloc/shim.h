#ifndef CMALLOC_SHIM_H
#define CMALLOC_SHIM_H
/* glibc's allocator tuning (mallopt and its M_* parameters), which Foundation's Glibc module
   does not export. Part of the C library itself: nothing to install or link. */
#include <malloc.h>
#endif
