/*
 * rv-cpu.c - the RISC-V hart as a vCPU of the "tcg" accelerator: creation,
 * reset, traps and interrupts, registers for the debugger.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "targets/riscv/rv-internal.h"
#include "targets/riscv/rv-jit.h"

struct rv_cpu *rv_all_cpus;

static inline struct rv_cpu *rv_of(struct vcpu *cpu)
{
    return cpu->arch;
}

uint64_t rv_read_time(struct rv_cpu *c)
{
    return c->read_mtime ? c->read_mtime(c->mtime_opaque) : 0;
}

void rv_update_mmu_ctx(struct rv_cpu *c)
{
    int dpriv = c->priv;
    if ((c->mstatus & MSTATUS_MPRV) && c->priv == RV_PRV_M)
        dpriv = (c->mstatus >> MSTATUS_MPP_SHIFT) & 3;
    c->itlb = c->tlb[rv_mmu_idx(c->priv)];
    c->dtlb = c->tlb[rv_mmu_idx(dpriv)];
}

void rv_update_irq(struct rv_cpu *c)
{
    uint64_t pending = (c->mip_sw | c->mip_hw) & c->mie & ~(uint64_t)RV_MIP_VS_MASK;
    uint64_t m = pending & ~c->mideleg, s = pending & c->mideleg;
    bool m_en = c->priv < RV_PRV_M || (c->mstatus & MSTATUS_MIE);
    bool s_en = c->priv < RV_PRV_S || (c->priv == RV_PRV_S && (c->mstatus & MSTATUS_SIE));
    c->irq_pend = (uint32_t)((m_en ? m : 0) | (s_en ? s : 0));
    if (c->irq_pend)
        c->icount_check = 0; /* leave chained execution at the next block boundary */
    if (pending && c->vcpu)
        c->vcpu->halted = false; /* wfi wakes on pending & enabled, whatever MIE/SIE say */
}

void rv_set_priv(struct rv_cpu *c, int priv)
{
    c->priv = priv;
    rv_update_mmu_ctx(c);
    rv_update_irq(c);
}

/* Highest-priority pending interrupt: M-level ones first, then MEI, MSI, MTI, SEI, SSI, STI. */
bool rv_take_interrupt(struct rv_cpu *c)
{
    static const int order[7] = {RV_IRQ_MEIP, RV_IRQ_MSIP, RV_IRQ_MTIP, RV_IRQ_SEIP,
                                 RV_IRQ_SSIP, RV_IRQ_STIP, RV_IRQ_LCOFI};
    uint32_t pend = c->irq_pend;
    uint32_t m = pend & ~(uint32_t)c->mideleg;
    uint32_t set = m ? m : pend;
    for (int i = 0; i < 7; i++)
        if (set & (1u << order[i])) {
            rv_raise(c, (1ull << 63) | order[i], 0);
            return true;
        }
    return false;
}

void rv_raise(struct rv_cpu *c, uint64_t cause, uint64_t tval)
{
    bool irq = cause >> 63;
    unsigned code = cause & 63;
    uint64_t deleg = irq ? c->mideleg : c->medeleg;
    uint64_t st = c->mstatus;

    if (log_enabled_for(LOG_INT))
        log_mask(LOG_INT, "rv: hart %d %s %u at pc=%#llx tval=%#llx priv=%d\n", c->cfg.hartid,
                 irq ? "interrupt" : "exception", code, (unsigned long long)c->pc,
                 (unsigned long long)tval, c->priv);
    if (c->priv <= RV_PRV_S && ((deleg >> code) & 1)) {
        c->scause = cause;
        c->sepc = c->pc;
        c->stval = tval;
        st = (st & ~MSTATUS_SPIE) | ((st & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
        st &= ~(MSTATUS_SIE | MSTATUS_SPP);
        if (c->priv == RV_PRV_S)
            st |= MSTATUS_SPP;
        c->mstatus = st;
        c->pc = (c->stvec & ~3ull) + ((irq && (c->stvec & 1)) ? 4 * code : 0);
        rv_set_priv(c, RV_PRV_S);
    } else {
        c->mcause = cause;
        c->mepc = c->pc;
        c->mtval = tval;
        st = (st & ~MSTATUS_MPIE) | ((st & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
        st &= ~(MSTATUS_MIE | MSTATUS_MPP);
        st |= (uint64_t)c->priv << MSTATUS_MPP_SHIFT;
        c->mstatus = st;
        c->pc = (c->mtvec & ~3ull) + ((irq && (c->mtvec & 1)) ? 4 * code : 0);
        rv_set_priv(c, RV_PRV_M);
    }
}

void rv_mret(struct rv_cpu *c)
{
    uint64_t st = c->mstatus;
    int prev = (st >> MSTATUS_MPP_SHIFT) & 3;
    c->pc = c->mepc;
    st = (st & ~MSTATUS_MIE) | ((st & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
    st |= MSTATUS_MPIE;
    st &= ~MSTATUS_MPP; /* U */
    if (prev != RV_PRV_M)
        st &= ~MSTATUS_MPRV;
    c->mstatus = st;
    rv_set_priv(c, prev);
}

void rv_sret(struct rv_cpu *c)
{
    uint64_t st = c->mstatus;
    int prev = (st & MSTATUS_SPP) ? RV_PRV_S : RV_PRV_U;
    c->pc = c->sepc;
    st = (st & ~MSTATUS_SIE) | ((st & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
    st |= MSTATUS_SPIE;
    st &= ~(MSTATUS_SPP | MSTATUS_MPRV);
    c->mstatus = st;
    rv_set_priv(c, prev);
}

/* ---- irq lines ---- */

static void rv_irq_handler(void *opaque, int n, int level)
{
    struct rv_cpu *c = opaque;
    if (n < 0 || n >= 12 || !((RV_MIP_ALL >> n) & 1))
        return;
    if (level)
        c->mip_hw |= 1u << n;
    else
        c->mip_hw &= ~(1u << n);
    rv_update_irq(c);
}

struct irq_line *rv_cpu_irq_lines(struct vcpu *cpu)
{
    return rv_of(cpu)->lines;
}

void rv_cpu_set_time_source(struct vcpu *cpu, uint64_t (*read_mtime)(void *opaque), void *opaque)
{
    struct rv_cpu *c = rv_of(cpu);
    c->read_mtime = read_mtime;
    c->mtime_opaque = opaque;
}

void rv_cpu_set_boot_regs(struct vcpu *cpu, uint64_t pc, uint64_t a0, uint64_t a1, uint64_t a2)
{
    struct rv_cpu *c = rv_of(cpu);
    c->boot_pc = pc;
    c->boot_a0 = a0;
    c->boot_a1 = a1;
    c->boot_a2 = a2;
    c->have_boot_regs = true;
}

const char *rv_cpu_isa_string(struct vcpu *cpu)
{
    (void)cpu;
    return "rv64imafdc_zicsr_zifencei";
}

/* ---- life cycle ---- */

static void rv_cpu_reset(struct rv_cpu *c)
{
    memset(c->x, 0, sizeof(c->x));
    memset(c->f, 0, sizeof(c->f));
    c->mip_sw = 0;
    rv_csr_reset(c);
    c->res_addr = ~0ull;
    c->priv = RV_PRV_M;
    c->pc = c->cfg.reset_pc;
    if (c->have_boot_regs) {
        c->pc = c->boot_pc;
        c->x[10] = c->boot_a0;
        c->x[11] = c->boot_a1;
        c->x[12] = c->boot_a2;
    }
    rv_tlb_flush(c);
    rv_tb_clear_jc(c);
    rv_set_priv(c, RV_PRV_M);
}

static void rv_listener_commit(struct mem_listener *l, struct address_space *as)
{
    (void)as;
    struct rv_cpu *c = (struct rv_cpu *)((char *)l - offsetof(struct rv_cpu, listener));
    rv_tlb_flush(c);
    rv_tb_flush_all();
    c->tb_dirty = true;
    c->icount_check = 0;
}

int rv_cpu_create(struct machine *m, const struct rv_cpu_config *cfg, struct vcpu **out)
{
    struct vcpu *cpu = calloc(1, sizeof(*cpu));
    struct rv_cpu *c = aligned_alloc(64, (sizeof(*c) + 63) & ~(size_t)63);
    if (!cpu || !c) {
        free(cpu);
        free(c);
        return -ENOMEM;
    }
    memset(c, 0, sizeof(*c));
    c->cfg = *cfg;
    if (c->cfg.satp_max_mode < 8 || c->cfg.satp_max_mode > 10)
        c->cfg.satp_max_mode = 9;
    if (c->cfg.pmp_entries <= 0 || c->cfg.pmp_entries > 16)
        c->cfg.pmp_entries = 16; /* 0 means the default, as QEMU's virt */
    c->machine = m;
    c->as = &m->as;
    c->vcpu = cpu;
    irq_init_lines(c->lines, 12, rv_irq_handler, c);
    cpu->arch = c;
    rv_cpu_reset(c);
    int ret = machine_add_vcpu(m, cpu);
    if (ret < 0) {
        free(c);
        free(cpu);
        return ret;
    }
    *out = cpu;
    return 0;
}

/* ---- accelerator ---- */

static int tcg_probe(void)
{
    return 0;
}

static int tcg_init(struct machine *m)
{
    rv_exec_init();
    int ret = rv_tb_init();
    if (ret == 0)
        rv_jit_set_enabled(!(m && m->cfg && m->cfg->no_jit));
    return ret;
}

static int tcg_vcpu_create(struct vcpu *cpu)
{
    struct rv_cpu *c = rv_of(cpu);
    if (!c)
        return -EINVAL;
    rv_exec_init();
    int ret = rv_tb_init();
    if (ret < 0)
        return ret;
    c->next_cpu = rv_all_cpus;
    rv_all_cpus = c;
    c->listener.commit = rv_listener_commit;
    address_space_add_listener(c->as, &c->listener);
    return 0;
}

static void tcg_vcpu_destroy(struct vcpu *cpu)
{
    struct rv_cpu *c = rv_of(cpu);
    address_space_del_listener(c->as, &c->listener);
    for (struct rv_cpu **pp = &rv_all_cpus; *pp; pp = &(*pp)->next_cpu)
        if (*pp == c) {
            *pp = c->next_cpu;
            break;
        }
    free(c);
    cpu->arch = NULL;
}

static int tcg_vcpu_run(struct vcpu *cpu, struct vcpu_exit *exit)
{
    return rv_exec(rv_of(cpu), exit);
}

static void tcg_vcpu_reset(struct vcpu *cpu)
{
    rv_cpu_reset(rv_of(cpu));
}

static int tcg_get_reg(struct vcpu *cpu, int regno, uint64_t *val)
{
    struct rv_cpu *c = rv_of(cpu);
    if (regno >= 0 && regno < 32) {
        *val = c->x[regno];
    } else if (regno == 32) {
        *val = c->pc;
    } else if (regno >= 33 && regno < 65) {
        *val = c->f[regno - 33];
    } else if (regno >= 65 && regno < 65 + 4096) {
        int priv = c->priv;
        c->priv = RV_PRV_M;
        int r = rv_csr_op(c, regno - 65, 2, 0, false, true, val);
        c->priv = priv;
        return r ? -EINVAL : 0;
    } else {
        return -EINVAL;
    }
    return 0;
}

static int tcg_set_reg(struct vcpu *cpu, int regno, uint64_t val)
{
    struct rv_cpu *c = rv_of(cpu);
    if (regno > 0 && regno < 32) {
        c->x[regno] = val;
    } else if (regno == 0) {
        /* x0 stays zero */
    } else if (regno == 32) {
        c->pc = val;
    } else if (regno >= 33 && regno < 65) {
        c->f[regno - 33] = val;
    } else if (regno >= 65 && regno < 65 + 4096) {
        int priv = c->priv;
        uint64_t old;
        c->priv = RV_PRV_M;
        int r = rv_csr_op(c, regno - 65, 1, val, true, false, &old);
        c->priv = priv;
        rv_update_mmu_ctx(c);
        rv_update_irq(c);
        return r ? -EINVAL : 0;
    } else {
        return -EINVAL;
    }
    return 0;
}

static void tcg_set_irq(struct vcpu *cpu, int line, int level)
{
    rv_irq_handler(rv_of(cpu), line, level);
}

/* Fast write entries bypass dirty logging: drop them so logged writes take the slow path. */
static int tcg_dirty_log_sync(struct machine *m)
{
    for (int i = 0; i < m->ncpus; i++)
        if (m->cpus[i]->arch)
            rv_tlb_flush(rv_of(m->cpus[i]));
    return 0;
}

static void tcg_kick(struct vcpu *cpu)
{
    if (cpu->arch)
        rv_of(cpu)->icount_check = 0;
}

static const struct accel_ops rv_tcg_ops = {
    .name = "tcg",
    .probe = tcg_probe,
    .init = tcg_init,
    .vcpu_create = tcg_vcpu_create,
    .vcpu_destroy = tcg_vcpu_destroy,
    .vcpu_run = tcg_vcpu_run,
    .vcpu_reset = tcg_vcpu_reset,
    .get_reg = tcg_get_reg,
    .set_reg = tcg_set_reg,
    .set_irq = tcg_set_irq,
    .dirty_log_sync = tcg_dirty_log_sync,
    .kick = tcg_kick,
};
ACCEL_REGISTER(rv_tcg_ops);
