#ifndef CHDF5_SHIM_H
#define CHDF5_SHIM_H
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>
/* HDF5's constants are function-calling macros, which Swift does not import. */
static inline unsigned shim_H5F_ACC_TRUNC(void)  { return H5F_ACC_TRUNC; }
static inline unsigned shim_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned shim_H5F_ACC_RDWR(void)   { return H5F_ACC_RDWR; }
static inline hid_t shim_H5P_DEFAULT(void)        { return H5P_DEFAULT; }
static inline hid_t shim_H5S_ALL(void)            { return H5S_ALL; }
static inline hid_t shim_H5T_NATIVE_FLOAT(void)   { return H5T_NATIVE_FLOAT; }
static inline hid_t shim_H5T_NATIVE_INT64(void)   { return H5T_NATIVE_INT64; }
static inline hid_t shim_H5T_NATIVE_DOUBLE(void)  { return H5T_NATIVE_DOUBLE; }
static inline hid_t shim_H5T_C_S1(void)           { return H5T_C_S1; }
static inline hid_t shim_H5P_FILE_ACCESS(void)    { return H5P_FILE_ACCESS; }
static inline hid_t shim_H5P_LINK_CREATE(void)    { return H5P_LINK_CREATE; }
static inline size_t shim_H5T_VARIABLE(void)      { return H5T_VARIABLE; }
static inline hid_t shim_H5T_IEEE_F32LE(void)     { return H5T_IEEE_F32LE; }
static inline hid_t shim_H5T_STD_I64LE(void)      { return H5T_STD_I64LE; }
static inline hsize_t shim_H5S_UNLIMITED(void)    { return H5S_UNLIMITED; }
/* Silence HDF5's own error stack printing: Lethe reports errors itself, in one line. */
static inline void shim_H5_silence_errors(void)  { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
/* H5Literate callback collecting link names is written in C: Swift closures cannot be C callbacks with context easily. */
/* Only hard links are listed: soft and external links (which can point into other files, or into
   cycles) are counted in `skipped` so the caller can refuse the file. */
typedef struct { char **names; size_t count; size_t capacity; size_t skipped; } shim_name_list;
static inline herr_t shim_collect_name(hid_t group, const char *name, const H5L_info_t *info, void *data) {
    (void)group;
    shim_name_list *list = (shim_name_list *)data;
    if (info->type != H5L_TYPE_HARD) { list->skipped++; return 0; }
    if (list->count == list->capacity) {
        size_t cap = list->capacity ? list->capacity * 2 : 64;
        char **grown = (char **)realloc(list->names, cap * sizeof(char *));
        if (!grown) return -1;
        list->names = grown; list->capacity = cap;
    }
    list->names[list->count++] = strdup(name);
    return 0;
}
static inline int shim_list_links(hid_t group, shim_name_list *out) {
    hsize_t idx = 0;
    return H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &idx, shim_collect_name, out) < 0 ? -1 : 0;
}
/* The address of an object in its file: the same object reached twice (a hard-link cycle) has one address. */
static inline long long shim_object_address(hid_t object) {
    H5O_info_t info;
    if (H5Oget_info2(object, &info, H5O_INFO_BASIC) < 0) return -1;
    return (long long)info.addr;
}
static inline unsigned shim_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
/* 1 when the link `path` (relative to `loc`) is a hard link, 0 when soft or external, -1 when missing. */
static inline int shim_link_is_hard(hid_t loc, const char *path) {
    H5L_info_t info;
    if (H5Lget_info(loc, path, &info, H5P_DEFAULT) < 0) return -1;
    return info.type == H5L_TYPE_HARD ? 1 : 0;
}
static inline void shim_free_name_list(shim_name_list *list) {
    for (size_t i = 0; i < list->count; i++) free(list->names[i]);
    free(list->names);
    list->names = NULL; list->count = 0; list->capacity = 0;
}
#endif
