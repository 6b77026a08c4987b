/*
 * test-memory.c - region trees, flat views and accesses.
 */
#include <errno.h>
#include <string.h>

#include "emu-core/memory.h"
#include "tests/unit/check.h"

/* A device that records every callback so splitting and widening can be checked. */
struct rec_dev {
    struct {
        char op;
        uint64_t off, val;
        unsigned size;
    } log[32];
    int n;
    uint8_t regs[64];
};

static uint64_t rec_read(void *opaque, uint64_t off, unsigned size)
{
    struct rec_dev *d = opaque;
    uint64_t v = 0;
    memcpy(&v, d->regs + off, size);
    if (d->n < 32)
        d->log[d->n++] = (typeof(d->log[0])){'r', off, v, size};
    return v;
}

static void rec_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct rec_dev *d = opaque;
    memcpy(d->regs + off, &val, size);
    if (d->n < 32)
        d->log[d->n++] = (typeof(d->log[0])){'w', off, val, size};
}

static const struct mem_region_ops ops_any = {.read = rec_read, .write = rec_write};
static const struct mem_region_ops ops_32 = {
    .read = rec_read, .write = rec_write, .min_access = 4, .max_access = 4};

static int hook_calls;
static uint64_t hook_off, hook_len;
static void code_hook(void *opaque, struct ram_block *rb, uint64_t off, uint64_t len)
{
    (void)opaque;
    (void)rb;
    hook_calls++;
    hook_off = off;
    hook_len = len;
}

static int listener_calls;
static void on_commit(struct mem_listener *l, struct address_space *as)
{
    (void)l;
    (void)as;
    listener_calls++;
}

/* Region and offset in it that addr resolves to (offset UINT64_MAX if unmapped). */
static struct mem_region *resolve(struct address_space *as, uint64_t addr, uint64_t *off)
{
    const struct flat_range *fr = address_space_lookup(as, addr);
    *off = fr ? fr->offset + (addr - fr->start) : UINT64_MAX;
    return fr ? fr->mr : NULL;
}

static uint64_t ld(struct address_space *as, uint64_t addr, unsigned size)
{
    uint64_t v;
    address_space_load(as, addr, size, &v);
    return v;
}

static void test_basic_and_priority(void)
{
    struct mem_region root, ram, io, hi, eq1, eq2;
    struct address_space as;
    struct rec_dev dev = {0};
    uint64_t off;
    mem_region_init_container(&root, "root", UINT64_MAX);
    address_space_init(&as, &root, "mem");
    CHECK_EQ(as.nranges, 0);

    struct mem_listener l = {.commit = on_commit};
    address_space_add_listener(&as, &l);
    uint64_t gen = as.generation;

    CHECK_EQ(mem_region_init_ram(&ram, "ram", 0x10000), 0);
    CHECK_EQ(mem_region_add_subregion(&root, 0x80000000, &ram, 0), 0);
    CHECK(as.generation > gen);
    CHECK_EQ(listener_calls, 1);
    CHECK_EQ(mem_region_add_subregion(&root, 0, &ram, 0), -EINVAL); /* already placed */

    /* RAM, little-endian. */
    CHECK_EQ(address_space_store(&as, 0x80000010, 4, 0x11223344), MEMTX_OK);
    CHECK_EQ(mem_region_host(&ram)[0x10], 0x44);
    CHECK_EQ(ld(&as, 0x80000011, 2), 0x2233);
    CHECK_EQ(ld(&as, 0x80000010, 8), 0x11223344);

    /* Higher priority MMIO punches a hole in RAM; lower priority hides. */
    mem_region_init_io(&io, "io", &ops_any, &dev, 0x1000);
    CHECK_EQ(mem_region_add_subregion(&root, 0x80001000, &io, 1), 0);
    CHECK_EQ(as.nranges, 3);
    const struct flat_range *fr = address_space_lookup(&as, 0x80001004);
    CHECK(fr && fr->mr == &io && fr->offset == 0);
    fr = address_space_lookup(&as, 0x80002004);
    CHECK(fr && fr->mr == &ram && fr->start == 0x80002000 && fr->offset == 0x2000);
    mem_region_init_io(&hi, "low", &ops_any, &dev, 0x100);
    CHECK_EQ(mem_region_add_subregion(&root, 0x80003000, &hi, -1), 0);
    fr = address_space_lookup(&as, 0x80003000);
    CHECK(fr && fr->mr == &ram);

    /* Equal priority: the later one wins. */
    mem_region_init_io(&eq1, "eq1", &ops_any, &dev, 0x100);
    mem_region_init_io(&eq2, "eq2", &ops_any, &dev, 0x100);
    CHECK_EQ(mem_region_add_subregion(&root, 0x1000, &eq1, 0), 0);
    CHECK_EQ(mem_region_add_subregion(&root, 0x1080, &eq2, 0), 0);
    CHECK(resolve(&as, 0x1090, &off) == &eq2);
    CHECK_EQ(off, 0x10);
    CHECK(resolve(&as, 0x1070, &off) == &eq1);
    CHECK_EQ(off, 0x70);

    /* Sorted and non-overlapping. */
    for (size_t i = 1; i < as.nranges; i++)
        CHECK(as.ranges[i - 1].start + as.ranges[i - 1].size <= as.ranges[i].start);

    /* Deleting re-commits; the RAM beneath shows again. */
    int calls = listener_calls;
    mem_region_del_subregion(&root, &io);
    CHECK(listener_calls > calls);
    CHECK(resolve(&as, 0x80001004, &off) == &ram);
    CHECK_EQ(off, 0x1004);
    CHECK_EQ(as.nranges, 3); /* ram merged back into one range + eq1 + eq2 */

    /* Doesn't fit. */
    struct mem_region small, big;
    mem_region_init_container(&small, "small", 0x100);
    mem_region_init_io(&big, "big", &ops_any, &dev, 0x80);
    CHECK_EQ(mem_region_add_subregion(&small, 0x81, &big, 0), -EINVAL);
    CHECK_EQ(mem_region_add_subregion(&small, 0x80, &big, 0), 0);

    address_space_del_listener(&as, &l);
    mem_region_destroy(&small);
    mem_region_destroy(&ram);
    mem_region_destroy(&root);
    address_space_destroy(&as);
}

static void test_alias_container(void)
{
    struct mem_region root, ram, alias, sub, subram, subalias, hole_low;
    struct address_space as;
    struct rec_dev dev = {0};
    uint64_t off;
    mem_region_init_container(&root, "root", 1ull << 40);
    address_space_init(&as, &root, "mem");
    CHECK_EQ(mem_region_init_ram(&ram, "ram", 0x10000), 0);
    CHECK_EQ(mem_region_add_subregion(&root, 0, &ram, 0), 0);
    mem_region_init_alias(&alias, "alias", &ram, 0x2000, 0x1000);
    CHECK_EQ(mem_region_add_subregion(&root, 0x100000, &alias, 0), 0);
    const struct flat_range *fr = address_space_lookup(&as, 0x100010);
    CHECK(fr && fr->mr == &ram && fr->start == 0x100000 && fr->offset == 0x2000 &&
          fr->size == 0x1000);
    CHECK(!address_space_lookup(&as, 0x101000));
    CHECK_EQ(address_space_store(&as, 0x100008, 8, 0x0102030405060708ull), MEMTX_OK);
    CHECK_EQ(ld(&as, 0x2008, 8), 0x0102030405060708ull);

    /* A container at high priority lets the lower sibling show through its holes. */
    mem_region_init_container(&sub, "sub", 0x4000);
    CHECK_EQ(mem_region_init_ram(&subram, "subram", 0x1000), 0);
    CHECK_EQ(mem_region_add_subregion(&sub, 0x1000, &subram, 0), 0);
    CHECK_EQ(mem_region_add_subregion(&root, 0x4000, &sub, 5), 0);
    CHECK(resolve(&as, 0x5800, &off) == &subram);
    CHECK_EQ(off, 0x800);
    CHECK(resolve(&as, 0x4800, &off) == &ram);
    CHECK_EQ(off, 0x4800);
    /* Adding inside a placed container re-commits the address space. */
    mem_region_init_io(&hole_low, "io", &ops_any, &dev, 0x100);
    CHECK_EQ(mem_region_add_subregion(&sub, 0x0, &hole_low, 0), 0);
    CHECK(resolve(&as, 0x4010, &off) == &hole_low);
    CHECK_EQ(off, 0x10);

    /* Alias into a container, partially covering: offsets resolve through both. */
    mem_region_init_alias(&subalias, "subalias", &sub, 0xf00, 0x200);
    CHECK_EQ(mem_region_add_subregion(&root, 0x200000, &subalias, 0), 0);
    fr = address_space_lookup(&as, 0x200000);
    CHECK(!fr); /* sub's hole at 0xf00 */
    fr = address_space_lookup(&as, 0x200100);
    CHECK(fr && fr->mr == &subram && fr->offset == 0 && fr->start == 0x200100 && fr->size == 0x100);
    CHECK_EQ(address_space_ram_block(&as, 0x200104, NULL), subram.ram);
    CHECK_EQ(address_space_ram_block(&as, 0x200104, &off), subram.ram);
    CHECK_EQ(off, 4);
    mem_region_destroy(&subalias);
    mem_region_destroy(&hole_low);
    mem_region_destroy(&subram);
    mem_region_destroy(&sub);
    mem_region_destroy(&alias);
    mem_region_destroy(&ram);
    address_space_destroy(&as);
}

static void test_mmio_sizes(void)
{
    struct mem_region root, io, io32, ram;
    struct address_space as;
    struct rec_dev d1 = {0}, d2 = {0};
    mem_region_init_container(&root, "root", 1ull << 32);
    address_space_init(&as, &root, "mem");
    mem_region_init_io(&io, "any", &ops_any, &d1, 0x40);
    mem_region_init_io(&io32, "io32", &ops_32, &d2, 0x40);
    CHECK_EQ(mem_region_init_ram(&ram, "ram", 0x1000), 0);
    CHECK_EQ(mem_region_add_subregion(&root, 0x1000, &io, 0), 0);
    CHECK_EQ(mem_region_add_subregion(&root, 0x2000, &io32, 0), 0);
    CHECK_EQ(mem_region_add_subregion(&root, 0x2040, &ram, 0), 0);

    /* Any size: passed through with the offset into the device. */
    CHECK_EQ(address_space_store(&as, 0x1008, 8, 0x1122334455667788ull), MEMTX_OK);
    CHECK_EQ(d1.n, 1);
    CHECK(d1.log[0].op == 'w' && d1.log[0].off == 8 && d1.log[0].size == 8);

    /* 8-byte load from a 32-bit device: two little-endian halves. */
    memcpy(d2.regs + 8, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    CHECK_EQ(ld(&as, 0x2008, 8), 0x0807060504030201ull);
    CHECK_EQ(d2.n, 2);
    CHECK(d2.log[0].off == 8 && d2.log[0].size == 4 && d2.log[1].off == 12 && d2.log[1].size == 4);

    /* 1-byte load widened to the aligned word and shifted. */
    d2.n = 0;
    CHECK_EQ(ld(&as, 0x200a, 1), 0x03);
    CHECK_EQ(d2.n, 1);
    CHECK(d2.log[0].op == 'r' && d2.log[0].off == 8 && d2.log[0].size == 4);

    /* 2-byte store widened: read-modify-write of the word. */
    d2.n = 0;
    CHECK_EQ(address_space_store(&as, 0x2009, 2, 0xbbaa), MEMTX_OK);
    CHECK_EQ(d2.n, 2);
    CHECK(d2.log[0].op == 'r' && d2.log[1].op == 'w' && d2.log[1].off == 8 && d2.log[1].size == 4 &&
          d2.log[1].val == 0x04bbaa01);

    /* 8-byte store split. */
    d2.n = 0;
    CHECK_EQ(address_space_store(&as, 0x2010, 8, 0xdeadbeefcafef00dull), MEMTX_OK);
    CHECK_EQ(d2.n, 2);
    CHECK(d2.log[0].val == 0xcafef00d && d2.log[0].off == 0x10 && d2.log[1].val == 0xdeadbeef &&
          d2.log[1].off == 0x14);

    /* A load straddling MMIO (last word) and RAM splits byte-wise. */
    memcpy(d2.regs + 0x3c, "\xa1\xa2\xa3\xa4", 4);
    mem_region_host(&ram)[0] = 0xb1;
    mem_region_host(&ram)[1] = 0xb2;
    CHECK_EQ(ld(&as, 0x203e, 4), 0xb2b1a4a3);
    CHECK_EQ(address_space_store(&as, 0x203f, 2, 0xeeff), MEMTX_OK);
    CHECK_EQ(d2.regs[0x3f], 0xff);
    CHECK_EQ(mem_region_host(&ram)[0], 0xee);

    /* Unmapped: all-ones and a decode error, also for the part of a straddle. */
    uint64_t v = 0;
    CHECK_EQ(address_space_load(&as, 0x9000, 4, &v), MEMTX_DECODE_ERROR);
    CHECK_EQ(v, UINT64_MAX);
    CHECK_EQ(address_space_store(&as, 0x9000, 4, 1), MEMTX_DECODE_ERROR);
    CHECK_EQ(address_space_load(&as, 0x103e, 4, &v), MEMTX_DECODE_ERROR);
    CHECK_EQ(v, UINT64_MAX);

    /* Byte copies across MMIO, RAM and a hole. */
    uint8_t buf[0x50];
    memset(buf, 0, sizeof(buf));
    CHECK_EQ(address_space_read(&as, 0x2000, buf, 0x48), MEMTX_OK);
    CHECK_EQ(buf[0x3f], 0xff);
    CHECK_EQ(buf[0x40], 0xee);
    CHECK_EQ(address_space_read(&as, 0x1038, buf, 0x10), MEMTX_DECODE_ERROR);
    CHECK_EQ(buf[0xf], 0xff);
    CHECK_EQ(buf[0], d1.regs[0x38]);

    mem_region_destroy(&ram);
    mem_region_destroy(&root);
    address_space_destroy(&as);
}

static void test_rom_dirty_code(void)
{
    struct mem_region root, rom, ram;
    struct address_space as;
    mem_region_init_container(&root, "root", 1ull << 32);
    address_space_init(&as, &root, "mem");
    CHECK_EQ(mem_region_init_rom(&rom, "rom", 0x2000), 0);
    CHECK_EQ(mem_region_init_ram(&ram, "ram", 0x10000), 0);
    CHECK_EQ(mem_region_add_subregion(&root, 0x1000, &rom, 0), 0);
    CHECK_EQ(mem_region_add_subregion(&root, 0x10000, &ram, 0), 0);

    CHECK_EQ(address_space_write_rom(&as, 0x1000, "firmware", 8), MEMTX_OK);
    CHECK_EQ(ld(&as, 0x1000, 1), 'f');
    CHECK_EQ(address_space_store(&as, 0x1000, 1, 'X'), MEMTX_OK);
    CHECK_EQ(ld(&as, 0x1000, 1), 'f');
    CHECK_EQ(address_space_write(&as, 0x1000, "Y", 1), MEMTX_OK);
    CHECK_EQ(ld(&as, 0x1000, 1), 'f');
    CHECK(address_space_host_ptr(&as, 0x1000, 8, false) == mem_region_host(&rom));
    CHECK(!address_space_host_ptr(&as, 0x1000, 8, true));
    CHECK(address_space_host_ptr(&as, 0x10010, 0x100, true) == mem_region_host(&ram) + 0x10);
    CHECK(!address_space_host_ptr(&as, 0x1fff0, 0x20, true));
    CHECK(!address_space_host_ptr(&as, 0x5000, 1, false));

    /* Dirty bits only while logging. */
    struct ram_block *rb = ram.ram;
    CHECK_EQ(address_space_store(&as, 0x13000, 4, 1), MEMTX_OK);
    CHECK_EQ(rb->dirty[0], 0);
    rb->dirty_log = true;
    CHECK_EQ(address_space_store(&as, 0x13ffe, 4, 1), MEMTX_OK); /* pages 3 and 4 */
    CHECK_EQ(rb->dirty[0], 0x18);
    CHECK_EQ(address_space_write(&as, 0x10000, "\0", 1), MEMTX_OK);
    CHECK_EQ(rb->dirty[0], 0x19);
    rb->dirty_log = false;

    /* Code hook only for pages with translated code. */
    mem_set_code_write_hook(code_hook, NULL);
    CHECK_EQ(address_space_store(&as, 0x15000, 4, 1), MEMTX_OK);
    CHECK_EQ(hook_calls, 0);
    rb->code_map[5] = 1;
    CHECK_EQ(address_space_store(&as, 0x15010, 4, 1), MEMTX_OK);
    CHECK_EQ(hook_calls, 1);
    CHECK_EQ(hook_off, 0x5010);
    CHECK_EQ(hook_len, 4);
    uint8_t blk[0x2000] = {0};
    CHECK_EQ(address_space_write(&as, 0x14800, blk, sizeof(blk)), MEMTX_OK);
    CHECK_EQ(hook_calls, 2);
    CHECK_EQ(hook_off, 0x4800);
    rom.ram->code_map[0] = 1;
    CHECK_EQ(address_space_write_rom(&as, 0x1004, "x", 1), MEMTX_OK);
    CHECK_EQ(hook_calls, 3);
    mem_set_code_write_hook(NULL, NULL);

    mem_region_destroy(&rom);
    mem_region_destroy(&ram);
    address_space_destroy(&as);
}

/*
 * Random trees against a per-address model of the precedence rules: the
 * flat view must resolve every address exactly as walking the tree does.
 */
struct model_child {
    struct mem_region *parent, *mr;
    uint64_t addr;
    int prio, seq;
};
static struct model_child model[32];
static int nmodel;

static struct mem_region *model_resolve(struct mem_region *mr, uint64_t off, uint64_t *out)
{
    if (off >= mr->size)
        return NULL;
    if (mr->kind == MR_ALIAS)
        return model_resolve(mr->alias, mr->alias_offset + off, out);
    if (mr->kind != MR_CONTAINER) {
        *out = off;
        return mr;
    }
    struct mem_region *best = NULL;
    int bp = 0, bs = 0;
    uint64_t boff = 0;
    for (int i = 0; i < nmodel; i++) {
        struct model_child *c = &model[i];
        uint64_t o;
        if (c->parent != mr || off < c->addr || off - c->addr >= c->mr->size)
            continue;
        struct mem_region *r = model_resolve(c->mr, off - c->addr, &o);
        if (r && (!best || c->prio > bp || (c->prio == bp && c->seq > bs))) {
            best = r;
            bp = c->prio;
            bs = c->seq;
            boff = o;
        }
    }
    *out = boff;
    return best;
}

static uint32_t rng_state = 1;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 8) % n;
}

static void place(struct mem_region *parent, struct mem_region *mr, uint64_t addr, int prio)
{
    if (mem_region_add_subregion(parent, addr, mr, prio) == 0)
        model[nmodel++] = (struct model_child){parent, mr, addr, prio, nmodel};
}

static void test_random_trees(void)
{
    static const struct mem_region_ops nops = {0};
    int mismatches = 0, unmerged = 0;
    for (int iter = 0; iter < 300; iter++) {
        struct mem_region root, sub, alias, alias2, leaves[12];
        struct address_space as;
        nmodel = 0;
        mem_region_init_container(&root, "root", 0x400);
        address_space_init(&as, &root, "rand");
        mem_region_init_container(&sub, "sub", 0x100 + rnd(0x100));
        for (int i = 0; i < 12; i++)
            mem_region_init_io(&leaves[i], "leaf", &nops, NULL, 1 + rnd(0x180));
        for (int i = 0; i < 4; i++)
            place(&sub, &leaves[i], rnd(0x100), (int)rnd(3) - 1);
        /* Aliases into the sub-container (which may itself be placed) and into a leaf. */
        mem_region_init_alias(&alias, "alias", &sub, rnd(0x80), 1 + rnd(0x200));
        mem_region_init_alias(&alias2, "alias2", &leaves[4], rnd(0x40), 1 + rnd(0x100));
        for (int i = 5; i < 12; i++)
            place(&root, &leaves[i], rnd(0x300), (int)rnd(3) - 1);
        if (rnd(2))
            place(&root, &sub, rnd(0x200), (int)rnd(3) - 1);
        place(&root, &alias, rnd(0x200), (int)rnd(3) - 1);
        place(&root, &alias2, rnd(0x300), (int)rnd(3) - 1);
        if (rnd(2) && nmodel > 3) {
            /* Remove one at random; the model forgets it too. */
            int k = (int)rnd(nmodel);
            mem_region_del_subregion(model[k].parent, model[k].mr);
            model[k].parent = NULL;
        }
        for (uint64_t a = 0; a < 0x400; a++) {
            uint64_t want_off = 0, got_off;
            struct mem_region *want = model_resolve(&root, a, &want_off);
            struct mem_region *got = resolve(&as, a, &got_off);
            if (want != got || (want && want_off != got_off))
                mismatches++;
        }
        for (size_t i = 1; i < as.nranges; i++) {
            const struct flat_range *p = &as.ranges[i - 1], *r = &as.ranges[i];
            if (p->start + p->size > r->start)
                mismatches++;
            if (p->mr == r->mr && p->start + p->size == r->start &&
                p->offset + p->size == r->offset)
                unmerged++;
        }
        mem_region_destroy(&root);
        mem_region_destroy(&sub);
        address_space_destroy(&as);
    }
    CHECK_EQ(mismatches, 0);
    CHECK_EQ(unmerged, 0);
}

int main(void)
{
    test_basic_and_priority();
    test_alias_container();
    test_mmio_sizes();
    test_rom_dirty_code();
    test_random_trees();
    return check_summary("memory");
}
