/*
 * rv-tb.c - the cache of decoded blocks.
 *
 * Blocks live in one arena and are found by (host address, virtual pc) in a
 * hash table; each hart keeps a small jump cache by virtual pc in front of
 * it. Pages holding translated code are flagged in their RAM block's
 * code_map so no hart keeps a fast write TLB entry for them; writes reach
 * rv_tb_code_write() (the memory core's code write hook), which drops every
 * block of the page if the written bytes overlap decoded instructions. When
 * the arena is full, or the memory map changes, everything is dropped at
 * the next block boundary.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/log.h"
#include "targets/riscv/rv-internal.h"
#include "targets/riscv/rv-jit.h"

#define TB_ARENA_SIZE (64u << 20)
#define TB_HASH_BITS 16
#define TB_PAGE_HASH_BITS 12
#define TB_MAX_INSNS 64

/* A guest page holding translated code, by its host address. */
struct code_page {
    uintptr_t host_page;
    struct ram_block *rb;
    uint64_t rb_page;                        /* page index within rb */
    uint64_t bitmap[MEM_PAGE_SIZE / 8 / 64]; /* one bit per 8 bytes holding decoded code */
    struct rv_block *blocks;
    struct code_page *next;
};

static struct {
    uint8_t *arena;
    size_t used;
    struct rv_block *hash[1u << TB_HASH_BITS];
    struct code_page *pages[1u << TB_PAGE_HASH_BITS];
    bool flush_pending;
} tb;

uint64_t rv_tb_generation;
const void *const *rv_op_labels;

static inline unsigned tb_hash(uintptr_t host, uint64_t pc)
{
    uint64_t h = (host ^ (pc << 7)) * 0x9e3779b97f4a7c15ull;
    return h >> (64 - TB_HASH_BITS);
}

static inline unsigned page_hash(uintptr_t host_page)
{
    return ((uint64_t)host_page * 0x9e3779b97f4a7c15ull) >> (64 - TB_PAGE_HASH_BITS);
}

/* Callers make room first (flush_now), so this cannot fail. */
static __attribute__((returns_nonnull)) void *arena_alloc(size_t size)
{
    size = (size + 15) & ~(size_t)15;
    void *p = tb.arena + tb.used;
    tb.used += size;
    return p;
}

void rv_tb_clear_jc(struct rv_cpu *c)
{
    memset(c->jc, 0, sizeof(c->jc));
}

static void flush_now(void)
{
    for (unsigned i = 0; i < (1u << TB_PAGE_HASH_BITS); i++)
        for (struct code_page *p = tb.pages[i]; p; p = p->next)
            if (p->rb && p->rb->code_map)
                p->rb->code_map[p->rb_page] = 0;
    memset(tb.hash, 0, sizeof(tb.hash));
    memset(tb.pages, 0, sizeof(tb.pages));
    tb.used = 0;
    rv_jit_reset();
    tb.flush_pending = false;
    rv_tb_generation++;
    for (struct rv_cpu *c = rv_all_cpus; c; c = c->next_cpu)
        rv_tb_clear_jc(c);
}

void rv_tb_flush_all(void)
{
    tb.flush_pending = true;
}

void rv_tb_maybe_flush(void)
{
    if (tb.flush_pending)
        flush_now();
}

static void invalidate_page(struct code_page *p)
{
    for (struct rv_block *b = p->blocks; b; b = b->page_next) {
        b->valid = false;
        struct rv_block **pp = &tb.hash[tb_hash(b->host, b->pc)];
        while (*pp && *pp != b)
            pp = &(*pp)->hash_next;
        if (*pp)
            *pp = b->hash_next;
        for (struct rv_cpu *c = rv_all_cpus; c; c = c->next_cpu) {
            unsigned h = rv_jc_hash(b->pc);
            if (c->jc[h] == b)
                c->jc[h] = NULL;
        }
    }
    struct code_page **pp = &tb.pages[page_hash(p->host_page)];
    while (*pp && *pp != p)
        pp = &(*pp)->next;
    if (*pp)
        *pp = p->next;
    if (p->rb && p->rb->code_map)
        p->rb->code_map[p->rb_page] = 0;
    for (struct rv_cpu *c = rv_all_cpus; c; c = c->next_cpu)
        c->tb_dirty = true;
}

static struct code_page *find_page(uintptr_t host_page)
{
    for (struct code_page *p = tb.pages[page_hash(host_page)]; p; p = p->next)
        if (p->host_page == host_page)
            return p;
    return NULL;
}

/* The memory core's hook: bytes [offset, offset+len) of rb were written. */
static void rv_tb_code_write(void *opaque, struct ram_block *rb, uint64_t offset, uint64_t len)
{
    (void)opaque;
    uint64_t end = offset + len;
    while (offset < end) {
        uint64_t page_off = offset & RV_PAGE_MASK;
        uint64_t stop = page_off + MEM_PAGE_SIZE < end ? page_off + MEM_PAGE_SIZE : end;
        struct code_page *p = find_page((uintptr_t)rb->host + page_off);
        if (!p) {
            if (rb->code_map)
                rb->code_map[page_off >> MEM_PAGE_BITS] = 0;
        } else {
            bool hit = false;
            for (uint64_t o = (offset - page_off) >> 3; o <= ((stop - 1 - page_off) >> 3); o++)
                if (p->bitmap[o >> 6] & (1ull << (o & 63))) {
                    hit = true;
                    break;
                }
            if (hit)
                invalidate_page(p);
        }
        offset = stop;
    }
}

static bool is_block_end(int opc)
{
    switch (opc) {
    case RV_OP_JAL:
    case RV_OP_JALR:
    case RV_OP_BEQ:
    case RV_OP_BNE:
    case RV_OP_BLT:
    case RV_OP_BGE:
    case RV_OP_BLTU:
    case RV_OP_BGEU:
    case RV_OP_ECALL:
    case RV_OP_EBREAK:
    case RV_OP_MRET:
    case RV_OP_SRET:
    case RV_OP_WFI:
    case RV_OP_SFENCE_VMA:
    case RV_OP_FENCE_I:
    case RV_OP_CSR:
    case RV_OP_ILLEGAL:
        return true;
    }
    return false;
}

static void finish_insn(struct rv_insn *in, uint16_t off)
{
    in->pc_off = off;
    in->op = rv_op_labels[in->opc];
}

/* An instruction that straddles a page: run it alone from a per-hart buffer, never cached. */
static struct rv_block *translate_straddle(struct rv_cpu *c, uint64_t pc, const uint8_t *hp)
{
    uint8_t *hp2;
    struct ram_block *rb;
    uint64_t rb_off;
    if (rv_fetch_page(c, pc + 2, &hp2, &rb, &rb_off))
        return NULL;
    uint32_t raw = hp[MEM_PAGE_SIZE - 2] | (uint32_t)hp[MEM_PAGE_SIZE - 1] << 8 |
                   (uint32_t)hp2[0] << 16 | (uint32_t)hp2[1] << 24;
    struct rv_block *b = (struct rv_block *)c->straddle_buf;
    memset(b, 0, sizeof(*b) + 2 * sizeof(struct rv_insn));
    b->pc = pc;
    b->host = (uintptr_t)hp + MEM_PAGE_SIZE - 2;
    b->ninsns = 1;
    b->valid = false; /* never linked to or from */
    rv_decode(raw, &b->insns[0]);
    finish_insn(&b->insns[0], 0);
    if (!is_block_end(b->insns[0].opc)) {
        b->insns[1].opc = RV_OP_BLOCK_END;
        finish_insn(&b->insns[1], 4);
    }
    return b;
}

static struct rv_block *translate(struct rv_cpu *c, uint64_t pc, uint8_t *hp, struct ram_block *rb,
                                  uint64_t rb_off)
{
    struct rv_insn insns[TB_MAX_INSNS + 1];
    unsigned n = 0;
    unsigned start = pc & (MEM_PAGE_SIZE - 1), off = start;
    bool ended = false;

    while (n < TB_MAX_INSNS && off + 2 <= MEM_PAGE_SIZE) {
        uint16_t lo;
        memcpy(&lo, hp + off, 2);
        uint32_t raw = lo;
        if ((lo & 3) == 3) {
            if (off + 4 > MEM_PAGE_SIZE) {
                if (n == 0)
                    return translate_straddle(c, pc, hp);
                break;
            }
            memcpy(&raw, hp + off, 4);
        }
        rv_decode(raw, &insns[n]);
        finish_insn(&insns[n], off - start);
        off += insns[n].len;
        if (is_block_end(insns[n++].opc)) {
            ended = true;
            break;
        }
    }
    if (!ended) {
        memset(&insns[n], 0, sizeof(insns[n]));
        insns[n].opc = RV_OP_BLOCK_END;
        finish_insn(&insns[n], off - start);
    }
    unsigned total = n + !ended;

    struct code_page *p = find_page((uintptr_t)hp);
    size_t bsize = sizeof(struct rv_block) + total * sizeof(struct rv_insn);
    if (tb.used + bsize + sizeof(*p) + 32 > TB_ARENA_SIZE || !rv_jit_room()) {
        flush_now();
        p = NULL;
    }
    struct rv_block *b = arena_alloc(bsize);
    if (!p) {
        p = arena_alloc(sizeof(*p));
        memset(p, 0, sizeof(*p));
        p->host_page = (uintptr_t)hp;
        p->rb = rb;
        p->rb_page = rb_off >> MEM_PAGE_BITS;
        p->next = tb.pages[page_hash(p->host_page)];
        tb.pages[page_hash(p->host_page)] = p;
        if (rb && rb->code_map)
            rb->code_map[p->rb_page] = 1;
        rv_tlb_protect_code((uintptr_t)hp);
    }
    for (unsigned o = start >> 3; o <= (off - 1) >> 3; o++)
        p->bitmap[o >> 6] |= 1ull << (o & 63);

    b->pc = pc;
    b->host = (uintptr_t)hp + start;
    b->host_page = (uintptr_t)hp;
    b->chain[0] = b->chain[1] = NULL;
    b->ninsns = n;
    b->valid = true;
    memcpy(b->insns, insns, total * sizeof(struct rv_insn));
    b->page_next = p->blocks;
    p->blocks = b;
    unsigned h = tb_hash(b->host, pc);
    b->hash_next = tb.hash[h];
    tb.hash[h] = b;
    rv_jit_translate(b);
    return b;
}

struct rv_block *rv_tb_find(struct rv_cpu *c, uint64_t pc)
{
    uint8_t *hp;
    struct ram_block *rb;
    uint64_t rb_off;

    if (tb.flush_pending)
        flush_now();
    if (unlikely(pc & 1)) { /* cannot happen with C; kept for safety */
        rv_raise(c, RV_EXC_INST_MISALIGNED, pc);
        return NULL;
    }
    if (rv_fetch_page(c, pc, &hp, &rb, &rb_off)) {
        rv_raise(c, c->exc_cause, c->exc_tval);
        return NULL;
    }
    uintptr_t host = (uintptr_t)hp + (pc & (MEM_PAGE_SIZE - 1));
    for (struct rv_block *b = tb.hash[tb_hash(host, pc)]; b; b = b->hash_next)
        if (b->host == host && b->pc == pc) {
            c->jc[rv_jc_hash(pc)] = b;
            return b;
        }
    struct rv_block *b = translate(c, pc, hp, rb, rb_off);
    if (!b) {
        rv_raise(c, c->exc_cause, c->exc_tval);
        return NULL;
    }
    if (b->valid)
        c->jc[rv_jc_hash(pc)] = b;
    return b;
}

void rv_tb_link(struct rv_block *from, int slot, struct rv_block *to)
{
    if (from->valid && to->valid && ((from->pc ^ to->pc) & RV_PAGE_MASK) == 0) {
        from->chain[slot] = to;
        rv_jit_link(from, slot, to);
    }
}

int rv_tb_init(void)
{
    if (tb.arena)
        return 0;
    tb.arena = malloc(TB_ARENA_SIZE);
    if (!tb.arena)
        return -ENOMEM;
    mem_set_code_write_hook(rv_tb_code_write, NULL);
    return rv_jit_init();
}
