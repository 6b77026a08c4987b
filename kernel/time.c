/*
 * time.c - the clock is the TSC (frequency from CPUID leaf 0x15 when the CPU
 * states it, else measured against PIT channel 2); wake-ups come from the
 * local APIC timer, in TSC-deadline mode where the CPU has it, else one-shot
 * mode with its rate measured against the TSC.
 *
 * Built with -mgeneral-regs-only: the timer handler runs from an interrupt.
 */
#include <stdint.h>

#include "kernel/kernel.h"

#define PIT_HZ 1193182u
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61 /* bit 0 gate, bit 1 speaker, bit 5 channel 2 output */

#define MSR_APIC_BASE 0x1B
#define MSR_TSC_DEADLINE 0x6E0
#define LAPIC_EOI 0xB0
#define LAPIC_SVR 0xF0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3E0
#define LVT_MASKED (1u << 16)
#define LVT_TSC_DEADLINE (2u << 17)

static uint64_t tsc_hz, tsc_base;
static uint64_t ns_mult; /* ns = ticks * ns_mult >> 32 */
static volatile uint32_t *lapic;
static bool tsc_deadline;
static uint64_t lapic_hz; /* one-shot mode, after the divide-by-16 */

static inline uint32_t lapic_rd(unsigned reg)
{
    return lapic[reg / 4];
}

static inline void lapic_wr(unsigned reg, uint32_t v)
{
    lapic[reg / 4] = v;
}

/* Ticks of the TSC over 10 ms of PIT channel 2, counted down in mode 0. */
static uint64_t tsc_measure(void)
{
    uint16_t count = PIT_HZ / 100;
    uint8_t gate = inb(PIT_GATE);

    outb(PIT_GATE, (gate & ~0x02) | 0x01); /* gate on, speaker off */
    outb(PIT_CMD, 0xB0);                   /* channel 2, lobyte/hibyte, mode 0 */
    outb(PIT_CH2, count & 0xFF);
    outb(PIT_CH2, count >> 8);
    uint64_t t0 = rdtsc();
    uint64_t limit = t0 + 20000000000ull; /* no PIT (some UEFI PCs): give up eventually */
    while (!(inb(PIT_GATE) & 0x20) && rdtsc() < limit)
        ;
    uint64_t t1 = rdtsc();
    outb(PIT_GATE, gate);
    return (t1 - t0) * 100;
}

static uint64_t tsc_from_cpuid(void)
{
    uint32_t r[4];

    cpuid(0, 0, r);
    if (r[0] < 0x15)
        return 0;
    cpuid(0x15, 0, r);
    /* eax/ebx is TSC/crystal; ecx the crystal in Hz when the CPU says it. */
    if (!r[0] || !r[1] || !r[2])
        return 0;
    return (uint64_t)r[2] * r[1] / r[0];
}

static void timer_irq(void)
{
    lapic_wr(LAPIC_EOI, 0);
}

static void spurious_irq(void) {}

void kern_time_init(void)
{
    uint32_t r[4];

    tsc_hz = kern_boot.tsc_hz;
    if (!tsc_hz)
        tsc_hz = tsc_from_cpuid();
    if (!tsc_hz)
        tsc_hz = tsc_measure();
    if (tsc_hz < 1000000)
        tsc_hz = 1000000000; /* a broken measurement: better a wrong clock than a division by 0 */
    ns_mult = ((unsigned __int128)1000000000ull << 32) / tsc_hz;
    tsc_base = rdtsc();

    cpuid(1, 0, r);
    if (!(r[3] & (1u << 9)))
        return; /* no local APIC: plat_wait() polls */
    uint64_t base = rdmsr(MSR_APIC_BASE);
    wrmsr(MSR_APIC_BASE, base | (1u << 11)); /* global enable */
    lapic = (volatile uint32_t *)(uintptr_t)(base & 0xFFFFF000u);
    kern_set_vector_handler(KERN_VEC_TIMER, timer_irq);
    kern_set_vector_handler(KERN_VEC_SPURIOUS, spurious_irq);
    lapic_wr(LAPIC_SVR, 0x100 | KERN_VEC_SPURIOUS);
    tsc_deadline = r[2] & (1u << 24);
    if (tsc_deadline) {
        lapic_wr(LAPIC_LVT_TIMER, LVT_TSC_DEADLINE | KERN_VEC_TIMER);
        return;
    }
    lapic_wr(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
    lapic_wr(LAPIC_LVT_TIMER, LVT_MASKED | KERN_VEC_TIMER);
    lapic_wr(LAPIC_TIMER_INIT, 0xFFFFFFFFu);
    uint64_t t0 = rdtsc();
    while (rdtsc() - t0 < tsc_hz / 1000)
        ;
    uint32_t ticks = 0xFFFFFFFFu - lapic_rd(LAPIC_TIMER_CUR);
    lapic_wr(LAPIC_TIMER_INIT, 0);
    lapic_hz = (uint64_t)ticks * 1000;
    if (!lapic_hz)
        lapic = NULL; /* a timer that does not count cannot wake us */
}

uint64_t kern_time_ns(void)
{
    return (uint64_t)(((unsigned __int128)(rdtsc() - tsc_base) * ns_mult) >> 32);
}

uint64_t kern_time_tsc_hz(void)
{
    return tsc_hz;
}

void kern_time_arm(uint64_t deadline_ns)
{
    if (!lapic)
        return;
    if (deadline_ns == UINT64_MAX) {
        if (tsc_deadline)
            wrmsr(MSR_TSC_DEADLINE, 0);
        else
            lapic_wr(LAPIC_TIMER_INIT, 0);
        return;
    }
    uint64_t now = kern_time_ns();
    uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;
    if (tsc_deadline) {
        uint64_t ticks = (uint64_t)((unsigned __int128)delta * tsc_hz / 1000000000ull);
        wrmsr(MSR_TSC_DEADLINE, rdtsc() + ticks + 1);
        return;
    }
    uint64_t count = (uint64_t)((unsigned __int128)delta * lapic_hz / 1000000000ull) + 1;
    if (count > 0xFFFFFFFFu)
        count = 0xFFFFFFFFu; /* wakes early; the caller re-arms */
    lapic_wr(LAPIC_LVT_TIMER, KERN_VEC_TIMER);
    lapic_wr(LAPIC_TIMER_INIT, (uint32_t)count);
}

bool kern_time_can_wake(void)
{
    return lapic != NULL;
}

void kern_udelay(uint32_t us)
{
    uint64_t t0 = rdtsc(), n = tsc_hz / 1000000 * us;

    while (rdtsc() - t0 < n)
        __asm__ volatile("pause");
}
