/*
 * img.h - shared helpers of the baremu-img commands (tools/img-*.c).
 */
#ifndef TOOLS_IMG_H
#define TOOLS_IMG_H

#include <stdbool.h>
#include <stdint.h>

#include "block/block.h"

/* Print "baremu-img: msg" on stderr. */
void img_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a size with an optional k/M/G/T/P/E suffix (1024-based). 0 or -EINVAL. */
int img_parse_size(const char *s, uint64_t *out);

/* --output=human|json; -1 after a message on anything else. */
int img_output_arg(const char *arg, bool *json);

/* QEMU's size_to_str: "1.26 MiB". */
void img_size_str(uint64_t v, char *buf, size_t len);

/* Open with an error message on failure; returns NULL then. */
struct blk *img_open(const char *file, const char *fmt, unsigned flags, const char *cache);

/* Progress bar as qemu-img -p draws it. */
void img_progress(void *opaque, uint64_t done, uint64_t total);
void img_progress_end(void);

/* Parse "-o" options into create options; 0 or -EINVAL (message printed). */
struct img_create_extra {
    bool have_size;
    bool have_compat;
    bool have_lazy;
    bool have_refcount_bits;
};
int img_parse_create_opts(const char *opts, struct blk_create_opts *o, struct img_create_extra *x);

int img_create(int argc, char **argv);
int img_info(int argc, char **argv);
int img_check(int argc, char **argv);
int img_map(int argc, char **argv);
int img_snapshot(int argc, char **argv);
int img_convert(int argc, char **argv);
int img_compare(int argc, char **argv);
int img_commit(int argc, char **argv);
int img_rebase(int argc, char **argv);
int img_resize(int argc, char **argv);
int img_amend(int argc, char **argv);

#endif
