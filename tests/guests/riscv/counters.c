/* Counters: cycle/time/instret and hpmcounters from M, S and U, gated by
 * mcounteren and scounteren. Only whether an access traps is printed. */
#include "rt.h"

#define RD(csr)                                                                                \
    static ulong rd_##csr(ulong a)                                                             \
    {                                                                                          \
        (void)a;                                                                               \
        ulong v;                                                                               \
        asm volatile("csrr %0, " #csr : "=r"(v));                                              \
        return v;                                                                              \
    }
RD(cycle)
RD(time)
RD(instret)
RD(hpmcounter3)
RD(hpmcounter31)
RD(mcycle)

static ulong (*const rds[])(ulong) = {rd_cycle, rd_time, rd_instret, rd_hpmcounter3,
                                      rd_hpmcounter31, rd_mcycle};
static const char *const names[] = {"cycle", "time", "instret", "hpmcounter3", "hpmcounter31",
                                    "mcycle"};

static void probe(const char *label, int mode)
{
    pr("%s:", label);
    for (unsigned i = 0; i < 6; i++) {
        trap_reset();
        if (mode == PRV_M)
            rds[i](0);
        else
            enter_mode(mode, rds[i], 0);
        if (trap_count)
            pr(" %s=trap(%lx,%lx)", names[i], trap_log[0].cause, trap_log[0].tval);
        else
            pr(" %s=ok", names[i]);
    }
    putch('\n');
}

int main(void)
{
    probe("M", PRV_M);
    static const ulong men[] = {0, 1, 2, 4, 7, 8, 0x80000000UL, -1UL};
    for (unsigned i = 0; i < sizeof(men) / sizeof(men[0]); i++) {
        csr_write(mcounteren, men[i]);
        csr_write(scounteren, 0);
        pr("mcounteren=%lx scounteren=0 ", men[i]);
        probe("S", PRV_S);
        pr("mcounteren=%lx scounteren=0 ", men[i]);
        probe("U", PRV_U);
        csr_write(scounteren, -1UL);
        pr("mcounteren=%lx scounteren=~0 ", men[i]);
        probe("U", PRV_U);
    }
    csr_write(mcounteren, -1UL);
    csr_write(scounteren, 5);
    probe("mcounteren=~0 scounteren=5 U", PRV_U);
    csr_write(mcounteren, 0);
    csr_write(scounteren, 0);
    /* Counters move forward. */
    ulong a = csr_read(minstret), b = csr_read(minstret);
    ulong c = csr_read(mcycle), d = csr_read(mcycle);
    pr("minstret advances %lx mcycle advances %lx\n", b > a, d > c);
    ulong t0 = csr_read(time), m0 = mmio_r64(CLINT_MTIME), t1 = csr_read(time);
    pr("time tracks mtime %lx\n", t0 <= m0 && m0 <= t1);
    /* Writing minstret/mcycle from M is legal. */
    trap_reset();
    csr_write(minstret, 0);
    csr_write(mcycle, 0);
    pr_trap("write minstret/mcycle", 0, 0);
    pr("DONE counters\n");
    return 0;
}
