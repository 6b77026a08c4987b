/*
 * memory.h - guest address spaces.
 *
 * A machine builds a tree of regions (RAM, ROM, MMIO, aliases, containers);
 * address_space_commit() flattens it into a sorted array of ranges that
 * lookups binary-search. Device callbacks get an offset into their own
 * region, never an absolute address: the board decides placement.
 *
 * Unmapped reads return all-ones and unmapped writes are dropped; both are
 * logged as guest errors and reported to the caller as MEMTX_DECODE_ERROR so
 * a CPU model may raise an access fault instead.
 */
#ifndef EMU_MEMORY_H
#define EMU_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEM_PAGE_BITS 12
#define MEM_PAGE_SIZE (1ull << MEM_PAGE_BITS)

enum memtx {
    MEMTX_OK = 0,
    MEMTX_DECODE_ERROR = 1, /* nothing mapped there */
    MEMTX_ERROR = 2,        /* the device refused the access */
};

struct mem_region_ops {
    /* size is 1, 2, 4 or 8 and lies within [min_access, max_access]. */
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
    /*
     * Access sizes the device implements (0 means 1 and 8). Wider accesses
     * are split into little-endian pieces of max_access; narrower ones are
     * widened to min_access with the other bytes masked (read) or
     * read-modify-written (write).
     */
    unsigned min_access, max_access;
};

enum mem_region_kind { MR_CONTAINER, MR_RAM, MR_ROM, MR_MMIO, MR_ALIAS };

/* Backing store of one RAM/ROM region; dirty bitmaps live here. */
struct ram_block {
    uint8_t *host;
    uint64_t size;
    const char *name;
    /*
     * One byte per page, non-zero where a CPU has translated code. Allocated
     * (zeroed) with the block, like dirty; the CPU sets and clears entries. Writes
     * through address_space_write()/store() to such pages call the code
     * write hook so the translation cache can drop stale blocks. A CPU's own
     * fast path never maps such pages writable (see the target's TLB).
     */
    uint8_t *code_map;
    /* One bit per page, set on write while dirty logging is on (migration). */
    unsigned long *dirty;
    bool dirty_log;
};

/* A container's child: where it sits and how it ranks against its siblings. */
struct mem_subregion {
    struct mem_region *mr;
    uint64_t addr;
    int priority;
    struct mem_subregion *next;
};

struct mem_region {
    const char *name;
    enum mem_region_kind kind;
    uint64_t size;
    /* MR_RAM, MR_ROM */
    struct ram_block *ram;
    /* MR_MMIO */
    const struct mem_region_ops *ops;
    void *opaque;
    /* MR_ALIAS */
    struct mem_region *alias;
    uint64_t alias_offset;
    /*
     * MR_CONTAINER: children in precedence order, the winner first: higher
     * priority first and, at equal priority, the later-added first.
     */
    struct mem_subregion *children;
    struct mem_region *parent;      /* the container this region is placed in */
    struct address_space *owner_as; /* set on a root, for commit on change */
};

/* One piece of the flattened map: [start, start+size) maps to mr at offset. */
struct flat_range {
    uint64_t start;
    uint64_t size;
    struct mem_region *mr; /* terminal: RAM, ROM or MMIO */
    uint64_t offset;       /* offset within mr (aliases already resolved) */
};

struct address_space;

/* Told after every commit; accelerators resync slots, CPUs flush TLBs. */
struct mem_listener {
    void (*commit)(struct mem_listener *l, struct address_space *as);
    struct mem_listener *next;
};

struct address_space {
    const char *name;
    struct mem_region *root;
    struct flat_range *ranges; /* sorted, non-overlapping */
    size_t nranges;
    uint64_t generation; /* bumped on each commit */
    struct mem_listener *listeners;
};

/*
 * Region constructors. The region struct is owned by the caller (usually a
 * device's state). RAM/ROM allocation returns -ENOMEM on failure; the
 * others cannot fail.
 */
int mem_region_init_ram(struct mem_region *mr, const char *name, uint64_t size);
int mem_region_init_rom(struct mem_region *mr, const char *name, uint64_t size);
void mem_region_init_io(struct mem_region *mr, const char *name, const struct mem_region_ops *ops,
                        void *opaque, uint64_t size);
void mem_region_init_alias(struct mem_region *mr, const char *name, struct mem_region *target,
                           uint64_t offset, uint64_t size);
void mem_region_init_container(struct mem_region *mr, const char *name, uint64_t size);

/* Host pointer of a RAM/ROM region's first byte (NULL for other kinds). */
uint8_t *mem_region_host(struct mem_region *mr);

/*
 * Place child at addr in container. Higher priority wins where regions
 * overlap; at equal priority the later one wins. Returns -EINVAL if the
 * child does not fit in the container or is already placed, -ENOMEM. If the
 * container is (inside) an address space's root, that space is re-committed
 * (only if its map changed). A container that is reachable only through an
 * alias is not followed back: after changing one, call address_space_commit().
 */
int mem_region_add_subregion(struct mem_region *container, uint64_t addr, struct mem_region *child,
                             int priority);
void mem_region_del_subregion(struct mem_region *container, struct mem_region *child);

/* Free what a RAM/ROM region allocated. */
void mem_region_destroy(struct mem_region *mr);

void address_space_init(struct address_space *as, struct mem_region *root, const char *name);
void address_space_destroy(struct address_space *as);

/* Rebuild the flat map from the region tree and notify listeners. */
int address_space_commit(struct address_space *as);

void address_space_add_listener(struct address_space *as, struct mem_listener *l);
void address_space_del_listener(struct address_space *as, struct mem_listener *l);

/* Binary search: the range containing addr, or NULL if unmapped. */
const struct flat_range *address_space_lookup(const struct address_space *as, uint64_t addr);

/*
 * One access of size 1, 2, 4 or 8 bytes (little-endian value). MMIO goes to
 * the device (split or widened as its ops require); RAM is copied; a write
 * to ROM is dropped and logged. Returns MEMTX_*; *val is all-ones on error.
 */
enum memtx address_space_load(struct address_space *as, uint64_t addr, unsigned size, uint64_t *val);
enum memtx address_space_store(struct address_space *as, uint64_t addr, unsigned size, uint64_t val);

/*
 * Byte copies of any length that may cross regions (DMA, loaders, dumps).
 * Returns MEMTX_OK only if every byte was mapped. address_space_write to a
 * ROM is dropped unless via address_space_write_rom() (image loaders).
 */
enum memtx address_space_read(struct address_space *as, uint64_t addr, void *buf, uint64_t len);
enum memtx address_space_write(struct address_space *as, uint64_t addr, const void *buf, uint64_t len);
enum memtx address_space_write_rom(struct address_space *as, uint64_t addr, const void *buf,
                                   uint64_t len);

/*
 * Direct host pointer for [addr, addr+len) if it lies wholly within one RAM
 * region (or ROM when !write), else NULL. A writer must call
 * mem_notify_write() afterwards for code invalidation and dirty logging.
 */
void *address_space_host_ptr(struct address_space *as, uint64_t addr, uint64_t len, bool write);

/* The RAM block and offset holding addr, or NULL. */
struct ram_block *address_space_ram_block(struct address_space *as, uint64_t addr, uint64_t *offset);

/*
 * Record a write of len bytes at offset into rb: sets dirty bits if
 * logging, and calls the code write hook for pages with translated code.
 */
void mem_notify_write(struct ram_block *rb, uint64_t offset, uint64_t len);

/* The translation cache's invalidation hook (one per process: one CPU arch). */
typedef void (*mem_code_write_fn)(void *opaque, struct ram_block *rb, uint64_t offset, uint64_t len);
void mem_set_code_write_hook(mem_code_write_fn fn, void *opaque);

#endif
