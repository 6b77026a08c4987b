/*
 * rv-csr.c - control and status registers: the set QEMU 7.2's virt exposes
 * for an RV64GC hart without H (privileged spec 1.12), with QEMU's
 * write masks where the spec leaves a choice (e.g. a written MPP=2 is
 * kept, mtvec writes with mode >= 2 are ignored, UXL is writable with a
 * non-zero value, pmpaddr keeps all 64 written bits).
 */
#include "emu-core/log.h"
#include "targets/riscv/rv-internal.h"

enum {
    CSR_FFLAGS = 0x001,
    CSR_FRM = 0x002,
    CSR_FCSR = 0x003,
    CSR_CYCLE = 0xc00,
    CSR_TIME = 0xc01,
    CSR_INSTRET = 0xc02,
    CSR_HPMCOUNTER31 = 0xc1f,
    CSR_SSTATUS = 0x100,
    CSR_SIE = 0x104,
    CSR_STVEC = 0x105,
    CSR_SCOUNTEREN = 0x106,
    CSR_SENVCFG = 0x10a,
    CSR_SSCRATCH = 0x140,
    CSR_SEPC = 0x141,
    CSR_SCAUSE = 0x142,
    CSR_STVAL = 0x143,
    CSR_SIP = 0x144,
    CSR_SATP = 0x180,
    CSR_MSTATUS = 0x300,
    CSR_MISA = 0x301,
    CSR_MEDELEG = 0x302,
    CSR_MIDELEG = 0x303,
    CSR_MIE = 0x304,
    CSR_MTVEC = 0x305,
    CSR_MCOUNTEREN = 0x306,
    CSR_MENVCFG = 0x30a,
    CSR_MCOUNTINHIBIT = 0x320,
    CSR_MHPMEVENT3 = 0x323,
    CSR_MHPMEVENT31 = 0x33f,
    CSR_MSCRATCH = 0x340,
    CSR_MEPC = 0x341,
    CSR_MCAUSE = 0x342,
    CSR_MTVAL = 0x343,
    CSR_MIP = 0x344,
    CSR_PMPCFG0 = 0x3a0,
    CSR_PMPCFG3 = 0x3a3,
    CSR_PMPADDR0 = 0x3b0,
    CSR_PMPADDR15 = 0x3bf,
    CSR_TSELECT = 0x7a0,
    CSR_MCYCLE = 0xb00,
    CSR_MINSTRET = 0xb02,
    CSR_MHPMCOUNTER3 = 0xb03,
    CSR_MHPMCOUNTER31 = 0xb1f,
    CSR_MVENDORID = 0xf11,
    CSR_MARCHID = 0xf12,
    CSR_MIMPID = 0xf13,
    CSR_MHARTID = 0xf14,
    CSR_MCONFIGPTR = 0xf15,
};

/* QEMU 7.2's marchid/mimpid: its version number (7.2.22 in Debian 12). */
#define RV_MARCHID 0x70216
#define RV_MIMPID 0x70216

#define MISA_RV64 (2ull << 62)
#define MISA_EXT(c) (1ull << ((c) - 'A'))
#define RV_MISA                                                                                    \
    (MISA_RV64 | MISA_EXT('A') | MISA_EXT('C') | MISA_EXT('D') | MISA_EXT('F') | MISA_EXT('I') |   \
     MISA_EXT('M') | MISA_EXT('S') | MISA_EXT('U'))

#define MSTATUS_VS (3ull << 9)
#define MSTATUS_GVA (1ull << 38) /* H bits QEMU 7.2 keeps writable with H off */
#define MSTATUS_MPV (1ull << 39)
#define MSTATUS_WMASK                                                                              \
    (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPRV |        \
     MSTATUS_SUM | MSTATUS_MPP | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TSR | MSTATUS_TW |            \
     MSTATUS_VS | MSTATUS_FS)
#define SSTATUS_RMASK                                                                              \
    (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_VS | MSTATUS_FS | MSTATUS_XS |             \
     MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define SSTATUS_WMASK                                                                              \
    (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_VS | MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR)

/* Exceptions QEMU 7.2 lets medeleg delegate. */
#define MEDELEG_MASK 0xf0bfffull
#define ENVCFG_MASK 0xf1ull /* FIOM, CBIE, CBCFE, CBZE */

static uint64_t with_sd(uint64_t st)
{
    st &= ~MSTATUS_SD;
    if ((st & MSTATUS_FS) == MSTATUS_FS || (st & MSTATUS_VS) == MSTATUS_VS ||
        (st & MSTATUS_XS) == MSTATUS_XS)
        st |= MSTATUS_SD;
    return st;
}

void rv_csr_reset(struct rv_cpu *c)
{
    c->misa = RV_MISA;
    c->mstatus = (2ull << 32) | (2ull << 34); /* UXL = SXL = 64 */
    c->medeleg = c->mideleg = 0;
    c->mie = 0;
    c->mtvec = c->mscratch = c->mepc = c->mcause = c->mtval = 0;
    c->mcounteren = c->menvcfg = c->mcountinhibit = 0;
    c->stvec = c->sscratch = c->sepc = c->scause = c->stval = 0;
    c->scounteren = c->senvcfg = c->satp = 0;
    c->fflags = c->frm = 0;
    c->cycle_off = c->instret_off = -c->icount;
    for (int i = 0; i < 16; i++) {
        c->pmp.cfg[i] = 0;
        c->pmp.addr[i] = 0;
    }
    rv_pmp_update(c);
}

/* Counter access from S/U: mcounteren (and scounteren for U) must allow it. */
static bool counter_ok(struct rv_cpu *c, unsigned csr)
{
    unsigned bit = csr & 31;
    if (c->priv == RV_PRV_M)
        return true;
    if (!((c->mcounteren >> bit) & 1))
        return false;
    if (c->priv == RV_PRV_U && !((c->scounteren >> bit) & 1))
        return false;
    return true;
}

static bool fs_off(struct rv_cpu *c)
{
    return (c->mstatus & MSTATUS_FS) == 0;
}

static int csr_read(struct rv_cpu *c, unsigned csr, uint64_t *v)
{
    /* QEMU 7.2 implements 16 programmable counters (3..18); the others do not exist */
    if ((csr >= CSR_CYCLE + 19 && csr <= CSR_HPMCOUNTER31) ||
        (csr >= CSR_MHPMCOUNTER3 + 16 && csr <= CSR_MHPMCOUNTER31))
        return -1;
    if (csr >= CSR_CYCLE && csr <= CSR_HPMCOUNTER31) {
        if (!counter_ok(c, csr))
            return -1;
        if (csr == CSR_CYCLE)
            *v = c->icount + c->cycle_off;
        else if (csr == CSR_INSTRET)
            *v = c->icount + c->instret_off;
        else if (csr == CSR_TIME)
            *v = rv_read_time(c);
        else
            *v = 0;
        return 0;
    }
    if (csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) {
        *v = 0;
        return 0;
    }
    if (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31) {
        *v = 0;
        return 0;
    }
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG3) {
        if (csr & 1)
            return -1;
        unsigned base = (csr - CSR_PMPCFG0) * 4;
        uint64_t r = 0;
        for (int i = 0; i < 8; i++)
            r |= (uint64_t)c->pmp.cfg[base + i] << (8 * i);
        *v = r;
        return 0;
    }
    if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR15) {
        *v = c->pmp.addr[csr - CSR_PMPADDR0];
        return 0;
    }
    switch (csr) {
    case CSR_FFLAGS:
        if (fs_off(c))
            return -1;
        *v = c->fflags;
        return 0;
    case CSR_FRM:
        if (fs_off(c))
            return -1;
        *v = c->frm;
        return 0;
    case CSR_FCSR:
        if (fs_off(c))
            return -1;
        *v = c->fflags | (c->frm << 5);
        return 0;
    case CSR_SSTATUS:
        *v = with_sd(c->mstatus) & SSTATUS_RMASK;
        return 0;
    case CSR_SIE:
        *v = c->mie & c->mideleg & RV_MIP_S_MASK;
        return 0;
    case CSR_STVEC:
        *v = c->stvec;
        return 0;
    case CSR_SCOUNTEREN:
        *v = c->scounteren;
        return 0;
    case CSR_SENVCFG:
        *v = c->senvcfg;
        return 0;
    case CSR_SSCRATCH:
        *v = c->sscratch;
        return 0;
    case CSR_SEPC:
        *v = c->sepc;
        return 0;
    case CSR_SCAUSE:
        *v = c->scause;
        return 0;
    case CSR_STVAL:
        *v = c->stval;
        return 0;
    case CSR_SIP:
        *v = (c->mip_sw | c->mip_hw) & c->mideleg & RV_MIP_S_MASK;
        return 0;
    case CSR_SATP:
        if (c->priv == RV_PRV_S && (c->mstatus & MSTATUS_TVM))
            return -1;
        *v = c->satp;
        return 0;
    case CSR_MSTATUS:
        *v = with_sd(c->mstatus);
        return 0;
    case CSR_MISA:
        *v = c->misa;
        return 0;
    case CSR_MEDELEG:
        *v = c->medeleg;
        return 0;
    case CSR_MIDELEG:
        *v = c->mideleg;
        return 0;
    case CSR_MIE:
        *v = c->mie;
        return 0;
    case CSR_MTVEC:
        *v = c->mtvec;
        return 0;
    case CSR_MCOUNTEREN:
        *v = c->mcounteren;
        return 0;
    case CSR_MENVCFG:
        *v = c->menvcfg;
        return 0;
    case CSR_MCOUNTINHIBIT:
        *v = c->mcountinhibit;
        return 0;
    case CSR_MSCRATCH:
        *v = c->mscratch;
        return 0;
    case CSR_MEPC:
        *v = c->mepc;
        return 0;
    case CSR_MCAUSE:
        *v = c->mcause;
        return 0;
    case CSR_MTVAL:
        *v = c->mtval;
        return 0;
    case CSR_MIP:
        *v = c->mip_sw | c->mip_hw;
        return 0;
    case CSR_TSELECT:
        *v = 0;
        return 0;
    case CSR_MCYCLE:
        *v = c->icount + c->cycle_off;
        return 0;
    case CSR_MINSTRET:
        *v = c->icount + c->instret_off;
        return 0;
    case CSR_MVENDORID:
        *v = 0;
        return 0;
    case CSR_MARCHID:
        *v = RV_MARCHID;
        return 0;
    case CSR_MIMPID:
        *v = RV_MIMPID;
        return 0;
    case CSR_MHARTID:
        *v = c->cfg.hartid;
        return 0;
    case CSR_MCONFIGPTR:
        *v = 0;
        return 0;
    }
    return -1;
}

static void write_mstatus(struct rv_cpu *c, uint64_t v, uint64_t mask)
{
    uint64_t old = c->mstatus;
    uint64_t st = (old & ~mask) | (v & mask);
    c->mstatus = with_sd(st);
    if ((old ^ st) & (MSTATUS_SUM | MSTATUS_MXR))
        rv_tlb_flush(c);
    rv_update_mmu_ctx(c);
    rv_update_irq(c);
}

static int csr_write(struct rv_cpu *c, unsigned csr, uint64_t v)
{
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG3) {
        unsigned base = (csr - CSR_PMPCFG0) * 4;
        for (int i = 0; i < 8; i++)
            if (!(c->pmp.cfg[base + i] & 0x80))
                c->pmp.cfg[base + i] = v >> (8 * i);
        rv_pmp_update(c);
        return 0;
    }
    if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR15) {
        unsigned i = csr - CSR_PMPADDR0;
        if (c->pmp.cfg[i] & 0x80)
            return 0;
        if (i + 1 < 16 && (c->pmp.cfg[i + 1] & 0x80) && ((c->pmp.cfg[i + 1] >> 3) & 3) == 1)
            return 0; /* the next entry is a locked TOR using this address */
        c->pmp.addr[i] = v;
        rv_pmp_update(c);
        return 0;
    }
    if ((csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) ||
        (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31))
        return 0; /* not modelled: read as zero */
    switch (csr) {
    case CSR_FFLAGS:
        c->fflags = v & 0x1f;
        rv_fs_dirty(c);
        return 0;
    case CSR_FRM:
        c->frm = v & 7;
        rv_fs_dirty(c);
        return 0;
    case CSR_FCSR:
        c->fflags = v & 0x1f;
        c->frm = (v >> 5) & 7;
        rv_fs_dirty(c);
        return 0;
    case CSR_SSTATUS:
        write_mstatus(c, v, SSTATUS_WMASK);
        return 0;
    case CSR_SIE:
        c->mie = (c->mie & ~c->mideleg) | (v & c->mideleg & RV_MIP_S_MASK);
        rv_update_irq(c);
        return 0;
    case CSR_STVEC:
        if ((v & 3) < 2)
            c->stvec = v;
        return 0;
    case CSR_SCOUNTEREN:
        c->scounteren = v;
        return 0;
    case CSR_SENVCFG:
        c->senvcfg = v & ENVCFG_MASK;
        return 0;
    case CSR_SSCRATCH:
        c->sscratch = v;
        return 0;
    case CSR_SEPC:
        c->sepc = v;
        return 0;
    case CSR_SCAUSE:
        c->scause = v;
        return 0;
    case CSR_STVAL:
        c->stval = v;
        return 0;
    case CSR_SIP: {
        uint64_t m = c->mideleg & (1u << RV_IRQ_SSIP);
        c->mip_sw = (c->mip_sw & ~m) | (v & m);
        rv_update_irq(c);
        return 0;
    }
    case CSR_SATP: {
        if (c->priv == RV_PRV_S && (c->mstatus & MSTATUS_TVM))
            return -1;
        unsigned mode = v >> 60;
        if (mode != 0 && (mode < 8 || mode > (unsigned)c->cfg.satp_max_mode))
            return 0; /* unsupported mode: the write is ignored */
        c->satp = v;
        rv_tlb_flush(c);
        return 0;
    }
    case CSR_MSTATUS: {
        uint64_t mask = MSTATUS_WMASK | MSTATUS_GVA | MSTATUS_MPV;
        if (v & MSTATUS_UXL)
            mask |= MSTATUS_UXL;
        write_mstatus(c, v, mask);
        return 0;
    }
    case CSR_MISA:
        return 0; /* not writable */
    case CSR_MEDELEG:
        c->medeleg = v & MEDELEG_MASK;
        return 0;
    case CSR_MIDELEG:
        c->mideleg = v & (RV_MIP_S_MASK | RV_MIP_VS_MASK);
        rv_update_irq(c);
        return 0;
    case CSR_MIE:
        c->mie = v & (RV_MIP_ALL | RV_MIP_VS_MASK);
        rv_update_irq(c);
        return 0;
    case CSR_MTVEC:
        if ((v & 3) < 2)
            c->mtvec = v;
        return 0;
    case CSR_MCOUNTEREN:
        c->mcounteren = v;
        return 0;
    case CSR_MENVCFG:
        c->menvcfg = v & ENVCFG_MASK;
        return 0;
    case CSR_MCOUNTINHIBIT:
        c->mcountinhibit = v;
        return 0; /* kept, not acted on */
    case CSR_MSCRATCH:
        c->mscratch = v;
        return 0;
    case CSR_MEPC:
        c->mepc = v;
        return 0;
    case CSR_MCAUSE:
        c->mcause = v;
        return 0;
    case CSR_MTVAL:
        c->mtval = v;
        return 0;
    case CSR_MIP:
        c->mip_sw = (c->mip_sw & ~(RV_MIP_S_MASK | RV_MIP_VS_MASK)) |
                    (v & (RV_MIP_S_MASK | RV_MIP_VS_MASK));
        rv_update_irq(c);
        return 0;
    case CSR_TSELECT:
        return 0;
    case CSR_MCYCLE:
        c->cycle_off = v - c->icount;
        return 0;
    case CSR_MINSTRET:
        c->instret_off = v - c->icount;
        return 0;
    }
    return -1;
}

int rv_csr_op(struct rv_cpu *c, unsigned csr, unsigned funct3, uint64_t src, bool write, bool read,
              uint64_t *val)
{
    (void)read;
    if (((csr >> 8) & 3) > (unsigned)c->priv)
        return -1;
    if (write && (csr >> 10) == 3)
        return -1;
    uint64_t old;
    if (csr_read(c, csr, &old))
        return -1;
    if (write) {
        uint64_t nv;
        switch (funct3 & 3) {
        case 1:
            nv = src;
            break;
        case 2:
            nv = old | src;
            break;
        default:
            nv = old & ~src;
            break;
        }
        if (csr_write(c, csr, nv))
            return -1;
    }
    *val = old;
    return 0;
}
