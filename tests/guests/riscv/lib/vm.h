/* Shared body of the Sv39/Sv48 tests. Define VM_LEVELS (3 or 4) and VM_NAME
 * before including. Page tables live in the linker's scratch area; code, stack
 * and devices are identity-mapped with gigapages so the runtime works in S-mode. */
#include "rt.h"

#define PTE_V 0x1UL
#define PTE_R 0x2UL
#define PTE_W 0x4UL
#define PTE_X 0x8UL
#define PTE_U 0x10UL
#define PTE_G 0x20UL
#define PTE_A 0x40UL
#define PTE_D 0x80UL
#define RWX (PTE_R | PTE_W | PTE_X)
#define AD (PTE_A | PTE_D)

#define SATP_MODE (VM_LEVELS == 3 ? 8UL : 9UL)
#define TEST_VA 0x40000000UL /* 1 GiB region holding the 4K and 2M test mappings */

static ulong pt_next;  /* next free page-table page */
static ulong data_next; /* next free 4K data page */
static uint64_t *root_s, *root_u;

static uint64_t *pt_alloc(void)
{
    uint64_t *p = (uint64_t *)pt_next;
    pt_next += 4096;
    memset(p, 0, 4096);
    return p;
}

static ulong data_page(void)
{
    ulong p = data_next;
    data_next += 4096;
    for (int i = 0; i < 512; i++)
        ((uint64_t *)p)[i] = 0x5ca0000000UL + p - (ulong)__scratch_start + i * 8;
    return p;
}

static ulong vpn(ulong va, int level)
{
    return (va >> (12 + 9 * level)) & 0x1ff;
}

/* Returns the PTE slot for va at the given level, creating tables on the way. */
static uint64_t *pte_slot(uint64_t *root, ulong va, int level)
{
    uint64_t *t = root;
    for (int l = VM_LEVELS - 1; l > level; l--) {
        uint64_t *e = &t[vpn(va, l)];
        if (!(*e & PTE_V))
            *e = ((ulong)pt_alloc() >> 12 << 10) | PTE_V;
        t = (uint64_t *)((*e >> 10) << 12);
    }
    return &t[vpn(va, level)];
}

static uint64_t *map(uint64_t *root, ulong va, ulong pa, int level, ulong flags)
{
    uint64_t *e = pte_slot(root, va, level);
    *e = (pa >> 12 << 10) | flags;
    return e;
}

static void set_root(uint64_t *root)
{
    csr_write(satp, SATP_MODE << 60 | (ulong)root >> 12);
    asm volatile("sfence.vma" ::: "memory");
}

static void vm_setup(void)
{
    pt_next = (ulong)__scratch_start;
    data_next = (ulong)__scratch_start + 0x100000;
    root_s = pt_alloc();
    root_u = pt_alloc();
    /* Devices (UART, CLINT, finisher) and RAM, identity; root_u has U on RAM. */
    int top = VM_LEVELS == 3 ? 2 : 2;
    map(root_s, 0, 0, top, RWX | AD | PTE_V);
    map(root_s, 0x80000000UL, 0x80000000UL, top, RWX | AD | PTE_G | PTE_V);
    map(root_u, 0, 0, top, RWX | AD | PTE_V);
    map(root_u, 0x80000000UL, 0x80000000UL, top, RWX | AD | PTE_U | PTE_V);
    /* Both roots share the test region's tables. */
    pte_slot(root_s, TEST_VA, 0);
    *pte_slot(root_u, TEST_VA, 2) = *pte_slot(root_s, TEST_VA, 2);
}

/* Operations run in S or U mode on one virtual address. */
static ulong op_load(ulong va)
{
    ulong v = 0xbad;
    asm volatile("ld %0, 0(%1)" : "+r"(v) : "r"(va) : "memory");
    return v;
}
static ulong op_store(ulong va)
{
    asm volatile("sd %0, 0(%0)" ::"r"(va) : "memory");
    return 0;
}
static ulong op_amo(ulong va)
{
    ulong v = 0xbad;
    asm volatile("amoadd.d %0, zero, 0(%1)" : "+r"(v) : "r"(va) : "memory");
    return v;
}
static ulong op_fetch(ulong va)
{
    ulong v = 0xbad;
    /* Returns 42 if the page holds ret_42's copy, else the trap resumes at ra. */
    asm volatile("mv a0, %1\n jalr ra, 0(a0)\n mv %0, a0" : "=r"(v) : "r"(va) : "ra", "a0",
                 "memory");
    return v;
}
static ulong op_lr(ulong va)
{
    ulong v = 0xbad;
    asm volatile("lr.d %0, 0(%1)" : "+r"(v) : "r"(va) : "memory");
    return v;
}

static const char *const op_names[] = {"load", "store", "amo", "fetch", "lr"};
static ulong (*const ops[])(ulong) = {op_load, op_store, op_amo, op_fetch, op_lr};
enum { LOAD, STORE, AMO, FETCH, LR };

/* Runs op on va in mode; prints the value loaded (data pages hold their own
 * scratch offset + 0x5ca0000000), or the trap. */
static void access(const char *label, int mode, int op, ulong va)
{
    trap_reset();
    ulong r = enter_mode(mode, ops[op], va);
    pr("%s %s %s %lx: ", label, mode == PRV_U ? "U" : "S", op_names[op], va);
    if (trap_count)
        pr("cause=%lx tval=%lx\n", trap_log[0].cause, trap_log[0].tval);
    else if (strap_count)
        pr("S-handled cause=%lx tval=%lx\n", strap_log[0].cause, strap_log[0].tval);
    else if (op == LOAD || op == AMO || op == LR)
        pr("ok, value=%lx\n", r);
    else
        pr("ok %lx\n", r);
}

void ret_42(void);
asm(".pushsection .text\n .align 2\n .option push\n .option norvc\nret_42:\n li a0, 42\n ret\n"
    " .option pop\n .popsection");

static void vm_tests(void)
{
    vm_setup();
    set_root(root_s);
    csr_write(medeleg, 0);

    /* 4K page, with A and D preset. */
    ulong pg = data_page();
    ulong va = TEST_VA + 0x1000;
    map(root_s, va, pg, 0, PTE_R | PTE_W | AD | PTE_V);
    access("4K rw", PRV_S, LOAD, va + 8);
    access("4K rw", PRV_S, STORE, va + 16);
    pr("  pa sees %lx\n", ((uint64_t *)pg)[2] - va);
    access("4K rw", PRV_S, AMO, va + 24);
    access("4K rw", PRV_S, FETCH, va);

    /* A/D updates by the hardware walker. */
    ulong pg2 = data_page();
    ulong va2 = TEST_VA + 0x2000;
    uint64_t *pte2 = map(root_s, va2, pg2, 0, PTE_R | PTE_W | PTE_V);
    set_root(root_s);
    pr("A/D: before %lx\n", *pte2 & 0xff);
    access("A/D", PRV_S, LOAD, va2);
    pr("A/D: after load %lx\n", *pte2 & 0xff);
    access("A/D", PRV_S, STORE, va2);
    pr("A/D: after store %lx\n", *pte2 & 0xff);
    *pte2 = (pg2 >> 12 << 10) | PTE_R | PTE_W | PTE_V;
    set_root(root_s);
    access("A/D", PRV_S, STORE, va2 + 8);
    pr("A/D: store first %lx\n", *pte2 & 0xff);
    *pte2 = (pg2 >> 12 << 10) | PTE_R | PTE_V;
    set_root(root_s);
    access("A/D read-only", PRV_S, STORE, va2 + 8);
    pr("A/D: failed store %lx\n", *pte2 & 0xff);
    *pte2 = (pg2 >> 12 << 10) | PTE_R | PTE_W | PTE_V;
    set_root(root_s);
    access("A/D", PRV_S, AMO, va2 + 8);
    pr("A/D: after amo %lx\n", *pte2 & 0xff);
    *pte2 = (pg2 >> 12 << 10) | PTE_R | PTE_W | PTE_V;
    set_root(root_s);
    access("A/D", PRV_S, LR, va2 + 8);
    pr("A/D: after lr %lx\n", *pte2 & 0xff);
    /* Non-leaf entries never get A/D. */
    pr("A/D: non-leaf %lx\n", root_s[vpn(TEST_VA, VM_LEVELS - 1)] & 0xff);

    /* Executable copy of ret_42. */
    ulong pgx = data_page();
    memcpy((void *)pgx, (void *)ret_42, 8);
    asm volatile("fence.i");
    ulong vax = TEST_VA + 0x3000;
    map(root_s, vax, pgx, 0, PTE_X | AD | PTE_V);
    access("X-only", PRV_S, FETCH, vax);
    access("X-only", PRV_S, LOAD, vax);
    csr_set(mstatus, MSTATUS_MXR);
    access("X-only MXR", PRV_S, LOAD, vax);
    csr_clear(mstatus, MSTATUS_MXR);
    map(root_s, vax, pgx, 0, PTE_R | AD | PTE_V);
    set_root(root_s);
    access("R-only", PRV_S, FETCH, vax);
    access("R-only", PRV_S, STORE, vax);
    access("R-only", PRV_S, AMO, vax);
    access("R-only", PRV_S, LR, vax);

    /* Invalid and reserved PTEs. */
    ulong vai = TEST_VA + 0x4000;
    map(root_s, vai, data_page(), 0, 0);
    set_root(root_s);
    access("V=0", PRV_S, LOAD, vai);
    access("V=0", PRV_S, STORE, vai);
    access("V=0", PRV_S, FETCH, vai);
    map(root_s, vai, data_page(), 0, PTE_W | AD | PTE_V);
    set_root(root_s);
    access("W without R", PRV_S, LOAD, vai);
    access("W without R", PRV_S, STORE, vai);
    map(root_s, vai, data_page(), 0, PTE_W | PTE_X | AD | PTE_V);
    set_root(root_s);
    access("WX without R", PRV_S, FETCH, vai);
    map(root_s, vai, data_page(), 0, RWX | AD | PTE_V | 1UL << 60);
    set_root(root_s);
    access("reserved bit 60", PRV_S, LOAD, vai);
    map(root_s, vai, data_page(), 0, RWX | AD | PTE_V | 3UL << 8);
    set_root(root_s);
    access("RSW bits", PRV_S, LOAD, vai);
    /* A pointer PTE at the last level. */
    map(root_s, vai, data_page(), 0, PTE_V);
    set_root(root_s);
    access("non-leaf at level 0", PRV_S, LOAD, vai);
    access("unmapped", PRV_S, LOAD, TEST_VA + 0x1ff000);
    access("unmapped", PRV_S, FETCH, TEST_VA + 0x1ff000);

    /* 2 MiB megapage, and a misaligned one. */
    ulong big = ((ulong)__scratch_start + 0x200000);
    for (int i = 0; i < 0x200000 / 8; i += 512)
        ((uint64_t *)big)[i] = 0x2000000 + i;
    ulong vam = TEST_VA + 0x200000;
    map(root_s, vam, big, 1, PTE_R | PTE_W | AD | PTE_V);
    set_root(root_s);
    access("2M", PRV_S, LOAD, vam + 0x1000);
    access("2M", PRV_S, LOAD, vam + 0x1ff000);
    ulong vamm = TEST_VA + 0x400000;
    map(root_s, vamm, big + 0x1000, 1, PTE_R | PTE_W | AD | PTE_V);
    set_root(root_s);
    access("misaligned 2M", PRV_S, LOAD, vamm + 0x1000);
    access("misaligned 2M", PRV_S, FETCH, vamm);

    /* 1 GiB gigapage aliasing RAM, and a misaligned one. */
    ulong vag = 0xc0000000UL;
    map(root_s, vag, 0x80000000UL, 2, PTE_R | AD | PTE_V);
    ulong sym = (ulong)&pt_next - 0x80000000UL;
    set_root(root_s);
    trap_reset();
    ulong v = enter_mode(PRV_S, op_load, vag + sym);
    pr("1G alias load: %lx traps=%d\n", v == pt_next, trap_count);
    map(root_s, 0x100000000UL, 0x80000000UL + 0x200000, 2, PTE_R | AD | PTE_V);
    set_root(root_s);
    access("misaligned 1G", PRV_S, LOAD, 0x100000000UL);

    /* U bit, SUM. */
    ulong pgu = data_page();
    ulong vau = TEST_VA + 0x5000;
    map(root_s, vau, pgu, 0, RWX | PTE_U | AD | PTE_V);
    memcpy((void *)pgu, (void *)ret_42, 8);
    asm volatile("fence.i");
    set_root(root_s);
    access("U page", PRV_S, LOAD, vau + 8);
    access("U page", PRV_S, STORE, vau + 8);
    access("U page", PRV_S, FETCH, vau);
    csr_set(mstatus, MSTATUS_SUM);
    access("U page SUM", PRV_S, LOAD, vau + 8);
    access("U page SUM", PRV_S, STORE, vau + 16);
    access("U page SUM", PRV_S, FETCH, vau);
    csr_clear(mstatus, MSTATUS_SUM);
    set_root(root_u);
    access("U page", PRV_U, LOAD, vau + 8);
    access("U page", PRV_U, FETCH, vau);
    access("S page", PRV_U, LOAD, va + 8);
    access("S page", PRV_U, FETCH, vax);
    set_root(root_s);

    /* Non-canonical addresses. */
    ulong nc = 1UL << (12 + 9 * VM_LEVELS - 1);
    access("non-canonical", PRV_S, LOAD, nc);
    access("non-canonical", PRV_S, STORE, nc);
    access("non-canonical", PRV_S, FETCH, nc);
    access("non-canonical", PRV_S, LOAD, 0x8000000000000000UL | TEST_VA);
    /* The top of the address space, canonical. */
    ulong hi = -(1UL << 30);
    map(root_s, hi, pg, 0, PTE_R | AD | PTE_V);
    set_root(root_s);
    access("high canonical", PRV_S, LOAD, hi + 8);

    /* sfence.vma makes a changed PTE visible. */
    ulong pga = data_page(), pgb = data_page();
    ulong vas = TEST_VA + 0x6000;
    uint64_t *pts = map(root_s, vas, pga, 0, PTE_R | AD | PTE_V);
    set_root(root_s);
    access("sfence before", PRV_S, LOAD, vas);
    *pts = (pgb >> 12 << 10) | PTE_R | AD | PTE_V;
    asm volatile("sfence.vma %0, zero" ::"r"(vas) : "memory");
    trap_reset();
    v = enter_mode(PRV_S, op_load, vas);
    pr("sfence after: new page %lx\n", v == pgb);
    *pts = 0;
    asm volatile("sfence.vma" ::: "memory");
    access("sfence unmapped", PRV_S, LOAD, vas);

    /* Page faults delegated to S: scause/stval. */
    csr_write(medeleg, (1 << 12) | (1 << 13) | (1 << 15));
    access("delegated", PRV_S, LOAD, vas);
    access("delegated", PRV_S, STORE, vas);
    access("delegated", PRV_S, FETCH, vas);
    csr_write(medeleg, 0);

    /* MPRV: M-mode loads and stores translated with MPP's privilege. */
    ulong ms = csr_read(mstatus);
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, 1UL << 11);
    trap_reset();
    csr_set(mstatus, MSTATUS_MPRV);
    v = op_load(va + 8);
    csr_clear(mstatus, MSTATUS_MPRV);
    pr("MPRV=1 MPP=S load: value=%lx traps=%d\n", v, trap_count);
    trap_reset();
    csr_set(mstatus, MSTATUS_MPRV);
    op_load(TEST_VA + 0x1ff000);
    csr_clear(mstatus, MSTATUS_MPRV);
    pr("MPRV=1 MPP=S unmapped load: traps=%d cause=%lx tval=%lx\n", trap_count, trap_log[0].cause,
       trap_log[0].tval);
    csr_clear(mstatus, MSTATUS_MPP);
    trap_reset();
    csr_set(mstatus, MSTATUS_MPRV);
    op_load(va + 8);
    csr_clear(mstatus, MSTATUS_MPRV);
    pr("MPRV=1 MPP=U, S page: traps=%d cause=%lx tval=%lx\n", trap_count, trap_log[0].cause,
       trap_log[0].tval);
    csr_write(mstatus, ms);
    csr_write(satp, 0);
    asm volatile("sfence.vma");
}
