/* PMP: S/U accesses checked against TOR and NAPOT regions, no match denies S/U,
 * M bypasses unlocked entries, locked entries bind M and freeze their CSRs,
 * MPRV applies U checks to M loads. */
#include "rt.h"

void ret_42(void);
asm(".pushsection .text\n .align 2\n .option push\n .option norvc\nret_42:\n li a0, 42\n ret\n"
    " .option pop\n .popsection");

static ulong op_load(ulong a)
{
    ulong v = 0xbad;
    asm volatile("ld %0, 0(%1)" : "+r"(v) : "r"(a) : "memory");
    return v;
}
static ulong op_store(ulong a)
{
    asm volatile("sd %0, 0(%0)" ::"r"(a) : "memory");
    return 0;
}
static ulong op_amo(ulong a)
{
    ulong v = 0xbad;
    asm volatile("amoor.d %0, zero, 0(%1)" : "+r"(v) : "r"(a) : "memory");
    return v;
}
static ulong op_fetch(ulong a)
{
    ulong v;
    asm volatile("mv a0, %1\n jalr ra, 0(a0)\n mv %0, a0" : "=r"(v) : "r"(a) : "ra", "a0",
                 "memory");
    return v;
}
static const char *const names[] = {"load", "store", "amo", "fetch"};
static ulong (*const ops[])(ulong) = {op_load, op_store, op_amo, op_fetch};

static ulong base;

static void access(const char *label, int mode, int op, ulong a)
{
    trap_reset();
    ulong r = mode == PRV_M ? ops[op](a) : enter_mode(mode, ops[op], a);
    pr("%s %s %s: ", label, mode == PRV_M ? "M" : mode == PRV_S ? "S" : "U", names[op]);
    if (trap_count)
        pr("cause=%lx tval=%lx\n", trap_log[0].cause,
           trap_log[0].tval - (trap_log[0].tval - base < 0x400000 ? base : 0));
    else
        pr("ok %lx\n", (op == 0 || op == 2) && r >= base ? r - base : r);
}

#define NAPOT(a, size) (((a) >> 2) | (((size) >> 3) - 1))
#define CFG(i, v) ((ulong)(v) << (8 * (i)))
#define R 1
#define W 2
#define X 4
#define A_TOR (1 << 3)
#define A_NAPOT (3 << 3)
#define L 0x80

int main(void)
{
    base = (ulong)__scratch_start;
    ulong pg_rw = base, pg_r = base + 0x1000, pg_x = base + 0x2000, pg_none = base + 0x3000;
    for (int i = 0; i < 5 * 512; i++)
        ((uint64_t *)base)[i] = base + i * 8;
    memcpy((void *)pg_x, (void *)ret_42, 8);
    memcpy((void *)(pg_none + 0x1000), (void *)ret_42, 8);
    asm volatile("fence.i");

    /* 0/1: TOR [pg_rw, pg_rw+4K) RW; 2: NAPOT pg_r R; 3: NAPOT pg_x X;
     * 4: NAPOT pg_none no access; 5: NAPOT first 64M of RAM RWX. */
    csr_write(pmpcfg2, 0);
    csr_write(pmpaddr0, pg_rw >> 2);
    csr_write(pmpaddr1, (pg_rw + 0x1000) >> 2);
    csr_write(pmpaddr2, NAPOT(pg_r, 0x1000));
    csr_write(pmpaddr3, NAPOT(pg_x, 0x1000));
    csr_write(pmpaddr4, NAPOT(pg_none, 0x1000));
    csr_write(pmpaddr5, NAPOT(0x80000000UL, 0x4000000));
    csr_write(pmpcfg0, CFG(1, A_TOR | R | W) | CFG(2, A_NAPOT | R) | CFG(3, A_NAPOT | X) |
                           CFG(4, A_NAPOT) | CFG(5, A_NAPOT | R | W | X));
    asm volatile("sfence.vma");
    pr("pmpcfg0 = %lx\n", csr_read(pmpcfg0));
    pr("pmpaddr2 - napot(base) = %lx\n", csr_read(pmpaddr2) - (base >> 2));

    for (int m = PRV_U; m <= PRV_S; m++) {
        for (int op = 0; op < 4; op++) {
            access("TOR RW", m, op, pg_rw + 8);
            access("NAPOT R", m, op, pg_r + 8);
            access("NAPOT X", m, op, op == 3 ? pg_x : pg_x + 8);
            access("NAPOT none", m, op, pg_none + 8);
            access("RAM RWX", m, op, op == 3 ? pg_none + 0x1000 : pg_none + 0x1008);
        }
        access("no match (UART)", m, 0, UART_BASE);
        access("no match (UART)", m, 1, UART_BASE + 7);
        access("no match (CLINT)", m, 0, CLINT_MTIME);
        access("no match (RAM)", m, 0, 0x87000000UL);
    }
    /* An access straddling two regions: both must allow it (QEMU checks the whole
     * range against the first matching entry). */
    access("straddle RW|R", PRV_S, 0, pg_rw + 0xffc);
    access("straddle RW|R", PRV_S, 1, pg_rw + 0xffc);

    /* M ignores unlocked entries. */
    for (int op = 0; op < 3; op++)
        access("NAPOT none", PRV_M, op, pg_none + 8);
    access("NAPOT none", PRV_M, 3, pg_none + 0x1000 - 0x1000 + 0x1000);
    access("no match (RAM)", PRV_M, 0, 0x87000000UL);
    access("no match (RAM)", PRV_M, 1, 0x87000000UL);

    /* MPRV with MPP=U: M loads and stores are checked as U. */
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, MSTATUS_MPRV);
    trap_reset();
    op_load(pg_none + 8);
    op_store(pg_r + 8);
    csr_clear(mstatus, MSTATUS_MPRV);
    csr_set(mstatus, MSTATUS_MPP);
    pr("MPRV=1 MPP=U: traps=%d causes %lx %lx\n", trap_count, trap_log[0].cause,
       trap_log[1].cause);

    /* Locked entries: enforced on M, and their CSRs ignore writes. Entry 4
     * (pg_none) and TOR entry 1 get L. */
    csr_set(pmpcfg0, CFG(4, L) | CFG(1, L));
    pr("locked pmpcfg0 = %lx\n", csr_read(pmpcfg0));
    for (int op = 0; op < 4; op++)
        access("locked none", PRV_M, op, op == 3 ? pg_none : pg_none + 8);
    access("locked TOR RW", PRV_M, 0, pg_rw + 8);
    access("locked TOR RW", PRV_M, 3, pg_rw);
    csr_write(pmpaddr4, 0);
    csr_write(pmpaddr1, 0);
    csr_write(pmpaddr0, 0); /* TOR base of a locked TOR entry: also frozen */
    csr_clear(pmpcfg0, CFG(4, 0xff) | CFG(1, 0xff));
    pr("after writes: pmpcfg0 = %lx addr0 ok %lx addr1 ok %lx addr4 ok %lx\n", csr_read(pmpcfg0),
       csr_read(pmpaddr0) == pg_rw >> 2, csr_read(pmpaddr1) == (pg_rw + 0x1000) >> 2,
       csr_read(pmpaddr4) == NAPOT(pg_none, 0x1000));
    /* Unlocked entries can still change. */
    csr_write(pmpaddr3, 0);
    pr("unlocked pmpaddr3 written: %lx\n", csr_read(pmpaddr3));
    pr("DONE pmp\n");
    return 0;
}
