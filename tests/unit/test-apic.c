/*
 * test-apic.c - the local APIC and I/O APIC models on their own: reset
 * state, PIC pass-through (ExtINT), priorities (TPR/PPR/ISR), EOI and its
 * broadcast, the timer in one-shot and periodic mode on virtual time,
 * errors, self-IPIs, NMI on LINT1 (and inject-nmi through it), x2APIC MSRs,
 * relocation of the xAPIC page, and I/O APIC edge/level routing with Remote
 * IRR. Then three APICs on one bus: INIT/STARTUP and the CPUs' wait-for-SIPI
 * state, IPIs by physical and logical destination and by shorthand, lowest
 * priority, NMI, MSIs, the window's per-CPU page and the I/O APIC aimed at
 * an AP.
 */
#include <errno.h>
#include <string.h>

#include "emu-core/accel.h"
#include "emu-core/clock.h"
#include "emu-core/device.h"
#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/memory.h"
#include "hw/intc/apic.h"
#include "hw/intc/ioapic.h"
#include "targets/x86/x86.h"
#include "tests/unit/check.h"

static int intr_level;
static void intr_set(void *opaque, int n, int level)
{
    (void)opaque;
    (void)n;
    intr_level = level;
}

static int pic_acks;
static int fake_pic_ack(void *opaque)
{
    (void)opaque;
    pic_acks++;
    return 0x30;
}

static int eoi_vector = -1;
static struct device *g_ioapic;
static void eoi_hook(void *opaque, int vector)
{
    (void)opaque;
    eoi_vector = vector;
    if (g_ioapic)
        ioapic_eoi(g_ioapic, vector);
}

static struct address_space as;

static uint32_t rd(uint32_t off)
{
    uint64_t v;
    address_space_load(&as, APIC_DEFAULT_BASE + off, 4, &v);
    return (uint32_t)v;
}
static void wr(uint32_t off, uint32_t v)
{
    address_space_store(&as, APIC_DEFAULT_BASE + off, 4, v);
}
static uint32_t io_rd(struct device *io, unsigned reg)
{
    uint64_t v;
    address_space_store(&as, IOAPIC_DEFAULT_BASE, 4, reg);
    address_space_load(&as, IOAPIC_DEFAULT_BASE + 0x10, 4, &v);
    (void)io;
    return (uint32_t)v;
}
static void io_wr(unsigned reg, uint32_t v)
{
    address_space_store(&as, IOAPIC_DEFAULT_BASE, 4, reg);
    address_space_store(&as, IOAPIC_DEFAULT_BASE + 0x10, 4, v);
}

/* Ack-and-EOI whatever is deliverable; returns how many interrupts were taken. */
static int drain(struct apic *a)
{
    int n = 0;
    while (intr_level) {
        int v = apic_intack(a);
        if (v < 0)
            break;
        n++;
        wr(0xb0, 0);
    }
    return n;
}

/* Three CPUs (fake: resets are counted, with the start vector they saw) on one APIC bus. */
static int resets[3], reset_vector[3];
static void smp_reset(struct vcpu *cpu)
{
    resets[cpu->index]++;
    reset_vector[cpu->index] = x86_cpu_of(cpu)->start_vector;
}
static const struct accel_ops smp_accel = {.name = "fake", .vcpu_reset = smp_reset};

static struct address_space smp_as;
static uint32_t smp_rd(struct vcpu *cpu, uint32_t off)
{
    uint64_t v = 0;
    vcpu_set_current(cpu);
    address_space_load(&smp_as, APIC_DEFAULT_BASE + off, 4, &v);
    return (uint32_t)v;
}
static void smp_wr(struct vcpu *cpu, uint32_t off, uint32_t v)
{
    vcpu_set_current(cpu);
    address_space_store(&smp_as, APIC_DEFAULT_BASE + off, 4, v);
}
static bool irr_has(struct apic *a, int v)
{
    return a->irr[v >> 5] >> (v & 31) & 1;
}
static void irr_clear_all(struct apic **a)
{
    for (int i = 0; i < 3; i++)
        memset(a[i]->irr, 0, sizeof(a[i]->irr));
}

static void test_smp(struct vclock *clk)
{
    static struct x86_cpu c[3];
    static struct apic_bus bus;
    struct mem_region root;
    struct device *d[3];
    struct apic *a[3];
    struct vcpu *v[3];

    mem_region_init_container(&root, "sys-smp", UINT64_MAX);
    address_space_init(&smp_as, &root, "memory");
    apic_bus_init(&bus);
    mem_region_add_subregion(&root, APIC_DEFAULT_BASE, &bus.mmio, 1);
    for (int i = 0; i < 3; i++) {
        memset(&c[i], 0, sizeof(c[i]));
        v[i] = &c[i].vcpu;
        c[i].vcpu.arch = &c[i];
        c[i].vcpu.index = i;
        c[i].vcpu.accel = &smp_accel;
        c[i].intr_pin = (struct irq_line){.handler = intr_set};
        d[i] = device_new(NULL, &apic_type, "apic");
        a[i] = (struct apic *)d[i];
        device_prop_set_link(d[i], "cpu", v[i]);
        device_prop_set_link(d[i], "clock", clk);
        device_prop_set_link(d[i], "sysmem", &root);
        device_prop_set_u64(d[i], "id", (uint64_t)i);
        device_prop_set_u64(d[i], "bsp", i == 0);
        CHECK_EQ(apic_bus_add(&bus, d[i]), 0);
        CHECK_EQ(device_realize(d[i]), 0);
    }
    /* After reset the APs wait for SIPI; the BSP runs. Each CPU sees its own page. */
    CHECK(!x86_cpu_mp_poll(v[0]));
    CHECK(x86_cpu_mp_poll(v[1]));
    CHECK(x86_cpu_mp_poll(v[2]));
    CHECK_EQ(smp_rd(v[0], 0x20), 0u);
    CHECK_EQ(smp_rd(v[2], 0x20), 2u << 24);
    for (int i = 0; i < 3; i++)
        smp_wr(v[i], 0xf0, 0x1ff);

    /* INIT, STARTUP to CPU 1 (SDM 9.4.4): it starts at 9a00:0000, once. */
    c[0].vcpu.exit_request = 0;
    smp_wr(v[0], 0x310, 1u << 24);
    smp_wr(v[0], 0x300, 0x4500);
    CHECK_EQ(smp_rd(v[1], 0xf0), 0xffu); /* INIT reset its APIC (the ID stays) */
    CHECK_EQ(smp_rd(v[1], 0x20), 1u << 24);
    CHECK(c[0].vcpu.exit_request); /* the sender yields to the target */
    smp_wr(v[0], 0x300, 0x8500); /* INIT level de-assert: nothing */
    smp_wr(v[0], 0x300, 0x4600 | 0x9a);
    smp_wr(v[0], 0x300, 0x4600 | 0x9b); /* the second STARTUP of the sequence: same CPU state */
    CHECK(!x86_cpu_mp_poll(v[1]));
    CHECK_EQ(resets[1], 2); /* INIT, then the STARTUP's entry state */
    CHECK_EQ(reset_vector[1], 0x9b);
    CHECK_EQ(c[1].start_vector, -1);
    smp_wr(v[0], 0x300, 0x4600 | 0x10); /* running now: STARTUP ignored */
    CHECK(!x86_cpu_mp_poll(v[1]));
    CHECK_EQ(resets[1], 2);
    CHECK(x86_cpu_mp_poll(v[2])); /* CPU 2 still waits */
    CHECK_EQ(resets[2], 0);
    struct x86_seg cs;
    x86_seg_sipi_cs(&cs, 0x9b);
    CHECK_EQ(cs.selector, 0x9b00);
    CHECK_EQ(cs.base, 0x9b000ull);

    /* Broadcast INIT + STARTUP (all excluding self), as SeaBIOS does. */
    smp_wr(v[0], 0x300, 0xc4500);
    smp_wr(v[0], 0x300, 0xc4600 | 0x08);
    CHECK(!x86_cpu_mp_poll(v[0]));
    CHECK_EQ(resets[0], 0);
    CHECK(!x86_cpu_mp_poll(v[1]));
    CHECK(!x86_cpu_mp_poll(v[2]));
    CHECK_EQ(reset_vector[1], 0x08);
    CHECK_EQ(reset_vector[2], 0x08);
    for (int i = 0; i < 3; i++)
        smp_wr(v[i], 0xf0, 0x1ff);

    /* Fixed IPIs: physical destination, shorthands. */
    smp_wr(v[0], 0x310, 2u << 24);
    smp_wr(v[0], 0x300, 0x4041);
    CHECK(irr_has(a[2], 0x41) && !irr_has(a[1], 0x41) && !irr_has(a[0], 0x41));
    smp_wr(v[1], 0x300, 0xc4042); /* all excluding self, from CPU 1 */
    CHECK(irr_has(a[0], 0x42) && !irr_has(a[1], 0x42) && irr_has(a[2], 0x42));
    smp_wr(v[1], 0x300, 0x84043); /* all including self */
    CHECK(irr_has(a[0], 0x43) && irr_has(a[1], 0x43) && irr_has(a[2], 0x43));
    smp_wr(v[2], 0x300, 0x44044); /* self */
    CHECK(!irr_has(a[0], 0x44) && !irr_has(a[1], 0x44) && irr_has(a[2], 0x44));
    irr_clear_all(a);

    /* Logical flat model: LDR bits 1, 2, 4; destination 6 is CPUs 1 and 2. */
    for (int i = 0; i < 3; i++)
        smp_wr(v[i], 0xd0, (1u << i) << 24);
    smp_wr(v[0], 0x310, 6u << 24);
    smp_wr(v[0], 0x300, 0x4851);
    CHECK(!irr_has(a[0], 0x51) && irr_has(a[1], 0x51) && irr_has(a[2], 0x51));
    smp_wr(v[0], 0x300, 0x4952); /* lowest priority: one CPU takes it (the first, as QEMU) */
    CHECK(!irr_has(a[0], 0x52) && irr_has(a[1], 0x52) && !irr_has(a[2], 0x52));
    /* Cluster model: cluster 0, members 1 and 2 by bits 1 and 2 of the low nibble. */
    for (int i = 0; i < 3; i++) {
        smp_wr(v[i], 0xe0, 0x0fffffff);
        smp_wr(v[i], 0xd0, (1u << i) << 24);
    }
    smp_wr(v[0], 0x310, 0x04u << 24);
    smp_wr(v[0], 0x300, 0x4853);
    CHECK(!irr_has(a[0], 0x53) && !irr_has(a[1], 0x53) && irr_has(a[2], 0x53));
    irr_clear_all(a);

    /* NMI IPI; an illegal vector is refused with the sender's ESR. */
    smp_wr(v[0], 0x310, 1u << 24);
    smp_wr(v[0], 0x300, 0x4400);
    CHECK(c[1].nmi_pending && !c[0].nmi_pending && !c[2].nmi_pending);
    smp_wr(v[0], 0x300, 0x4005);
    smp_wr(v[0], 0x280, 0);
    CHECK_EQ(smp_rd(v[0], 0x280), 0x20u);

    /* MSIs: a device's write to the window (no current vCPU), or beyond its first page. */
    vcpu_set_current(NULL);
    address_space_store(&smp_as, APIC_DEFAULT_BASE | (2u << 12), 4, 0x0061);
    CHECK(irr_has(a[2], 0x61) && !irr_has(a[0], 0x61));
    apic_bus_msi(&bus, APIC_DEFAULT_BASE | (0xffu << 12), 0x8062); /* broadcast, level */
    CHECK(irr_has(a[0], 0x62) && irr_has(a[1], 0x62) && irr_has(a[2], 0x62));
    CHECK(a[1]->tmr[0x62 >> 5] >> (0x62 & 31) & 1);
    apic_bus_msi(&bus, APIC_DEFAULT_BASE | (1u << 12), 0x0500); /* INIT by MSI: refused */
    CHECK_EQ(c[1].init_pending, false);
    smp_wr(v[0], 1u << 12, 0x0063); /* a CPU's write beyond its page: an MSI (to 1) */
    CHECK(irr_has(a[1], 0x63) && !irr_has(a[0], 0x63));
    irr_clear_all(a);

    /* The I/O APIC aimed at CPU 2. */
    struct device *io = device_new(NULL, &ioapic_type, "ioapic");
    CHECK_EQ(device_realize(io), 0);
    ioapic_set_bus(io, &bus);
    mem_region_add_subregion(&root, IOAPIC_DEFAULT_BASE, ioapic_mmio(io), 0);
    address_space_store(&smp_as, IOAPIC_DEFAULT_BASE, 4, 0x10 + 2 * 4);
    address_space_store(&smp_as, IOAPIC_DEFAULT_BASE + 0x10, 4, 0x71);
    address_space_store(&smp_as, IOAPIC_DEFAULT_BASE, 4, 0x11 + 2 * 4);
    address_space_store(&smp_as, IOAPIC_DEFAULT_BASE + 0x10, 4, 2u << 24);
    irq_pulse(ioapic_irq(io, 4));
    CHECK(irr_has(a[2], 0x71) && !irr_has(a[0], 0x71) && !irr_has(a[1], 0x71));

    /* INIT to the BSP: it restarts at the reset vector, no SIPI needed. */
    smp_wr(v[1], 0x310, 0);
    smp_wr(v[1], 0x300, 0x4500);
    CHECK(!x86_cpu_mp_poll(v[0]));
    CHECK_EQ(resets[0], 1);
    CHECK_EQ(reset_vector[0], -1);

    vcpu_set_current(NULL);
    device_destroy(io);
    for (int i = 0; i < 3; i++)
        device_destroy(d[i]);
}

int main(void)
{
    struct mem_region root;
    struct vclock clk;
    struct x86_cpu x;
    uint64_t msr;

    log_enabled = 0;
    vclock_init(&clk);
    mem_region_init_container(&root, "sys", UINT64_MAX);
    address_space_init(&as, &root, "memory");
    memset(&x, 0, sizeof(x));
    x.vcpu.arch = &x;
    x.intr_pin = (struct irq_line){.handler = intr_set};

    struct device *d = device_new(NULL, &apic_type, "apic");
    CHECK(d != NULL);
    device_prop_set_link(d, "cpu", &x.vcpu);
    device_prop_set_link(d, "clock", &clk);
    device_prop_set_link(d, "sysmem", &root);
    CHECK_EQ(device_realize(d), 0);
    struct apic *a = (struct apic *)d;
    /* On a bus whose window serves the page to the current vCPU, as the pc board does. */
    static struct apic_bus bus;
    apic_bus_init(&bus);
    mem_region_add_subregion(&root, APIC_DEFAULT_BASE, &bus.mmio, 1);
    vcpu_set_current(&x.vcpu);
    CHECK_EQ(apic_bus_add(&bus, d), 0);
    apic_set_extint(d, fake_pic_ack, NULL);
    apic_set_eoi_hook(d, eoi_hook, NULL);

    /* Reset state (SDM 11.4.7.1, QEMU's BSP LINT0). */
    CHECK_EQ(rd(0x30), 0x50014);
    CHECK_EQ(rd(0xf0), 0xff);
    CHECK_EQ(rd(0x350), 0x700);
    CHECK_EQ(rd(0x360), 0x10000);
    CHECK_EQ(rd(0x320), 0x10000);
    CHECK_EQ(rd(0xe0), 0xffffffff);
    CHECK_EQ(apic_rdmsr(a, 0x1b, &msr), 0);
    CHECK_EQ(msr, 0xfee00900);

    /* The PIC's INTR goes through LINT0 (ExtINT) and its vector through our ack. */
    irq_raise(apic_lint(d, 0));
    CHECK_EQ(intr_level, 1);
    CHECK_EQ(apic_intr_peek(a), APIC_PEEK_EXTINT);
    CHECK_EQ(apic_intack(a), 0x30);
    CHECK_EQ(pic_acks, 1);
    irq_lower(apic_lint(d, 0));
    CHECK_EQ(intr_level, 0);

    /* Software enable; priorities. */
    wr(0xf0, 0x1ff);
    apic_deliver(d, APIC_DM_FIXED, 0x41, false);
    CHECK_EQ(intr_level, 1);
    CHECK_EQ(apic_intr_peek(a), 0x41);
    CHECK_EQ(apic_intack(a), 0x41);
    CHECK_EQ(rd(0x100 + 0x10 * 2), 1u << 1); /* ISR bit 0x41 */
    CHECK_EQ(rd(0x200 + 0x10 * 2), 0);
    CHECK_EQ(rd(0xa0), 0x40); /* PPR: the in-service class */
    apic_deliver(d, APIC_DM_FIXED, 0x45, false);
    CHECK_EQ(intr_level, 0); /* same class as in service: waits */
    apic_deliver(d, APIC_DM_FIXED, 0x51, false);
    CHECK_EQ(intr_level, 1);
    CHECK_EQ(apic_intack(a), 0x51);
    wr(0xb0, 0); /* EOI retires 0x51, the highest in service */
    CHECK_EQ(rd(0x100 + 0x10 * 2), 1u << 1);
    CHECK_EQ(intr_level, 0);
    wr(0xb0, 0);
    CHECK_EQ(intr_level, 1);
    CHECK_EQ(eoi_vector, -1); /* edge vectors are not broadcast */
    wr(0x80, 0x50);           /* TPR above 0x45's class */
    CHECK_EQ(rd(0xa0), 0x50);
    CHECK_EQ(intr_level, 0);
    CHECK_EQ(apic_get_cr8(a), 5);
    apic_set_cr8(a, 0);
    CHECK_EQ(intr_level, 1);
    CHECK_EQ(apic_intack(a), 0x45);
    wr(0xb0, 0);

    /* Level-triggered: TMR set, EOI broadcast with the vector. */
    apic_deliver(d, APIC_DM_FIXED, 0x62, true);
    CHECK_EQ(rd(0x180 + 0x30), 1u << 2);
    CHECK_EQ(apic_intack(a), 0x62);
    wr(0xb0, 0);
    CHECK_EQ(eoi_vector, 0x62);
    CHECK_EQ(rd(0x180 + 0x30), 0);

    /* Illegal vector and register: latched in ESR at the next ESR write. */
    apic_deliver(d, APIC_DM_FIXED, 5, false);
    rd(0x3f0);
    CHECK_EQ(rd(0x280), 0);
    wr(0x280, 0);
    CHECK_EQ(rd(0x280), 0xc0);
    wr(0x280, 0);
    CHECK_EQ(rd(0x280), 0);
    CHECK_EQ(intr_level, 0);

    /* Self-IPI through the ICR (shorthand self), and physical destination = own ID. */
    wr(0x300, 0x40000 | 0x77);
    CHECK_EQ(apic_intack(a), 0x77);
    wr(0xb0, 0);
    wr(0x310, 0);
    wr(0x300, 0x78);
    CHECK_EQ(apic_intack(a), 0x78);
    wr(0xb0, 0);
    wr(0x310, 3u << 24); /* someone else: nothing */
    wr(0x300, 0x79);
    CHECK_EQ(intr_level, 0);
    CHECK_EQ(rd(0x300) & (1u << 12), 0);

    /* LINT1 as NMI. */
    wr(0x360, 0x400);
    irq_raise(apic_lint(d, 1));
    CHECK(x.nmi_pending);
    irq_lower(apic_lint(d, 1));
    x.nmi_pending = false;

    /*
     * The machine's NMI button (inject-nmi: x86_machine_nmi, intc->nmi) arrives on LINT1
     * as in QEMU: an NMI in NMI mode, nothing while LINT1 is masked (as after reset).
     */
    {
        struct machine m = {.ncpus = 1, .cpus = {&x.vcpu}};
        x86_cpu_set_intc(&x.vcpu, &apic_intc_ops, d);
        CHECK_EQ(x86_machine_nmi(&m), 0);
        CHECK(x.nmi_pending);
        x.nmi_pending = false;
        wr(0x360, 0x10400);
        CHECK_EQ(x86_machine_nmi(&m), 0);
        CHECK(!x.nmi_pending);
        wr(0x360, 0x400);
        x86_cpu_set_intc(&x.vcpu, NULL, NULL); /* without a controller: the CPU's NMI pin */
        CHECK_EQ(x86_machine_nmi(&m), 0);
        CHECK(x.nmi_pending);
        x.nmi_pending = false;
    }

    /* Timer: periodic, divide by 1, 1 ms: 10 interrupts in 10 ms of virtual time. */
    wr(0x3e0, 0xb);
    wr(0x320, 0x20000 | 0x31);
    wr(0x380, 1000000);
    CHECK_EQ(rd(0x390), 1000000);
    int ticks = 0;
    for (int i = 1; i <= 100; i++) {
        vclock_set(&clk, i * 100000ull);
        vclock_run_timers(&clk);
        ticks += drain(a);
    }
    CHECK_EQ(ticks, 10);
    vclock_set(&clk, 10250000ull);
    CHECK_EQ(rd(0x390), 750000);
    /* Divide by 16: the count runs 16 times slower and keeps its value across the change. */
    wr(0x3e0, 0x3);
    CHECK_EQ(rd(0x390), 750000);
    vclock_set(&clk, 10250000ull + 1600);
    CHECK_EQ(rd(0x390), 749900);
    /* One-shot: exactly one interrupt, then the count stays at 0. */
    wr(0x3e0, 0xb);
    wr(0x320, 0x32);
    wr(0x380, 500000);
    ticks = 0;
    for (int i = 1; i <= 50; i++) {
        vclock_set(&clk, 20000000ull + i * 100000ull);
        vclock_run_timers(&clk);
        ticks += drain(a);
    }
    CHECK_EQ(ticks, 1);
    CHECK_EQ(rd(0x390), 0);
    /* A masked timer does not interrupt. */
    wr(0x320, 0x10000 | 0x20000 | 0x33);
    wr(0x380, 1000);
    vclock_set(&clk, 30000000ull);
    vclock_run_timers(&clk);
    CHECK_EQ(intr_level, 0);
    wr(0x380, 0);
    /*
     * A one-shot crossing that is due but whose timer has not run yet (timers run between
     * vCPU slices) is delivered when the guest writes a timer register first, not dropped.
     */
    wr(0x320, 0x34);
    wr(0x380, 1000);
    vclock_set(&clk, 30000000ull + 5000);
    wr(0x320, 0x34); /* Linux rewrites the LVT when it switches modes */
    CHECK_EQ(drain(a), 1);
    vclock_run_timers(&clk);
    CHECK_EQ(drain(a), 0); /* once */
    vclock_set(&clk, 30010000ull);
    wr(0x380, 1000);
    vclock_set(&clk, 30015000ull);
    wr(0x380, 2000); /* a new count behind a due one: both fire */
    CHECK_EQ(drain(a), 1);
    vclock_set(&clk, 30018000ull);
    vclock_run_timers(&clk);
    CHECK_EQ(drain(a), 1);
    /*
     * A 1-tick count on a running clock fires, though the clock has moved on past it by the
     * time the timer is armed (Linux programs one-shots down to about 1 us).
     */
    vclock_start(&clk);
    ticks = 0;
    for (int i = 0; i < 100; i++) {
        wr(0x380, 1);
        uint64_t t0 = vclock_ns(&clk);
        while (vclock_ns(&clk) < t0 + 10)
            ;
        vclock_run_timers(&clk);
        ticks += drain(a);
    }
    vclock_stop(&clk);
    CHECK_EQ(ticks, 100);

    /* Software disable masks every LVT, and the mask sticks. */
    wr(0xf0, 0xff);
    CHECK_EQ(rd(0x350) & 0x10000, 0x10000);
    wr(0x370, 0x40);
    CHECK_EQ(rd(0x370), 0x10040);
    apic_deliver(d, APIC_DM_FIXED, 0x70, false); /* held in IRR while software-disabled */
    CHECK_EQ(intr_level, 0);
    wr(0xf0, 0x1ff);
    CHECK_EQ(intr_level, 1);
    CHECK_EQ(apic_intack(a), 0x70);
    wr(0xb0, 0);

    /* I/O APIC: edge pin 2 and level pin 9 to this APIC. */
    struct device *io = device_new(NULL, &ioapic_type, "ioapic");
    CHECK_EQ(device_realize(io), 0);
    ioapic_set_bus(io, &bus);
    g_ioapic = io;
    mem_region_add_subregion(&root, IOAPIC_DEFAULT_BASE, ioapic_mmio(io), 0);
    CHECK_EQ(io_rd(io, 1), 0x170020);
    CHECK_EQ(io_rd(io, 0x10), 0x10000);
    io_wr(0x10 + 4, 0x38);
    io_wr(0x11 + 4, 0);
    irq_raise(ioapic_irq(io, 2));
    irq_lower(ioapic_irq(io, 2));
    CHECK_EQ(apic_intack(a), 0x38);
    wr(0xb0, 0);
    io_wr(0x10 + 4, 0x10038); /* masked: an edge is lost */
    irq_pulse(ioapic_irq(io, 2));
    CHECK_EQ(intr_level, 0);
    io_wr(0x10 + 18, 0x8039);
    io_wr(0x11 + 18, 0); /* physical destination 0: us */
    irq_raise(ioapic_irq(io, 9));
    CHECK_EQ(io_rd(io, 0x10 + 18) & 0x4000, 0x4000); /* Remote IRR */
    CHECK_EQ(apic_intack(a), 0x39);
    wr(0xb0, 0); /* still asserted: delivered again */
    CHECK_EQ(intr_level, 1);
    CHECK_EQ(apic_intack(a), 0x39);
    irq_lower(ioapic_irq(io, 9));
    wr(0xb0, 0);
    CHECK_EQ(io_rd(io, 0x10 + 18) & 0x4000, 0);
    CHECK_EQ(intr_level, 0);
    /* Level pin asserted while masked is delivered on unmask. */
    io_wr(0x10 + 18, 0x18039);
    irq_raise(ioapic_irq(io, 9));
    CHECK_EQ(intr_level, 0);
    io_wr(0x10 + 18, 0x8039);
    CHECK_EQ(apic_intack(a), 0x39);
    irq_lower(ioapic_irq(io, 9));
    address_space_store(&as, IOAPIC_DEFAULT_BASE + 0x40, 4, 0x39); /* the EOI register */
    CHECK_EQ(io_rd(io, 0x10 + 18) & 0x4000, 0);
    wr(0xb0, 0);
    /* Destination elsewhere: nothing arrives. */
    io_wr(0x11 + 4, 5u << 24);
    io_wr(0x10 + 4, 0x3a);
    irq_pulse(ioapic_irq(io, 2));
    CHECK_EQ(intr_level, 0);

    /* x2APIC: MSRs take over, the page goes away; bad transitions fault. */
    CHECK_EQ(apic_rdmsr(a, 0x802, &msr), -EINVAL);
    CHECK_EQ(apic_wrmsr(a, 0x1b, 0xfee00000 | APIC_BASE_EXTD), -EINVAL);
    CHECK_EQ(apic_wrmsr(a, 0x1b, 0xfee00000 | APIC_BASE_EN | APIC_BASE_EXTD), 0);
    CHECK_EQ(rd(0x30), 0xffffffff);
    CHECK_EQ(apic_rdmsr(a, 0x803, &msr), 0);
    CHECK_EQ(msr, 0x50014);
    CHECK_EQ(apic_rdmsr(a, 0x80d, &msr), 0);
    CHECK_EQ(msr, 1); /* LDR: cluster 0, bit 0 */
    CHECK_EQ(apic_wrmsr(a, 0x83f, 0x66), 0);
    CHECK_EQ(apic_intack(a), 0x66);
    CHECK_EQ(apic_wrmsr(a, 0x80b, 1), -EINVAL);
    CHECK_EQ(apic_wrmsr(a, 0x80b, 0), 0);
    CHECK_EQ(apic_wrmsr(a, 0x802, 1), -EINVAL);
    CHECK_EQ(apic_rdmsr(a, 0x80e, &msr), -EINVAL);
    CHECK_EQ(apic_wrmsr(a, 0x830, 0x4066), 0); /* fixed, physical, to ID 0 */
    CHECK_EQ(apic_intack(a), 0x66);
    CHECK_EQ(apic_wrmsr(a, 0x80b, 0), 0);
    CHECK_EQ(apic_wrmsr(a, 0x1b, 0xfee00000 | APIC_BASE_EN), -EINVAL);
    CHECK_EQ(apic_rdmsr(a, 0x10, &msr), -ENOENT);

    /* Disable, relocate, enable: the page follows IA32_APIC_BASE. */
    CHECK_EQ(apic_wrmsr(a, 0x1b, 0xfee00000), 0);
    CHECK_EQ(apic_wrmsr(a, 0x1b, 0xfed00000 | APIC_BASE_EN), 0);
    uint64_t v;
    address_space_load(&as, 0xfed00030, 4, &v);
    CHECK_EQ(v, 0x50014);
    address_space_load(&as, 0xfee00030, 4, &v); /* the bus window: nobody's page now */
    CHECK_EQ(v, 0xffffffffu);
    CHECK_EQ(apic_wrmsr(a, 0x1b, 0xfed00000 | APIC_BASE_EN | (1ull << 40)), -EINVAL);
    /* Globally disabled: the PIC's INTR reaches the CPU directly. */
    CHECK_EQ(apic_wrmsr(a, 0x1b, 0xfee00000), 0);
    irq_raise(apic_lint(d, 0));
    CHECK_EQ(intr_level, 1);
    CHECK_EQ(apic_intack(a), 0x30);
    irq_lower(apic_lint(d, 0));

    device_destroy(io);
    device_destroy(d);
    vcpu_set_current(NULL);
    test_smp(&clk);
    return check_summary("apic");
}
