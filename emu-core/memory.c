/*
 * memory.c - region trees, their flat views, and guest accesses through them.
 *
 * A commit paints the tree into a sorted array of flat ranges, winner first:
 * each region only fills what no higher-precedence region has claimed, so
 * overlaps resolve by construction and the array never needs a sort. A
 * container claims nothing itself, so lower-priority siblings show through
 * its holes (as in QEMU).
 */
#include "emu-core/memory.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/platform.h"

/* ---- region construction ---- */

static void region_init(struct mem_region *mr, const char *name, enum mem_region_kind kind,
                        uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->name = name;
    mr->kind = kind;
    mr->size = size;
}

static int region_init_ram_block(struct mem_region *mr, const char *name, uint64_t size,
                                 enum mem_region_kind kind)
{
    region_init(mr, name, kind, size);
    uint64_t pages = (size + MEM_PAGE_SIZE - 1) >> MEM_PAGE_BITS;
    size_t longbits = 8 * sizeof(unsigned long);
    struct ram_block *rb = calloc(1, sizeof(*rb));
    if (!rb)
        return -ENOMEM;
    rb->host = size ? plat_ram_alloc(size) : NULL;
    rb->code_map = calloc(pages ? pages : 1, 1);
    rb->dirty = calloc(pages ? (pages + longbits - 1) / longbits : 1, sizeof(unsigned long));
    if ((size && !rb->host) || !rb->code_map || !rb->dirty) {
        if (rb->host)
            plat_ram_free(rb->host, size);
        free(rb->code_map);
        free(rb->dirty);
        free(rb);
        return -ENOMEM;
    }
    rb->size = size;
    rb->name = name;
    mr->ram = rb;
    return 0;
}

int mem_region_init_ram(struct mem_region *mr, const char *name, uint64_t size)
{
    return region_init_ram_block(mr, name, size, MR_RAM);
}

int mem_region_init_rom(struct mem_region *mr, const char *name, uint64_t size)
{
    return region_init_ram_block(mr, name, size, MR_ROM);
}

void mem_region_init_io(struct mem_region *mr, const char *name, const struct mem_region_ops *ops,
                        void *opaque, uint64_t size)
{
    region_init(mr, name, MR_MMIO, size);
    mr->ops = ops;
    mr->opaque = opaque;
}

void mem_region_init_alias(struct mem_region *mr, const char *name, struct mem_region *target,
                           uint64_t offset, uint64_t size)
{
    region_init(mr, name, MR_ALIAS, size);
    mr->alias = target;
    mr->alias_offset = offset;
}

void mem_region_init_container(struct mem_region *mr, const char *name, uint64_t size)
{
    region_init(mr, name, MR_CONTAINER, size);
}

uint8_t *mem_region_host(struct mem_region *mr)
{
    if ((mr->kind == MR_RAM || mr->kind == MR_ROM) && mr->ram)
        return mr->ram->host;
    return NULL;
}

/* ---- flattening ---- */

struct flat_builder {
    struct flat_range *r;
    size_t n, cap;
    int error;
};

/* Index of the first range ending after addr (n if none). */
static size_t ranges_lower_bound(const struct flat_range *r, size_t n, uint64_t addr)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].start + r[mid].size <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void builder_insert(struct flat_builder *b, size_t idx, uint64_t start, uint64_t size,
                           struct mem_region *mr, uint64_t offset)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        struct flat_range *r = realloc(b->r, cap * sizeof(*r));
        if (!r) {
            b->error = -ENOMEM;
            return;
        }
        b->r = r;
        b->cap = cap;
    }
    memmove(&b->r[idx + 1], &b->r[idx], (b->n - idx) * sizeof(*b->r));
    b->r[idx] = (struct flat_range){.start = start, .size = size, .mr = mr, .offset = offset};
    b->n++;
}

/* Give mr the parts of [lo, hi) nobody has claimed yet; lo maps to offset off. */
static void paint(struct flat_builder *b, uint64_t lo, uint64_t hi, struct mem_region *mr,
                  uint64_t off)
{
    size_t idx = ranges_lower_bound(b->r, b->n, lo);
    uint64_t cur = lo;
    while (cur < hi && !b->error) {
        if (idx < b->n && b->r[idx].start <= cur) {
            uint64_t end = b->r[idx].start + b->r[idx].size;
            if (end > cur)
                cur = end;
            idx++;
            continue;
        }
        uint64_t gap_end = hi;
        if (idx < b->n && b->r[idx].start < gap_end)
            gap_end = b->r[idx].start;
        builder_insert(b, idx, cur, gap_end - cur, mr, off + (cur - lo));
        idx++;
        cur = gap_end;
    }
}

/*
 * Render mr into the window [lo, hi) of the address space, where lo is offset
 * off into mr. Offsets rather than a base address keep aliases that reach
 * below address 0 free of wrap-around.
 */
static void render(struct flat_builder *b, struct mem_region *mr, uint64_t lo, uint64_t hi,
                   uint64_t off, int depth)
{
    if (b->error || lo >= hi || off >= mr->size)
        return;
    /* A cycle of aliases/containers would recurse forever; refuse it. */
    if (depth > 64) {
        error_report("memory: region '%s' nests too deeply (alias loop?)", mr->name);
        b->error = -ELOOP;
        return;
    }
    if (hi - lo > mr->size - off)
        hi = lo + (mr->size - off);

    switch (mr->kind) {
    case MR_RAM:
    case MR_ROM:
    case MR_MMIO:
        paint(b, lo, hi, mr, off);
        break;
    case MR_ALIAS:
        if (mr->alias && off <= UINT64_MAX - mr->alias_offset)
            render(b, mr->alias, lo, hi, mr->alias_offset + off, depth + 1);
        break;
    case MR_CONTAINER:
        for (struct mem_subregion *s = mr->children; s; s = s->next) {
            uint64_t c_lo = s->addr, c_hi = s->addr + s->mr->size;
            uint64_t w_lo = off, w_hi = off + (hi - lo);
            uint64_t o1 = c_lo > w_lo ? c_lo : w_lo;
            uint64_t o2 = c_hi < w_hi ? c_hi : w_hi;
            if (o1 < o2)
                render(b, s->mr, lo + (o1 - off), lo + (o2 - off), o1 - c_lo, depth + 1);
        }
        break;
    }
}

/* Join neighbours that continue the same region: fewer ranges, longer host_ptr spans. */
static void builder_merge(struct flat_builder *b)
{
    size_t out = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (out) {
            struct flat_range *p = &b->r[out - 1];
            if (p->mr == b->r[i].mr && p->start + p->size == b->r[i].start &&
                p->offset + p->size == b->r[i].offset) {
                p->size += b->r[i].size;
                continue;
            }
        }
        b->r[out++] = b->r[i];
    }
    b->n = out;
}

/* Rebuild as's view; with only_if_changed, an identical view is not re-announced. */
static int as_rebuild(struct address_space *as, bool only_if_changed)
{
    struct flat_builder b = {0};
    if (as->root)
        render(&b, as->root, 0, as->root->size, 0, 0);
    if (b.error) {
        free(b.r);
        return b.error;
    }
    builder_merge(&b);
    if (only_if_changed && b.n == as->nranges &&
        (b.n == 0 || memcmp(b.r, as->ranges, b.n * sizeof(*b.r)) == 0)) {
        free(b.r);
        return 0;
    }
    free(as->ranges);
    as->ranges = b.r;
    as->nranges = b.n;
    as->generation++;
    for (struct mem_listener *l = as->listeners; l; l = l->next)
        l->commit(l, as);
    return 0;
}

int address_space_commit(struct address_space *as)
{
    return as_rebuild(as, false);
}

/* The tree under mr changed: re-commit the address space whose root holds it. */
static int region_changed(struct mem_region *mr)
{
    while (mr->parent)
        mr = mr->parent;
    if (!mr->owner_as)
        return 0;
    return as_rebuild(mr->owner_as, true);
}

static void subregion_unlink(struct mem_region *container, struct mem_region *child)
{
    for (struct mem_subregion **pp = &container->children; *pp; pp = &(*pp)->next) {
        if ((*pp)->mr == child) {
            struct mem_subregion *s = *pp;
            *pp = s->next;
            free(s);
            child->parent = NULL;
            return;
        }
    }
}

int mem_region_add_subregion(struct mem_region *container, uint64_t addr, struct mem_region *child,
                             int priority)
{
    if (container->kind != MR_CONTAINER || child == container || child->parent || child->owner_as ||
        child->size > container->size || addr > container->size - child->size)
        return -EINVAL;
    struct mem_subregion *s = malloc(sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->mr = child;
    s->addr = addr;
    s->priority = priority;
    /* Before the first sibling it beats: equal priority goes to the newcomer. */
    struct mem_subregion **pp = &container->children;
    while (*pp && (*pp)->priority > priority)
        pp = &(*pp)->next;
    s->next = *pp;
    *pp = s;
    child->parent = container;
    int ret = region_changed(container);
    if (ret < 0) {
        subregion_unlink(container, child);
        region_changed(container);
    }
    return ret;
}

void mem_region_del_subregion(struct mem_region *container, struct mem_region *child)
{
    if (child->parent != container)
        return;
    subregion_unlink(container, child);
    if (region_changed(container) < 0)
        error_report("memory: cannot rebuild the map after removing '%s'", child->name);
}

void mem_region_destroy(struct mem_region *mr)
{
    if (mr->parent)
        mem_region_del_subregion(mr->parent, mr);
    while (mr->children) {
        struct mem_subregion *s = mr->children;
        mr->children = s->next;
        s->mr->parent = NULL;
        free(s);
    }
    if (mr->ram) {
        if (mr->ram->host)
            plat_ram_free(mr->ram->host, mr->ram->size);
        free(mr->ram->code_map);
        free(mr->ram->dirty);
        free(mr->ram);
        mr->ram = NULL;
    }
}

void address_space_init(struct address_space *as, struct mem_region *root, const char *name)
{
    memset(as, 0, sizeof(*as));
    as->name = name;
    as->root = root;
    if (root)
        root->owner_as = as;
    if (address_space_commit(as) < 0)
        error_report("memory: cannot build the map of %s", name);
}

void address_space_destroy(struct address_space *as)
{
    if (as->root && as->root->owner_as == as)
        as->root->owner_as = NULL;
    free(as->ranges);
    as->ranges = NULL;
    as->nranges = 0;
    as->listeners = NULL;
}

void address_space_add_listener(struct address_space *as, struct mem_listener *l)
{
    struct mem_listener **pp = &as->listeners;
    while (*pp)
        pp = &(*pp)->next;
    l->next = NULL;
    *pp = l;
}

void address_space_del_listener(struct address_space *as, struct mem_listener *l)
{
    for (struct mem_listener **pp = &as->listeners; *pp; pp = &(*pp)->next) {
        if (*pp == l) {
            *pp = l->next;
            l->next = NULL;
            return;
        }
    }
}

const struct flat_range *address_space_lookup(const struct address_space *as, uint64_t addr)
{
    size_t i = ranges_lower_bound(as->ranges, as->nranges, addr);
    if (i < as->nranges && as->ranges[i].start <= addr)
        return &as->ranges[i];
    return NULL;
}

/* ---- dirty logging and code invalidation ---- */

static mem_code_write_fn code_write_hook;
static void *code_write_opaque;

void mem_set_code_write_hook(mem_code_write_fn fn, void *opaque)
{
    code_write_hook = fn;
    code_write_opaque = opaque;
}

void mem_notify_write(struct ram_block *rb, uint64_t offset, uint64_t len)
{
    if (!len || offset >= rb->size)
        return;
    if (len > rb->size - offset)
        len = rb->size - offset;
    uint64_t first = offset >> MEM_PAGE_BITS, last = (offset + len - 1) >> MEM_PAGE_BITS;
    bool code = false;
    size_t longbits = 8 * sizeof(unsigned long);
    for (uint64_t p = first; p <= last; p++) {
        if (rb->dirty_log && rb->dirty)
            rb->dirty[p / longbits] |= 1ul << (p % longbits);
        if (rb->code_map && rb->code_map[p])
            code = true;
    }
    if (code && code_write_hook)
        code_write_hook(code_write_opaque, rb, offset, len);
}

/* ---- MMIO dispatch ---- */

static inline uint64_t size_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

static void mmio_limits(const struct mem_region_ops *ops, unsigned *min, unsigned *max)
{
    *min = ops->min_access ? ops->min_access : 1;
    *max = ops->max_access ? ops->max_access : 8;
    if (*max < *min)
        *max = *min;
}

static uint64_t mmio_read(struct mem_region *mr, uint64_t off, unsigned size)
{
    const struct mem_region_ops *ops = mr->ops;
    unsigned min, max;
    if (!ops || !ops->read)
        return 0;
    mmio_limits(ops, &min, &max);
    if (size >= min && size <= max)
        return ops->read(mr->opaque, off, size) & size_mask(size);
    uint64_t v = 0;
    if (size > max) {
        for (unsigned i = 0; i < size; i += max) {
            unsigned piece = size - i < max ? size - i : max;
            v |= mmio_read(mr, off + i, piece) << (8 * i);
        }
        return v;
    }
    uint64_t base = off & ~(uint64_t)(min - 1);
    unsigned shift = off - base;
    if (shift + size <= min)
        return (ops->read(mr->opaque, base, min) >> (8 * shift)) & size_mask(size);
    /* Unaligned across two device units: assemble it a byte at a time. */
    for (unsigned i = 0; i < size; i++)
        v |= mmio_read(mr, off + i, 1) << (8 * i);
    return v;
}

static void mmio_write(struct mem_region *mr, uint64_t off, unsigned size, uint64_t v)
{
    const struct mem_region_ops *ops = mr->ops;
    unsigned min, max;
    if (!ops || !ops->write)
        return;
    mmio_limits(ops, &min, &max);
    v &= size_mask(size);
    if (size >= min && size <= max) {
        ops->write(mr->opaque, off, v, size);
        return;
    }
    if (size > max) {
        for (unsigned i = 0; i < size; i += max) {
            unsigned piece = size - i < max ? size - i : max;
            mmio_write(mr, off + i, piece, v >> (8 * i));
        }
        return;
    }
    uint64_t base = off & ~(uint64_t)(min - 1);
    unsigned shift = off - base;
    if (shift + size <= min) {
        uint64_t old = ops->read ? ops->read(mr->opaque, base, min) : 0;
        uint64_t m = size_mask(size) << (8 * shift);
        ops->write(mr->opaque, base, ((old & ~m) | (v << (8 * shift))) & size_mask(min), min);
        return;
    }
    for (unsigned i = 0; i < size; i++)
        mmio_write(mr, off + i, 1, v >> (8 * i));
}

/* Largest naturally aligned access of at most 8 bytes starting at addr within len. */
static unsigned chunk_size(uint64_t addr, uint64_t len)
{
    unsigned s = 8;
    while (s > 1 && ((addr & (s - 1)) || s > len))
        s >>= 1;
    return s;
}

/* ---- single accesses ---- */

enum memtx address_space_load(struct address_space *as, uint64_t addr, unsigned size, uint64_t *val)
{
    if (size - 1 >= 8) {
        *val = UINT64_MAX;
        return MEMTX_ERROR;
    }
    const struct flat_range *fr = address_space_lookup(as, addr);
    if (!fr) {
        log_guest_error("%s: read of %u bytes at unmapped 0x%" PRIx64, as->name, size, addr);
        *val = UINT64_MAX;
        return MEMTX_DECODE_ERROR;
    }
    uint64_t rel = addr - fr->start;
    if (size > fr->size - rel) {
        /* Straddles two ranges: each byte goes where it belongs. */
        uint64_t v = 0;
        enum memtx ret = MEMTX_OK;
        for (unsigned i = 0; i < size; i++) {
            uint64_t b;
            enum memtx r = address_space_load(as, addr + i, 1, &b);
            if (r != MEMTX_OK)
                ret = r;
            v |= (b & 0xff) << (8 * i);
        }
        *val = ret == MEMTX_OK ? v : UINT64_MAX;
        return ret;
    }
    struct mem_region *mr = fr->mr;
    uint64_t off = fr->offset + rel;
    if (mr->kind == MR_MMIO) {
        *val = mmio_read(mr, off, size);
    } else {
        uint64_t v = 0;
        memcpy(&v, mr->ram->host + off, size); /* the host is little-endian */
        *val = v;
    }
    return MEMTX_OK;
}

enum memtx address_space_store(struct address_space *as, uint64_t addr, unsigned size, uint64_t val)
{
    if (size - 1 >= 8)
        return MEMTX_ERROR;
    const struct flat_range *fr = address_space_lookup(as, addr);
    if (!fr) {
        log_guest_error("%s: write of %u bytes (0x%" PRIx64 ") at unmapped 0x%" PRIx64, as->name,
                        size, val & size_mask(size), addr);
        return MEMTX_DECODE_ERROR;
    }
    uint64_t rel = addr - fr->start;
    if (size > fr->size - rel) {
        enum memtx ret = MEMTX_OK;
        for (unsigned i = 0; i < size; i++) {
            enum memtx r = address_space_store(as, addr + i, 1, val >> (8 * i));
            if (r != MEMTX_OK)
                ret = r;
        }
        return ret;
    }
    struct mem_region *mr = fr->mr;
    uint64_t off = fr->offset + rel;
    switch (mr->kind) {
    case MR_MMIO:
        mmio_write(mr, off, size, val);
        break;
    case MR_RAM:
        memcpy(mr->ram->host + off, &val, size);
        mem_notify_write(mr->ram, off, size);
        break;
    default:
        log_guest_error("%s: write of %u bytes to ROM '%s' at 0x%" PRIx64 " dropped", as->name,
                        size, mr->name, addr);
        break;
    }
    return MEMTX_OK;
}

/* ---- byte copies ---- */

/* Bytes from addr up to the next mapped range (or len), for skipping a hole at once. */
static uint64_t hole_len(const struct address_space *as, uint64_t addr, uint64_t len)
{
    size_t i = ranges_lower_bound(as->ranges, as->nranges, addr);
    if (i < as->nranges && as->ranges[i].start - addr < len)
        return as->ranges[i].start - addr;
    return len;
}

enum memtx address_space_read(struct address_space *as, uint64_t addr, void *buf, uint64_t len)
{
    uint8_t *p = buf;
    enum memtx ret = MEMTX_OK;
    while (len) {
        const struct flat_range *fr = address_space_lookup(as, addr);
        uint64_t n;
        if (!fr) {
            n = hole_len(as, addr, len);
            log_guest_error("%s: read of %" PRIu64 " bytes at unmapped 0x%" PRIx64, as->name, n,
                            addr);
            memset(p, 0xff, n);
            ret = MEMTX_DECODE_ERROR;
        } else {
            uint64_t rel = addr - fr->start, off = fr->offset + rel;
            n = fr->size - rel < len ? fr->size - rel : len;
            if (fr->mr->kind == MR_MMIO) {
                n = chunk_size(addr, n);
                uint64_t v = mmio_read(fr->mr, off, n);
                memcpy(p, &v, n);
            } else {
                memcpy(p, fr->mr->ram->host + off, n);
            }
        }
        p += n;
        addr += n;
        len -= n;
    }
    return ret;
}

static enum memtx as_write(struct address_space *as, uint64_t addr, const void *buf, uint64_t len,
                           bool rom)
{
    const uint8_t *p = buf;
    enum memtx ret = MEMTX_OK;
    while (len) {
        const struct flat_range *fr = address_space_lookup(as, addr);
        uint64_t n;
        if (!fr) {
            n = hole_len(as, addr, len);
            log_guest_error("%s: write of %" PRIu64 " bytes at unmapped 0x%" PRIx64, as->name, n,
                            addr);
            ret = MEMTX_DECODE_ERROR;
        } else {
            struct mem_region *mr = fr->mr;
            uint64_t rel = addr - fr->start, off = fr->offset + rel;
            n = fr->size - rel < len ? fr->size - rel : len;
            if (mr->kind == MR_MMIO) {
                n = chunk_size(addr, n);
                uint64_t v = 0;
                memcpy(&v, p, n);
                mmio_write(mr, off, n, v);
            } else if (mr->kind == MR_RAM || rom) {
                memcpy(mr->ram->host + off, p, n);
                mem_notify_write(mr->ram, off, n);
            } else {
                log_guest_error("%s: write of %" PRIu64 " bytes to ROM '%s' at 0x%" PRIx64
                                " dropped",
                                as->name, n, mr->name, addr);
            }
        }
        p += n;
        addr += n;
        len -= n;
    }
    return ret;
}

enum memtx address_space_write(struct address_space *as, uint64_t addr, const void *buf,
                               uint64_t len)
{
    return as_write(as, addr, buf, len, false);
}

enum memtx address_space_write_rom(struct address_space *as, uint64_t addr, const void *buf,
                                   uint64_t len)
{
    return as_write(as, addr, buf, len, true);
}

void *address_space_host_ptr(struct address_space *as, uint64_t addr, uint64_t len, bool write)
{
    const struct flat_range *fr = address_space_lookup(as, addr);
    if (!fr)
        return NULL;
    struct mem_region *mr = fr->mr;
    if (mr->kind != MR_RAM && (mr->kind != MR_ROM || write))
        return NULL;
    uint64_t rel = addr - fr->start;
    if (len > fr->size - rel)
        return NULL;
    return mr->ram->host + fr->offset + rel;
}

struct ram_block *address_space_ram_block(struct address_space *as, uint64_t addr, uint64_t *offset)
{
    const struct flat_range *fr = address_space_lookup(as, addr);
    if (!fr || (fr->mr->kind != MR_RAM && fr->mr->kind != MR_ROM))
        return NULL;
    if (offset)
        *offset = fr->offset + (addr - fr->start);
    return fr->mr->ram;
}
