/*
 * x86-cpu.c - the board-facing side of an x86 vCPU: creation, the INTR pin
 * and the interrupt acknowledge hook. Everything that touches the real CPU
 * is the accelerator's (host/kvm.c).
 */
#include "targets/x86/x86.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/machine.h"

static void x86_intr_set(void *opaque, int n, int level)
{
    struct x86_cpu *x = opaque;

    (void)n;
    x->intr_level = level != 0;
    /*
     * A halted CPU looks at INTR again; the accelerator keeps it halted if
     * IF=0 (or in wait-for-SIPI). Devices run between vCPU slices or inside
     * another vCPU's (one thread), so no kick.
     */
    if (level)
        x->vcpu.halted = false;
}

int x86_cpu_create(struct machine *m, struct vcpu **out)
{
    struct x86_cpu *x = calloc(1, sizeof(*x));
    int ret;

    if (!x)
        return -ENOMEM;
    x->vcpu.arch = x;
    x->bsp = m->ncpus == 0;
    x86_topo_from_config(&x->topo, m->cfg, m->cfg->smp);
    x->apic_id = x86_topo_apic_id(&x->topo, m->ncpus);
    x->sipi_vector = x->start_vector = -1;
    x->intr_pin = (struct irq_line){.handler = x86_intr_set, .opaque = x, .n = 0};
    ret = machine_add_vcpu(m, &x->vcpu);
    if (ret < 0) {
        free(x);
        return ret;
    }
    *out = &x->vcpu;
    return 0;
}

struct irq_line *x86_cpu_intr_pin(struct vcpu *cpu)
{
    return &x86_cpu_of(cpu)->intr_pin;
}

void x86_cpu_set_intr_ack(struct vcpu *cpu, int (*ack)(void *opaque), void *opaque)
{
    struct x86_cpu *x = x86_cpu_of(cpu);

    x->intr_ack = ack;
    x->intr_opaque = opaque;
}

void x86_cpu_set_intc(struct vcpu *cpu, const struct x86_intc_ops *ops, void *opaque)
{
    struct x86_cpu *x = x86_cpu_of(cpu);

    x->intc = ops;
    x->intr_ack = ops ? ops->ack : NULL;
    x->intr_opaque = opaque;
}

void x86_cpu_raise_nmi(struct vcpu *cpu)
{
    x86_cpu_of(cpu)->nmi_pending = true;
    cpu->halted = false;
}

int x86_cpu_rdmsr(struct vcpu *cpu, uint32_t msr, uint64_t *val)
{
    struct x86_cpu *x = x86_cpu_of(cpu);

    if (!x->intc || !x->intc->rdmsr)
        return -ENOENT;
    return x->intc->rdmsr(x->intr_opaque, msr, val);
}

int x86_cpu_wrmsr(struct vcpu *cpu, uint32_t msr, uint64_t val)
{
    struct x86_cpu *x = x86_cpu_of(cpu);

    if (!x->intc || !x->intc->wrmsr)
        return -ENOENT;
    return x->intc->wrmsr(x->intr_opaque, msr, val);
}

void x86_cpu_power_on(struct vcpu *cpu, bool bsp)
{
    struct x86_cpu *x = x86_cpu_of(cpu);

    x->bsp = bsp;
    x->wait_sipi = !bsp;
    x->init_pending = false;
    x->sipi_vector = x->start_vector = -1;
}

void x86_cpu_init_ipi(struct vcpu *cpu)
{
    struct x86_cpu *x = x86_cpu_of(cpu);

    x->init_pending = true;
    x->sipi_vector = -1;
    cpu->halted = false; /* to let x86_cpu_mp_poll apply it */
}

void x86_cpu_sipi(struct vcpu *cpu, int vector)
{
    struct x86_cpu *x = x86_cpu_of(cpu);

    /* SDM 9.4.4: a STARTUP to a CPU not in wait-for-SIPI is ignored; a pending INIT puts it there. */
    if (!x->wait_sipi && !(x->init_pending && !x->bsp))
        return;
    x->sipi_vector = vector & 0xff;
    cpu->halted = false;
}

/* The accelerator's reset as INIT or STARTUP does it: MSRs stay (x86_cpu.init_reset). */
static void x86_cpu_init_reset(struct vcpu *cpu)
{
    struct x86_cpu *x = x86_cpu_of(cpu);

    x->init_reset = true;
    if (cpu->accel->vcpu_reset)
        cpu->accel->vcpu_reset(cpu);
    x->init_reset = false;
}

bool x86_cpu_mp_poll(struct vcpu *cpu)
{
    struct x86_cpu *x = x86_cpu_of(cpu);

    if (x->init_pending) {
        int sipi = x->sipi_vector;
        x->init_pending = false;
        x->start_vector = -1;
        x86_cpu_init_reset(cpu);
        x->wait_sipi = !x->bsp;
        x->sipi_vector = sipi;
    }
    if (!x->wait_sipi)
        return false;
    if (x->sipi_vector < 0)
        return true;
    x->start_vector = x->sipi_vector;
    x->sipi_vector = -1;
    x86_cpu_init_reset(cpu);
    x->start_vector = -1;
    x->wait_sipi = false;
    return false;
}

void x86_seg_sipi_cs(struct x86_seg *cs, int vector)
{
    *cs = (struct x86_seg){.base = (uint64_t)(vector & 0xff) << 12,
                           .limit = 0xffff,
                           .selector = (uint16_t)((vector & 0xff) << 8),
                           .type = 0xb,
                           .s = true,
                           .present = true};
}

void x86_seg_flat32(struct x86_seg *s, uint16_t selector, bool code)
{
    *s = (struct x86_seg){.base = 0,
                          .limit = 0xffffffff,
                          .selector = selector,
                          .type = code ? 0xb : 0x3,
                          .s = true,
                          .present = true,
                          .db = true,
                          .g = true};
}
