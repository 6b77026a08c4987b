/*
 * vmstate.h - declarative device/CPU state for save, load and migration.
 *
 * Each device declares its fields once. The wire format is big-endian and
 * self-describing enough to reject mismatches: section name, version, then
 * fields in order, then named subsections. A loaded stream is hostile: every
 * length, count and index is checked, and a failed load leaves an error,
 * never an out-of-bounds write.
 */
#ifndef EMU_VMSTATE_H
#define EMU_VMSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vmstate_type {
    VMS_END = 0,
    VMS_BOOL,
    VMS_U8,
    VMS_U16,
    VMS_U32,
    VMS_U64,
    VMS_BUFFER, /* size bytes, opaque */
    VMS_STRUCT, /* nested description at offset, count elements of size */
};

struct vmstate_desc;

struct vmstate_field {
    const char *name;
    enum vmstate_type type;
    size_t offset;
    uint32_t count; /* array length; 0 is treated as 1 */
    size_t size;    /* VMS_BUFFER: bytes; VMS_STRUCT: element size */
    const struct vmstate_desc *sub; /* VMS_STRUCT */
    int version_id;                 /* first version carrying the field */
    /*
     * Variable-length arrays: if count_offset_valid, the element count is a
     * uint32_t at count_offset in the same struct (already loaded, earlier
     * in the field list) and count is the maximum; a larger saved count fails
     * the load with -EINVAL.
     */
    bool count_offset_valid;
    size_t count_offset;
};

struct vmstate_desc {
    const char *name;
    int version_id;
    int minimum_version_id;
    const struct vmstate_field *fields; /* ends with type VMS_END */
    /* Optional; NULL-terminated. A subsection is sent only if needed() says so. */
    const struct vmstate_desc *const *subsections;
    bool (*needed)(void *opaque);
    int (*pre_save)(void *opaque);
    int (*post_load)(void *opaque, int version_id);
};

/* A growable output or bounded input buffer. */
struct vm_buf {
    uint8_t *data;
    size_t len; /* bytes valid */
    size_t cap; /* allocated (writer) */
    size_t pos; /* read position (reader) */
    int error;  /* first error, sticky */
};

void vm_buf_init_writer(struct vm_buf *b);
void vm_buf_init_reader(struct vm_buf *b, const uint8_t *data, size_t len);
void vm_buf_free(struct vm_buf *b);

void vm_put_u8(struct vm_buf *b, uint8_t v);
void vm_put_be16(struct vm_buf *b, uint16_t v);
void vm_put_be32(struct vm_buf *b, uint32_t v);
void vm_put_be64(struct vm_buf *b, uint64_t v);
void vm_put_bytes(struct vm_buf *b, const void *p, size_t n);
/* Readers return 0 and set b->error = -EINVAL past the end. */
uint8_t vm_get_u8(struct vm_buf *b);
uint16_t vm_get_be16(struct vm_buf *b);
uint32_t vm_get_be32(struct vm_buf *b);
uint64_t vm_get_be64(struct vm_buf *b);
int vm_get_bytes(struct vm_buf *b, void *p, size_t n);

/* Append the state of opaque as described. Returns 0 or -errno. */
int vmstate_save(const struct vmstate_desc *d, void *opaque, struct vm_buf *out);

/*
 * Read a section written by vmstate_save() into opaque. Fails with -EINVAL
 * on a name mismatch, a version outside [minimum_version_id, version_id], a
 * truncated stream, an unknown subsection or a bad count; then post_load.
 */
int vmstate_load(const struct vmstate_desc *d, void *opaque, struct vm_buf *in);

#endif
