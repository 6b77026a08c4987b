/*
 * test-apic.c - the local APIC and I/O APIC models on their own: reset
 * state, PIC pass-through (ExtINT), priorities (TPR/PPR/ISR), EOI and its
 * broadcast, the timer in one-shot and periodic mode on virtual time,
 * errors, self-IPIs, NMI on LINT1, x2APIC MSRs, relocation of the xAPIC
 * page, and I/O APIC edge/level routing with Remote IRR.
 */
#include <errno.h>
#include <string.h>

#include "emu-core/clock.h"
#include "emu-core/device.h"
#include "emu-core/log.h"
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
    CHECK_EQ(ioapic_add_apic(io, d), 0);
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
    CHECK_EQ(address_space_load(&as, 0xfee00030, 4, &v), MEMTX_DECODE_ERROR);
    CHECK_EQ(apic_wrmsr(a, 0x1b, 0xfed00000 | APIC_BASE_EN | (1ull << 40)), -EINVAL);
    /* Globally disabled: the PIC's INTR reaches the CPU directly. */
    CHECK_EQ(apic_wrmsr(a, 0x1b, 0xfee00000), 0);
    irq_raise(apic_lint(d, 0));
    CHECK_EQ(intr_level, 1);
    CHECK_EQ(apic_intack(a), 0x30);
    irq_lower(apic_lint(d, 0));

    device_destroy(io);
    device_destroy(d);
    return check_summary("apic");
}
