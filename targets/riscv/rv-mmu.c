/*
 * rv-mmu.c - address translation (Sv39/Sv48), PMP, the software TLB and
 * the slow paths for loads/stores that miss it.
 *
 * Like QEMU, the page-table walker sets A (and D on a store) in memory,
 * and a page whose PTE has D clear is entered without write permission so
 * the first store walks again. Accesses to unmapped physical addresses
 * raise access faults. Misaligned loads and stores (other than LR/SC/AMO)
 * are performed, not trapped, as QEMU 7.2 does.
 */
#include <string.h>

#include "emu-core/log.h"
#include "targets/riscv/rv-internal.h"

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_MASK 0x003ffffffffffc00ull
#define PTE_HIGH (0x3ffull << 54) /* reserved, PBMT, N: none implemented (as QEMU 7.2) */

#define PMP_R 1
#define PMP_W 2
#define PMP_X 4
#define PMP_A_SHIFT 3
#define PMP_L 0x80
enum { PMP_OFF = 0, PMP_TOR = 1, PMP_NA4 = 2, PMP_NAPOT = 3 };

static inline struct rv_tlb_entry *fast_of(struct rv_cpu *c, struct rv_tlb_slow *s)
{
    return &c->tlb[0][0] + (s - &c->tlb_slow[0][0]);
}

static void entry_invalidate(struct rv_cpu *c, struct rv_tlb_slow *s)
{
    struct rv_tlb_entry *e = fast_of(c, s);
    e->tag_r = e->tag_w = e->tag_x = RV_TLB_INVALID;
    s->vpage = RV_TLB_INVALID;
}

void rv_tlb_flush(struct rv_cpu *c)
{
    for (int m = 0; m < RV_NMMU; m++)
        for (unsigned i = 0; i < RV_TLB_SIZE; i++)
            entry_invalidate(c, &c->tlb_slow[m][i]);
    c->tlb_has_large = false;
}

void rv_tlb_flush_page(struct rv_cpu *c, uint64_t vaddr)
{
    if (c->tlb_has_large) {
        rv_tlb_flush(c);
        return;
    }
    uint64_t vpage = vaddr & RV_PAGE_MASK;
    unsigned idx = (vaddr >> MEM_PAGE_BITS) & (RV_TLB_SIZE - 1);
    for (int m = 0; m < RV_NMMU; m++)
        if (c->tlb_slow[m][idx].vpage == vpage)
            entry_invalidate(c, &c->tlb_slow[m][idx]);
}

/* A page now holds translated code: no hart may keep a fast write entry for it. */
void rv_tlb_protect_code(uintptr_t host_page)
{
    for (struct rv_cpu *c = rv_all_cpus; c; c = c->next_cpu)
        for (int m = 0; m < RV_NMMU; m++)
            for (unsigned i = 0; i < RV_TLB_SIZE; i++) {
                struct rv_tlb_entry *e = &c->tlb[m][i];
                if (e->tag_w != RV_TLB_INVALID && (uintptr_t)c->tlb_slow[m][i].host == host_page)
                    e->tag_w = RV_TLB_INVALID;
            }
}

/* ---- PMP ---- */

void rv_pmp_update(struct rv_cpu *c)
{
    struct rv_pmp *p = &c->pmp;
    p->nactive = 0;
    for (int i = 0; i < c->cfg.pmp_entries; i++) {
        int a = (p->cfg[i] >> PMP_A_SHIFT) & 3;
        uint64_t addr = p->addr[i];
        p->lo[i] = p->hi[i] = 0;
        switch (a) {
        case PMP_TOR:
            p->lo[i] = i ? p->addr[i - 1] << 2 : 0;
            p->hi[i] = addr << 2;
            if (p->lo[i] >= p->hi[i])
                p->lo[i] = p->hi[i] = 0;
            break;
        case PMP_NA4:
            p->lo[i] = addr << 2;
            p->hi[i] = p->lo[i] + 4;
            break;
        case PMP_NAPOT: {
            int t = ~addr ? __builtin_ctzll(~addr) : 64;
            if (t >= 54) {
                p->lo[i] = 0;
                p->hi[i] = ~0ull;
            } else {
                p->lo[i] = (addr & ~((1ull << t) - 1)) << 2;
                p->hi[i] = p->lo[i] + (1ull << (t + 3));
            }
            break;
        }
        }
        if (a != PMP_OFF)
            p->nactive++;
    }
    rv_tlb_flush(c);
}

/* Whether [pa, pa+size) may be accessed with acc at priv. */
static bool pmp_allows(struct rv_cpu *c, uint64_t pa, uint64_t size, int acc, int priv)
{
    const struct rv_pmp *p = &c->pmp;
    if (c->cfg.pmp_entries == 0)
        return true;
    if (p->nactive == 0)
        return priv == RV_PRV_M;
    for (int i = 0; i < c->cfg.pmp_entries; i++) {
        if (((p->cfg[i] >> PMP_A_SHIFT) & 3) == PMP_OFF || p->lo[i] == p->hi[i])
            continue;
        if (pa + size <= p->lo[i] || pa >= p->hi[i])
            continue;
        if (pa < p->lo[i] || pa + size > p->hi[i])
            return false; /* partial match fails */
        if (priv == RV_PRV_M && !(p->cfg[i] & PMP_L))
            return true;
        return (p->cfg[i] & acc) == acc;
    }
    return priv == RV_PRV_M;
}

/* Permissions PMP gives the whole page at priv, or -1 if they differ within it. */
static int pmp_page_perms(struct rv_cpu *c, uint64_t ppage, int priv)
{
    const struct rv_pmp *p = &c->pmp;
    if (c->cfg.pmp_entries == 0)
        return RV_ACC_R | RV_ACC_W | RV_ACC_X;
    if (p->nactive == 0)
        return priv == RV_PRV_M ? RV_ACC_R | RV_ACC_W | RV_ACC_X : 0;
    uint64_t end = ppage + MEM_PAGE_SIZE;
    for (int i = 0; i < c->cfg.pmp_entries; i++) {
        if (((p->cfg[i] >> PMP_A_SHIFT) & 3) == PMP_OFF || p->lo[i] == p->hi[i])
            continue;
        if (end <= p->lo[i] || ppage >= p->hi[i])
            continue;
        if (ppage < p->lo[i] || end > p->hi[i])
            return -1;
        if (priv == RV_PRV_M && !(p->cfg[i] & PMP_L))
            return RV_ACC_R | RV_ACC_W | RV_ACC_X;
        return p->cfg[i] & 7;
    }
    return priv == RV_PRV_M ? RV_ACC_R | RV_ACC_W | RV_ACC_X : 0;
}

/* ---- page-table walk ---- */

static uint64_t fault_cause(int acc, bool page)
{
    if (acc == RV_ACC_X)
        return page ? RV_EXC_INST_PAGE : RV_EXC_INST_ACCESS;
    if (acc == RV_ACC_R)
        return page ? RV_EXC_LOAD_PAGE : RV_EXC_LOAD_ACCESS;
    return page ? RV_EXC_STORE_PAGE : RV_EXC_STORE_ACCESS;
}

static int fail(struct rv_cpu *c, uint64_t va, int acc, bool page)
{
    c->exc_cause = fault_cause(acc, page);
    c->exc_tval = va;
    return -1;
}

/* Privilege for an access kind, after MPRV for data. */
static inline int acc_priv(struct rv_cpu *c, int acc)
{
    if (acc != RV_ACC_X && (c->mstatus & MSTATUS_MPRV) && c->priv == RV_PRV_M)
        return (c->mstatus >> MSTATUS_MPP_SHIFT) & 3;
    return c->priv;
}

/*
 * Translate va for acc at priv: *pa and the page permissions (*perms) the
 * translation grants, *large for superpages. Returns 0 or -1 with a fault set.
 */
static int walk(struct rv_cpu *c, uint64_t va, int acc, int priv, uint64_t *pa, int *perms,
                bool *large)
{
    unsigned mode = c->satp >> 60;
    *large = false;
    if (priv == RV_PRV_M || mode == 0) {
        *pa = va;
        *perms = RV_ACC_R | RV_ACC_W | RV_ACC_X;
        return 0;
    }
    int levels = mode - 5; /* Sv39, Sv48, Sv57 */
    int vabits = 12 + 9 * levels;
    if ((uint64_t)((int64_t)(va << (64 - vabits)) >> (64 - vabits)) != va)
        return fail(c, va, acc, true);

    uint64_t base = (c->satp & ((1ull << 44) - 1)) << 12;
    for (int level = levels - 1; level >= 0; level--) {
        unsigned shift = 12 + 9 * level;
        uint64_t pte_addr = base + ((va >> shift) & 511) * 8;
        uint64_t pte;
        if (!pmp_allows(c, pte_addr, 8, RV_ACC_R, RV_PRV_S))
            return fail(c, va, acc, false);
        if (address_space_load(c->as, pte_addr, 8, &pte) != MEMTX_OK)
            return fail(c, va, acc, false);
        if (!(pte & PTE_V) || ((pte & (PTE_R | PTE_W)) == PTE_W) || (pte & PTE_HIGH))
            return fail(c, va, acc, true);
        uint64_t ppn = (pte & PTE_PPN_MASK) >> 10;
        if (!(pte & (PTE_R | PTE_X))) {
            if (level == 0)
                return fail(c, va, acc, true);
            base = ppn << 12;
            continue;
        }
        /* leaf */
        if (level > 0 && (ppn & ((1ull << (9 * level)) - 1)))
            return fail(c, va, acc, true); /* misaligned superpage */
        int p = ((pte & PTE_R) ? RV_ACC_R : 0) | ((pte & PTE_W) ? RV_ACC_W : 0) |
                ((pte & PTE_X) ? RV_ACC_X : 0);
        if ((c->mstatus & MSTATUS_MXR) && (pte & PTE_X))
            p |= RV_ACC_R;
        if (pte & PTE_U) {
            if (priv == RV_PRV_S)
                p = (c->mstatus & MSTATUS_SUM) ? p & ~RV_ACC_X : 0;
        } else if (priv == RV_PRV_U) {
            p = 0;
        }
        if (!(p & acc))
            return fail(c, va, acc, true);
        uint64_t npte = pte | PTE_A | (acc == RV_ACC_W ? PTE_D : 0);
        if (npte != pte) {
            if (!pmp_allows(c, pte_addr, 8, RV_ACC_W, RV_PRV_S) ||
                address_space_store(c->as, pte_addr, 8, npte) != MEMTX_OK)
                return fail(c, va, acc, false);
        }
        if (!(npte & PTE_D))
            p &= ~RV_ACC_W; /* the first store must walk again to set D */
        *pa = (ppn << 12) | (va & ((1ull << shift) - 1));
        *perms = p;
        *large = level > 0;
        if (log_enabled_for(LOG_MMU))
            log_mask(LOG_MMU, "rv: walk va=%#llx -> pa=%#llx perms=%d\n", (unsigned long long)va,
                     (unsigned long long)*pa, p);
        return 0;
    }
    return fail(c, va, acc, true);
}

/*
 * Walk and (re)fill the TLB entry for va in the context of priv. Returns 0
 * or -1 with the fault for acc set; on success the entry holds the
 * translation (pmp_exact entries still need a PMP check per access).
 */
static int fill(struct rv_cpu *c, uint64_t va, int acc, int priv, struct rv_tlb_slow **out)
{
    uint64_t pa;
    int perms;
    bool large;
    if (walk(c, va, acc, priv, &pa, &perms, &large))
        return -1;
    struct rv_tlb_slow *e =
        &c->tlb_slow[rv_mmu_idx(priv)][(va >> MEM_PAGE_BITS) & (RV_TLB_SIZE - 1)];
    struct rv_tlb_entry *fe = fast_of(c, e);
    uint64_t vpage = va & RV_PAGE_MASK, ppage = pa & RV_PAGE_MASK;
    int pp = pmp_page_perms(c, ppage, priv);
    entry_invalidate(c, e);
    e->pmp_exact = pp < 0;
    if (pp >= 0)
        perms &= pp;
    e->vpage = vpage;
    e->ppage = ppage;
    e->perms = perms;
    e->host = NULL;
    e->rb = NULL;
    e->rom = false;
    if (large)
        c->tlb_has_large = true;

    const struct flat_range *fr = address_space_lookup(c->as, ppage);
    if (fr && (fr->mr->kind == MR_RAM || fr->mr->kind == MR_ROM) && ppage >= fr->start &&
        ppage + MEM_PAGE_SIZE <= fr->start + fr->size) {
        uint64_t off = fr->offset + (ppage - fr->start);
        e->host = mem_region_host(fr->mr) + off;
        e->rb = fr->mr->ram;
        e->rb_off = off;
        e->rom = fr->mr->kind == MR_ROM;
        fe->addend = (uintptr_t)e->host - vpage;
        if (!e->pmp_exact) {
            if (perms & RV_ACC_R)
                fe->tag_r = vpage;
            if (perms & RV_ACC_X)
                fe->tag_x = vpage;
            if ((perms & RV_ACC_W) && !e->rom && e->rb && !e->rb->dirty_log &&
                !(e->rb->code_map && e->rb->code_map[off >> MEM_PAGE_BITS]))
                fe->tag_w = vpage;
        }
    }
    *out = e;
    return 0;
}

/* The entry translating va for acc, filling it if needed. */
static int lookup(struct rv_cpu *c, uint64_t va, int acc, struct rv_tlb_slow **out)
{
    int priv = acc_priv(c, acc);
    struct rv_tlb_slow *e =
        &c->tlb_slow[rv_mmu_idx(priv)][(va >> MEM_PAGE_BITS) & (RV_TLB_SIZE - 1)];
    if (e->vpage != (va & RV_PAGE_MASK) || !(e->perms & acc)) {
        if (fill(c, va, acc, priv, &e))
            return -1;
        if (!(e->perms & acc)) /* translation allowed it, PMP did not */
            return fail(c, va, acc, false);
    }
    *out = e;
    return 0;
}

int rv_translate(struct rv_cpu *c, uint64_t va, int acc, unsigned size, uint64_t *pa)
{
    struct rv_tlb_slow *e;
    if (lookup(c, va, acc, &e))
        return -1;
    *pa = e->ppage | (va & (MEM_PAGE_SIZE - 1));
    if (e->pmp_exact && !pmp_allows(c, *pa, size, acc, acc_priv(c, acc)))
        return fail(c, va, acc, false);
    return 0;
}

/*
 * Misaligned MMIO is done as QEMU does it: two aligned accesses of the
 * same size around the address, each of which may fault on its own.
 */
static int mmio_load(struct rv_cpu *c, uint64_t va, uint64_t pa, unsigned size, uint64_t *val)
{
    if (!(pa & (size - 1))) {
        if (address_space_load(c->as, pa, size, val) != MEMTX_OK)
            return fail(c, va, RV_ACC_R, false);
        return 0;
    }
    uint64_t pa1 = pa & ~(uint64_t)(size - 1), va1 = va & ~(uint64_t)(size - 1), v1, v2;
    unsigned sh = (pa - pa1) * 8;
    if (address_space_load(c->as, pa1, size, &v1) != MEMTX_OK)
        return fail(c, va1, RV_ACC_R, false);
    if (address_space_load(c->as, pa1 + size, size, &v2) != MEMTX_OK)
        return fail(c, va1 + size, RV_ACC_R, false);
    uint64_t v = (v1 >> sh) | (v2 << (size * 8 - sh));
    *val = size == 8 ? v : v & ((1ull << (size * 8)) - 1);
    return 0;
}

static int mmio_store(struct rv_cpu *c, uint64_t va, uint64_t pa, unsigned size, uint64_t val)
{
    if (!(pa & (size - 1))) {
        if (address_space_store(c->as, pa, size, val) != MEMTX_OK)
            return fail(c, va, RV_ACC_W, false);
        return 0;
    }
    /* bytewise, so that only the bytes the guest named are written */
    for (unsigned i = 0; i < size; i++)
        if (address_space_store(c->as, pa + i, 1, (val >> (8 * i)) & 0xff) != MEMTX_OK)
            return fail(c,
                        (va & ~(uint64_t)(size - 1)) + (i >= size - (pa & (size - 1)) ? size : 0),
                        RV_ACC_W, false);
    return 0;
}

static int load_one(struct rv_cpu *c, uint64_t va, unsigned size, uint64_t *val)
{
    struct rv_tlb_slow *e;
    if (lookup(c, va, RV_ACC_R, &e))
        return -1;
    uint64_t off = va & (MEM_PAGE_SIZE - 1), pa = e->ppage | off;
    if (e->pmp_exact && !pmp_allows(c, pa, size, RV_ACC_R, acc_priv(c, RV_ACC_R)))
        return fail(c, va, RV_ACC_R, false);
    if (e->host) {
        uint64_t v = 0;
        memcpy(&v, e->host + off, size);
        *val = v;
        return 0;
    }
    return mmio_load(c, va, pa, size, val);
}

/*
 * An access that crosses a page: translate both pages and check PMP on the
 * whole range from the first byte's physical address (QEMU checks the whole
 * access against the first page's fill) before touching any byte.
 */
static int cross_check(struct rv_cpu *c, uint64_t va, unsigned size, int acc)
{
    struct rv_tlb_slow *e;
    if (lookup(c, va, acc, &e))
        return -1;
    uint64_t pa = e->ppage | (va & (MEM_PAGE_SIZE - 1));
    if (!pmp_allows(c, pa, size, acc, acc_priv(c, acc)))
        return fail(c, va, acc, false);
    if (lookup(c, va + size - 1, acc, &e)) {
        c->exc_tval = (va & ~(uint64_t)(size - 1)) + size;
        return -1;
    }
    return 0;
}

int rv_load_slow(struct rv_cpu *c, uint64_t va, unsigned size, uint64_t *val)
{
    if (unlikely((va & (MEM_PAGE_SIZE - 1)) + size > MEM_PAGE_SIZE)) {
        if (cross_check(c, va, size, RV_ACC_R))
            return -1;
        uint64_t v = 0, b;
        for (unsigned i = 0; i < size; i++) {
            if (load_one(c, va + i, 1, &b))
                return -1;
            v |= b << (8 * i);
        }
        *val = v;
        return 0;
    }
    return load_one(c, va, size, val);
}

static int store_one(struct rv_cpu *c, uint64_t va, unsigned size, uint64_t val)
{
    struct rv_tlb_slow *e;
    if (lookup(c, va, RV_ACC_W, &e))
        return -1;
    uint64_t off = va & (MEM_PAGE_SIZE - 1), pa = e->ppage | off;
    if (e->pmp_exact && !pmp_allows(c, pa, size, RV_ACC_W, acc_priv(c, RV_ACC_W)))
        return fail(c, va, RV_ACC_W, false);
    if (e->host) {
        if (e->rom)
            return 0; /* writes to ROM are ignored */
        memcpy(e->host + off, &val, size);
        mem_notify_write(e->rb, e->rb_off + off, size);
        /* the page may have lost its code since the entry was filled */
        if (!e->pmp_exact && (e->perms & RV_ACC_W) && !e->rb->dirty_log &&
            !(e->rb->code_map && e->rb->code_map[e->rb_off >> MEM_PAGE_BITS]))
            fast_of(c, e)->tag_w = e->vpage;
        return 0;
    }
    return mmio_store(c, va, pa, size, val);
}

int rv_store_slow(struct rv_cpu *c, uint64_t va, unsigned size, uint64_t val)
{
    if (unlikely((va & (MEM_PAGE_SIZE - 1)) + size > MEM_PAGE_SIZE)) {
        if (cross_check(c, va, size, RV_ACC_W))
            return -1;
        for (unsigned i = 0; i < size; i++)
            if (store_one(c, va + i, 1, (val >> (8 * i)) & 0xff))
                return -1;
        return 0;
    }
    return store_one(c, va, size, val);
}

int rv_fetch_page(struct rv_cpu *c, uint64_t va, uint8_t **host_page, struct ram_block **rb,
                  uint64_t *rb_off)
{
    struct rv_tlb_slow *e;
    if (lookup(c, va, RV_ACC_X, &e))
        return -1;
    if (!e->host || (e->pmp_exact &&
                     !pmp_allows(c, e->ppage | (va & (MEM_PAGE_SIZE - 1)), 2, RV_ACC_X, c->priv)))
        return fail(c, va, RV_ACC_X, false);
    *host_page = e->host;
    *rb = e->rb;
    *rb_off = e->rb_off;
    return 0;
}
