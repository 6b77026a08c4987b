/*
 * x86-nmi.c - the machine's NMI button (QMP inject-nmi, HMP nmi) on x86
 * boards. QEMU's x86_nmi() signals every CPU: where the CPU has a local
 * APIC the signal arrives on its LINT1 and the LVT decides (an OS routes
 * LINT1 as NMI on the boot CPU and masks it on the others), else the CPU's
 * NMI input is raised directly. So does this.
 */
#include "targets/x86/x86.h"

#include "emu-core/machine.h"

int x86_machine_nmi(struct machine *m)
{
    for (int i = 0; i < m->ncpus; i++) {
        struct x86_cpu *x = x86_cpu_of(m->cpus[i]);

        if (x->intc && x->intc->nmi)
            x->intc->nmi(x->intr_opaque);
        else
            x86_cpu_raise_nmi(&x->vcpu);
    }
    return 0;
}
