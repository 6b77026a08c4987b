/*
 * apic.c - the local APIC: registers, priorities, delivery and the
 * acknowledge cycle (Intel SDM vol. 3A, chapter 11; section numbers below
 * are of that chapter). The timer is in apic-timer.c.
 */
#include "hw/intc/apic.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/vmstate.h"
#include "hw/intc/apic-internal.h"
#include "targets/x86/x86.h"

/* Version register: version 0x14 (integrated xAPIC), max LVT entry 5 (no CMCI). */
#define APIC_VERSION 0x00050014u

/* ESR bits (11.5.3). */
#define ESR_SEND_ILLEGAL_VECTOR 0x20
#define ESR_RECV_ILLEGAL_VECTOR 0x40
#define ESR_ILLEGAL_REGISTER 0x80

#define SVR_ENABLE 0x100

/* Bits software may write in each LVT entry (11.5.1). */
static const uint32_t lvt_writable[APIC_LVT_COUNT] = {
    [APIC_LVT_TIMER] = 0x300ff, /* vector, mask, one-shot/periodic (no TSC deadline) */
    [APIC_LVT_THERMAL] = 0x107ff, [APIC_LVT_PERF] = 0x107ff,
    [APIC_LVT_LINT0] = 0x1a7ff, /* + polarity, trigger mode */
    [APIC_LVT_LINT1] = 0x1a7ff,   [APIC_LVT_ERROR] = 0x100ff,
};

static bool vec_test(const uint32_t *r, int v)
{
    return r[v >> 5] >> (v & 31) & 1;
}
static void vec_set(uint32_t *r, int v)
{
    r[v >> 5] |= 1u << (v & 31);
}
static void vec_clear(uint32_t *r, int v)
{
    r[v >> 5] &= ~(1u << (v & 31));
}
/* Highest set vector in a 256-bit register, or -1. */
static int vec_highest(const uint32_t *r)
{
    for (int i = 7; i >= 0; i--) {
        if (r[i])
            return i * 32 + 31 - __builtin_clz(r[i]);
    }
    return -1;
}

static void apic_reset_regs(struct apic *s);

static bool apic_hw_enabled(const struct apic *s)
{
    return s->base_msr & APIC_BASE_EN;
}

static bool apic_sw_enabled(const struct apic *s)
{
    return s->svr & SVR_ENABLE;
}

/* 11.8.3.1: PPR is TPR unless the in-service class is higher. */
static uint32_t apic_ppr(const struct apic *s)
{
    int isrv = vec_highest(s->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

    return (s->tpr & 0xf0) >= isr_class ? s->tpr & 0xff : isr_class;
}

/* The IRR vector the CPU would take now (11.8.4), or -1. */
static int apic_deliverable(const struct apic *s)
{
    int v = vec_highest(s->irr);

    /* Software-disabled, IRR keeps requests but none is dispatched (as QEMU). */
    if (v < 0 || !apic_hw_enabled(s) || !apic_sw_enabled(s))
        return -1;
    return ((uint32_t)v & 0xf0) > (apic_ppr(s) & 0xf0) ? v : -1;
}

/*
 * Whether the 8259's INTR reaches the CPU: through LINT0 in ExtINT mode
 * (virtual wire, 11.5.1), or directly while the APIC is globally disabled
 * (it is then as if absent, 11.4.3).
 */
static bool apic_extint_pending(const struct apic *s)
{
    uint32_t lvt0 = s->lvt[APIC_LVT_LINT0];

    if (!s->lint_level[0])
        return false;
    if (!apic_hw_enabled(s))
        return true;
    return !(lvt0 & APIC_LVT_MASKED) && (lvt0 >> 8 & 7) == APIC_DM_EXTINT;
}

void apic_update(struct apic *s)
{
    int level = apic_deliverable(s) >= 0 || apic_extint_pending(s);

    irq_set(x86_cpu_intr_pin(s->cpu), level);
}

/* Record an error and raise the error LVT (11.5.3). */
static void apic_error(struct apic *s, uint32_t bit)
{
    s->esr_pending |= bit;
    apic_local_deliver(s, APIC_LVT_ERROR);
}

/* Accept a fixed interrupt: set IRR (and TMR for level) unless the vector is illegal. */
static void apic_accept(struct apic *s, int vector, bool level)
{
    if (vector < 16) {
        apic_error(s, ESR_RECV_ILLEGAL_VECTOR);
        return;
    }
    vec_set(s->irr, vector);
    if (level)
        vec_set(s->tmr, vector);
    else
        vec_clear(s->tmr, vector);
    apic_update(s);
}

void apic_deliver(struct device *dev, int dm, int vector, bool level)
{
    struct apic *s = (struct apic *)dev;

    vector &= 0xff;
    if (!apic_hw_enabled(s))
        return;
    switch (dm) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWPRI:
        apic_accept(s, vector, level);
        break;
    case APIC_DM_NMI:
        x86_cpu_raise_nmi(s->cpu);
        break;
    case APIC_DM_EXTINT:
        /* The PIC supplies the vector; our INTR follows its output through LINT0's level. */
        apic_update(s);
        break;
    case APIC_DM_INIT:
        /* 11.4.7.3: as RESET, but the APIC ID and IA32_APIC_BASE stay. */
        apic_reset_regs(s);
        apic_update(s);
        x86_cpu_init_ipi(s->cpu);
        break;
    case APIC_DM_STARTUP:
        x86_cpu_sipi(s->cpu, vector);
        break;
    default:
        log_unimp("apic %u: delivery mode %d (SMI) not modelled", s->id, dm);
        break;
    }
}

/* An LVT source fired (timer, error, LINT edge): deliver per its entry (11.5.1). */
void apic_local_deliver(struct apic *s, enum apic_lvt which)
{
    uint32_t lvt = s->lvt[which];
    int dm = which == APIC_LVT_TIMER || which == APIC_LVT_ERROR ? APIC_DM_FIXED : lvt >> 8 & 7;

    if ((lvt & APIC_LVT_MASKED) || !apic_hw_enabled(s))
        return;
    if (dm == APIC_DM_FIXED)
        apic_accept(s, lvt & 0xff,
                    which >= APIC_LVT_LINT0 && which <= APIC_LVT_LINT1 && (lvt & APIC_LVT_LEVEL));
    else
        apic_deliver(&s->dev, dm, lvt & 0xff, false);
}

static void apic_lint_set(void *opaque, int n, int level)
{
    struct apic *s = opaque;
    uint32_t old = s->lint_level[n];

    s->lint_level[n] = level != 0;
    /* ExtINT follows the level; other modes take the rising edge. */
    if (n == 0 && (apic_extint_pending(s) || old))
        apic_update(s);
    if (level && !old && !(n == 0 && (s->lvt[APIC_LVT_LINT0] >> 8 & 7) == APIC_DM_EXTINT))
        apic_local_deliver(s, n ? APIC_LVT_LINT1 : APIC_LVT_LINT0);
}

bool apic_match_dest(struct device *dev, uint32_t dest, bool logical)
{
    struct apic *s = (struct apic *)dev;
    bool x2 = s->base_msr & APIC_BASE_EXTD;

    if (!logical)
        return dest == s->id || dest == (x2 ? 0xffffffffu : 0xffu);
    if (x2) /* 11.12.10.2: cluster in 31:16, bit mask in 15:0 */
        return dest == 0xffffffffu || ((dest >> 16) == (s->ldr >> 16) && (dest & s->ldr & 0xffff));
    dest &= 0xff;
    if (dest == 0xff)
        return true;
    if ((s->dfr >> 28) == 0xf) /* flat model (11.6.2.2) */
        return (dest & (s->ldr >> 24)) != 0;
    return (dest >> 4) == (s->ldr >> 28) && (dest & (s->ldr >> 24) & 0xf); /* cluster */
}

/* ICR bits (11.6.1) beyond vector and delivery mode. */
#define ICR_DEST_LOGICAL (1u << 11)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_TRIGGER_LEVEL (1u << 15)

/* Whether an IPI with destination shorthand sh (11.6.1) and dest goes to t. */
static bool apic_ipi_target(struct apic *s, struct apic *t, unsigned sh, uint32_t dest,
                            bool logical)
{
    switch (sh) {
    case 0:
        return apic_match_dest(&t->dev, dest, logical);
    case 1:
        return t == s;
    case 2:
        return true;
    default:
        return t != s;
    }
}

/* 11.6.1: an IPI through the ICR, to the APICs on our bus (or only ourselves without one). */
static void apic_send_ipi(struct apic *s, uint32_t lo, uint32_t dest)
{
    int dm = lo >> 8 & 7, vector = lo & 0xff;
    unsigned sh = lo >> 18 & 3;
    bool logical = lo & ICR_DEST_LOGICAL, level = lo & ICR_TRIGGER_LEVEL;
    struct apic *only[1] = {s};
    struct apic **apics = s->bus ? s->bus->apics : only;
    int n = s->bus ? s->bus->n : 1;

    if ((dm == APIC_DM_FIXED || dm == APIC_DM_LOWPRI) && vector < 16) {
        apic_error(s, ESR_SEND_ILLEGAL_VECTOR);
        return;
    }
    /* INIT level de-assert only synchronises arbitration IDs on the old APIC bus: nothing. */
    if (dm == APIC_DM_INIT && level && !(lo & ICR_LEVEL_ASSERT))
        return;
    if (dm == APIC_DM_EXTINT || dm == APIC_DM_SMI || dm == 3) {
        log_unimp("apic %u: IPI with delivery mode %d", s->id, dm);
        return;
    }
    for (int i = 0; i < n; i++) {
        struct apic *t = apics[i];
        if (!apic_ipi_target(s, t, sh, dest, logical))
            continue;
        apic_deliver(&t->dev, dm, vector, dm == APIC_DM_FIXED && level);
        /*
         * Another CPU got work; ours is likely to wait for its answer, and the
         * vCPUs share one thread: end this slice so that CPU runs soon. An INIT
         * to ourselves takes effect at once, not at the slice's end.
         */
        if (t != s || dm == APIC_DM_INIT)
            s->cpu->exit_request = 1;
        if (dm == APIC_DM_LOWPRI)
            break;
    }
}

/* 11.8.5: EOI retires the highest in-service vector; level ones go to the I/O APIC. */
static void apic_eoi(struct apic *s)
{
    int v = vec_highest(s->isr);

    if (v < 0)
        return;
    vec_clear(s->isr, v);
    if (vec_test(s->tmr, v) && s->eoi_hook) {
        vec_clear(s->tmr, v);
        s->eoi_hook(s->eoi_opaque, v);
    }
    apic_update(s);
}

int apic_intr_peek(void *opaque)
{
    struct apic *s = opaque;
    int v = apic_deliverable(s);

    if (v >= 0)
        return v;
    return apic_extint_pending(s) ? APIC_PEEK_EXTINT : -1;
}

int apic_intack(void *opaque)
{
    struct apic *s = opaque;
    int v = apic_deliverable(s);

    if (v >= 0) {
        vec_clear(s->irr, v);
        vec_set(s->isr, v);
    } else if (apic_extint_pending(s) && s->extint_ack) {
        v = s->extint_ack(s->extint_opaque);
    } else if (apic_sw_enabled(s) && vec_highest(s->irr) >= 0) {
        /* 11.9: the request was masked by a TPR raise after INTR: the spurious vector. */
        v = s->svr & 0xff;
    }
    apic_update(s);
    return v;
}

uint8_t apic_get_cr8(void *opaque)
{
    return (uint8_t)(((struct apic *)opaque)->tpr >> 4);
}

void apic_set_cr8(void *opaque, uint8_t cr8)
{
    struct apic *s = opaque;

    s->tpr = (uint32_t)(cr8 & 15) << 4;
    apic_update(s);
}

static void apic_set_svr(struct apic *s, uint32_t v)
{
    s->svr = v & 0x1ff;
    /* 11.4.7.2: software-disabled, every LVT entry is masked (and stays so). */
    if (!apic_sw_enabled(s)) {
        for (int i = 0; i < APIC_LVT_COUNT; i++)
            s->lvt[i] |= APIC_LVT_MASKED;
    }
    apic_update(s);
}

static void apic_set_lvt(struct apic *s, enum apic_lvt which, uint32_t v)
{
    uint32_t old = s->lvt[which];

    v &= lvt_writable[which];
    if (!apic_sw_enabled(s))
        v |= APIC_LVT_MASKED;
    /* Read-only delivery status and remote IRR are kept. */
    s->lvt[which] = v | (old & ~lvt_writable[which] & 0x5000);
    if (which == APIC_LVT_TIMER)
        apic_timer_lvt_changed(s, old);
    if (which == APIC_LVT_LINT0 || which == APIC_LVT_LINT1)
        apic_update(s);
}

/*
 * Read register reg (offset >> 4 in the xAPIC page, MSR - 0x800 in x2APIC
 * mode). Returns 0 or -EINVAL for a register that does not exist.
 */
int apic_reg_read(struct apic *s, unsigned reg, uint32_t *val)
{
    bool x2 = s->base_msr & APIC_BASE_EXTD;

    switch (reg) {
    case 0x02:
        *val = x2 ? s->id : s->id << 24;
        return 0;
    case 0x03:
        *val = APIC_VERSION;
        return 0;
    case 0x08:
        *val = s->tpr;
        return 0;
    case 0x09: /* APR: arbitration priority, only meaningful on the old APIC bus */
        *val = 0;
        return 0;
    case 0x0a:
        *val = apic_ppr(s);
        return 0;
    case 0x0b: /* EOI is write-only; xAPIC reads give 0 */
        *val = 0;
        return x2 ? -EINVAL : 0;
    case 0x0d:
        *val = s->ldr;
        return 0;
    case 0x0e:
        *val = s->dfr;
        return x2 ? -EINVAL : 0;
    case 0x0f:
        *val = s->svr;
        return 0;
    case 0x10 ... 0x17:
        *val = s->isr[reg - 0x10];
        return 0;
    case 0x18 ... 0x1f:
        *val = s->tmr[reg - 0x18];
        return 0;
    case 0x20 ... 0x27:
        *val = s->irr[reg - 0x20];
        return 0;
    case 0x28:
        *val = s->esr;
        return 0;
    case 0x30:
        *val = s->icr_lo;
        return 0;
    case 0x31:
        *val = s->icr_hi;
        return x2 ? -EINVAL : 0;
    case 0x32 ... 0x37:
        *val = s->lvt[reg - 0x32];
        return 0;
    case 0x38:
        *val = s->initial_count;
        return 0;
    case 0x39:
        *val = apic_timer_current(s);
        return 0;
    case 0x3e:
        *val = s->divide_conf;
        return 0;
    default:
        *val = 0;
        return -EINVAL;
    }
}

/* Write register reg; 0 or -EINVAL (absent or read-only). */
int apic_reg_write(struct apic *s, unsigned reg, uint32_t v)
{
    bool x2 = s->base_msr & APIC_BASE_EXTD;

    switch (reg) {
    case 0x02:
        if (x2)
            return -EINVAL;
        s->id = v >> 24; /* 11.4.6: writable in xAPIC mode */
        return 0;
    case 0x08:
        s->tpr = v & 0xff;
        apic_update(s);
        return 0;
    case 0x0b:
        if (x2 && v) /* 11.12.1.2: a non-zero x2APIC EOI write faults */
            return -EINVAL;
        apic_eoi(s);
        return 0;
    case 0x0d:
        if (x2)
            return -EINVAL;
        s->ldr = v & 0xff000000u;
        return 0;
    case 0x0e:
        if (x2)
            return -EINVAL;
        s->dfr = v | 0x0fffffffu;
        return 0;
    case 0x0f:
        apic_set_svr(s, v);
        return 0;
    case 0x28: /* 11.5.3: a write latches the errors seen since the last one */
        if (x2 && v)
            return -EINVAL;
        s->esr = s->esr_pending;
        s->esr_pending = 0;
        return 0;
    case 0x30:
        s->icr_lo = v & ~(1u << 12); /* delivery is instant: status always idle */
        apic_send_ipi(s, s->icr_lo, x2 ? s->icr_hi : s->icr_hi >> 24);
        return 0;
    case 0x31:
        if (x2)
            return -EINVAL;
        s->icr_hi = v & 0xff000000u;
        return 0;
    case 0x32 ... 0x37:
        apic_set_lvt(s, (enum apic_lvt)(reg - 0x32), v);
        return 0;
    case 0x38:
        apic_timer_set_initial(s, v);
        return 0;
    case 0x3e:
        apic_timer_set_divide(s, v);
        return 0;
    case 0x3f: /* x2APIC SELF IPI (11.12.11) */
        if (!x2)
            return -EINVAL;
        apic_send_ipi(s, (v & 0xff) | 1u << 18, 0);
        return 0;
    default:
        return -EINVAL;
    }
}

/* The xAPIC page: 32-bit registers on 16-byte boundaries (11.4.1); others are errors. */
uint64_t apic_mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct apic *s = opaque;
    uint32_t v;

    if (!apic_hw_enabled(s) || (s->base_msr & APIC_BASE_EXTD))
        return (1ull << (8 * size)) - 1;
    if (apic_reg_read(s, (unsigned)(off >> 4), &v) < 0 || (off & 15) >= 4) {
        log_guest_error("apic %u: read of reserved offset 0x%llx", s->id, (unsigned long long)off);
        apic_error(s, ESR_ILLEGAL_REGISTER);
        return 0;
    }
    return (v >> 8 * (off & 3)) & ((1ull << (8 * size)) - 1) & 0xffffffffu;
}

void apic_mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct apic *s = opaque;

    if (!apic_hw_enabled(s) || (s->base_msr & APIC_BASE_EXTD))
        return;
    if ((off & 15) || size != 4 || apic_reg_write(s, (unsigned)(off >> 4), (uint32_t)val) < 0) {
        log_guest_error("apic %u: write of %u bytes at 0x%llx ignored", s->id, size,
                        (unsigned long long)off);
        apic_error(s, ESR_ILLEGAL_REGISTER);
    }
}

static const struct mem_region_ops apic_mmio_ops = {
    .read = apic_mmio_read, .write = apic_mmio_write, .min_access = 1, .max_access = 4};

/* Place the xAPIC page where IA32_APIC_BASE says (unmapped in x2APIC mode or when disabled). */
void apic_remap(struct apic *s)
{
    uint64_t at = s->base_msr & 0xffffff000ull;
    /* At the default base the bus window serves every CPU its own page (apic-bus.c). */
    bool want = s->sysmem && apic_hw_enabled(s) && !(s->base_msr & APIC_BASE_EXTD) &&
                !(s->bus && at == APIC_DEFAULT_BASE);

    if (s->mapped && (!want || at != s->mapped_at)) {
        mem_region_del_subregion(s->sysmem, &s->mmio);
        s->mapped = false;
    }
    if (want && !s->mapped) {
        /* Above RAM: a guest may move the page anywhere, as on hardware. */
        if (mem_region_add_subregion(s->sysmem, at, &s->mmio, 2) < 0) {
            log_guest_error("apic %u: cannot map the APIC page at 0x%llx", s->id,
                            (unsigned long long)at);
            return;
        }
        s->mapped = true;
        s->mapped_at = at;
    }
}

/* Register state after RESET or a global disable (11.4.7.1). */
static void apic_reset_regs(struct apic *s)
{
    timer_del(&s->timer);
    s->tpr = 0;
    s->svr = 0xff;
    s->ldr = 0;
    s->dfr = 0xffffffffu;
    s->esr = s->esr_pending = 0;
    s->icr_lo = s->icr_hi = 0;
    memset(s->isr, 0, sizeof(s->isr));
    memset(s->irr, 0, sizeof(s->irr));
    memset(s->tmr, 0, sizeof(s->tmr));
    for (int i = 0; i < APIC_LVT_COUNT; i++)
        s->lvt[i] = APIC_LVT_MASKED;
    s->initial_count = 0;
    s->divide_conf = 0;
}

/* 11.4.3 / 11.12.5: the states EN/EXTD may move between; others raise #GP. */
static int apic_set_base(struct apic *s, uint64_t v)
{
    uint64_t old = s->base_msr;
    bool en = v & APIC_BASE_EN, x2 = v & APIC_BASE_EXTD;
    bool old_x2 = old & APIC_BASE_EXTD;

    if (v & ~(0xffffff000ull | APIC_BASE_EN | APIC_BASE_EXTD | APIC_BASE_BSP))
        return -EINVAL;
    if (x2 && !en)
        return -EINVAL;
    if (old_x2 && en && !x2) /* x2APIC to xAPIC needs a disable in between */
        return -EINVAL;
    if (!(old & APIC_BASE_EN) && en && x2)
        return -EINVAL;
    s->base_msr = (v & ~APIC_BASE_BSP) | (s->bsp ? APIC_BASE_BSP : 0);
    if (!en && (old & APIC_BASE_EN))
        apic_reset_regs(s);
    if (x2 && !old_x2) /* 11.12.10.2: the logical ID derives from the x2APIC ID */
        s->ldr = ((s->id >> 4) << 16) | (1u << (s->id & 15));
    apic_remap(s);
    apic_update(s);
    return 0;
}

int apic_rdmsr(void *opaque, uint32_t msr, uint64_t *val)
{
    struct apic *s = opaque;
    uint32_t v;

    if (msr == APIC_MSR_BASE) {
        *val = s->base_msr;
        return 0;
    }
    if (msr < APIC_MSR_X2APIC_FIRST || msr > APIC_MSR_X2APIC_LAST)
        return -ENOENT;
    if (!(s->base_msr & APIC_BASE_EXTD))
        return -EINVAL;
    if (msr == 0x830) { /* the 64-bit ICR */
        *val = (uint64_t)s->icr_hi << 32 | s->icr_lo;
        return 0;
    }
    if (apic_reg_read(s, msr - APIC_MSR_X2APIC_FIRST, &v) < 0)
        return -EINVAL;
    *val = v;
    return 0;
}

int apic_wrmsr(void *opaque, uint32_t msr, uint64_t val)
{
    struct apic *s = opaque;
    unsigned reg = msr - APIC_MSR_X2APIC_FIRST;

    if (msr == APIC_MSR_BASE)
        return apic_set_base(s, val);
    if (msr < APIC_MSR_X2APIC_FIRST || msr > APIC_MSR_X2APIC_LAST)
        return -ENOENT;
    if (!(s->base_msr & APIC_BASE_EXTD))
        return -EINVAL;
    /* Read-only in x2APIC mode: ID, version, PPR, LDR, ISR/TMR/IRR, current count. */
    if (reg == 0x02 || reg == 0x03 || reg == 0x0a || reg == 0x0d || (reg >= 0x10 && reg <= 0x27) ||
        reg == 0x39)
        return -EINVAL;
    if (reg == 0x30) /* one 64-bit ICR: destination in the high half (11.12.9) */
        s->icr_hi = (uint32_t)(val >> 32);
    else if (val >> 32)
        return -EINVAL;
    return apic_reg_write(s, reg, (uint32_t)val);
}

/* The machine's NMI button (inject-nmi) arrives on LINT1, as QEMU's apic_deliver_nmi(). */
static void apic_external_nmi(void *opaque)
{
    apic_local_deliver(opaque, APIC_LVT_LINT1);
}

const struct x86_intc_ops apic_intc_ops = {
    .peek = apic_intr_peek,
    .ack = apic_intack,
    .rdmsr = apic_rdmsr,
    .wrmsr = apic_wrmsr,
    .get_cr8 = apic_get_cr8,
    .set_cr8 = apic_set_cr8,
    .nmi = apic_external_nmi,
};

static void apic_reset(struct device *dev)
{
    struct apic *s = (struct apic *)dev;

    apic_reset_regs(s);
    s->base_msr = APIC_DEFAULT_BASE | APIC_BASE_EN | (s->bsp ? APIC_BASE_BSP : 0);
    /* As QEMU: the BSP's LINT0 in ExtINT mode, so the PIC reaches the CPU from the start. */
    if (s->bsp)
        s->lvt[APIC_LVT_LINT0] = APIC_DM_EXTINT << 8;
    x86_cpu_power_on(s->cpu, s->bsp); /* an AP waits for SIPI */
    apic_remap(s);
    apic_update(s);
}

static int apic_realize(struct device *dev)
{
    struct apic *s = (struct apic *)dev;

    if (!s->cpu || !s->clock)
        return -EINVAL;
    timer_init(&s->timer, s->clock, apic_timer_expired, s);
    mem_region_init_io(&s->mmio, "apic", &apic_mmio_ops, s, 0x1000);
    irq_init_lines(s->lint, 2, apic_lint_set, s);
    apic_reset(dev);
    return 0;
}

static void apic_unrealize(struct device *dev)
{
    struct apic *s = (struct apic *)dev;

    timer_del(&s->timer);
    if (s->mapped)
        mem_region_del_subregion(s->sysmem, &s->mmio);
    s->mapped = false;
}

struct irq_line *apic_lint(struct device *dev, int n)
{
    return &((struct apic *)dev)->lint[n & 1];
}

struct mem_region *apic_mmio(struct device *dev)
{
    return &((struct apic *)dev)->mmio;
}

void apic_set_eoi_hook(struct device *dev, void (*hook)(void *opaque, int vector), void *opaque)
{
    struct apic *s = (struct apic *)dev;

    s->eoi_hook = hook;
    s->eoi_opaque = opaque;
}

void apic_set_extint(struct device *dev, int (*ack)(void *opaque), void *opaque)
{
    struct apic *s = (struct apic *)dev;

    s->extint_ack = ack;
    s->extint_opaque = opaque;
}

static int apic_post_load(void *opaque, int version_id)
{
    struct apic *s = opaque;

    (void)version_id;
    s->svr &= 0x1ff;
    for (int i = 0; i < APIC_LVT_COUNT; i++)
        s->lvt[i] &= lvt_writable[i] | 0x5000;
    s->lint_level[0] = s->lint_level[0] != 0;
    s->lint_level[1] = s->lint_level[1] != 0;
    if (apic_set_base(s, s->base_msr) < 0)
        return -EINVAL;
    apic_timer_restart(s);
    apic_update(s);
    return 0;
}

#define APIC_F(f, t)                                                                               \
    {                                                                                              \
        .name = #f, .type = t, .offset = offsetof(struct apic, f)                                  \
    }
#define APIC_A(f, n)                                                                               \
    {                                                                                              \
        .name = #f, .type = VMS_U32, .offset = offsetof(struct apic, f), .count = n                \
    }
static const struct vmstate_field apic_fields[] = {
    APIC_F(id, VMS_U32),
    APIC_F(base_msr, VMS_U64),
    APIC_F(tpr, VMS_U32),
    APIC_F(svr, VMS_U32),
    APIC_F(ldr, VMS_U32),
    APIC_F(dfr, VMS_U32),
    APIC_F(esr, VMS_U32),
    APIC_F(esr_pending, VMS_U32),
    APIC_F(icr_lo, VMS_U32),
    APIC_F(icr_hi, VMS_U32),
    APIC_A(isr, 8),
    APIC_A(irr, 8),
    APIC_A(tmr, 8),
    APIC_A(lvt, APIC_LVT_COUNT),
    APIC_F(initial_count, VMS_U32),
    APIC_F(divide_conf, VMS_U32),
    APIC_F(count_start_ns, VMS_U64),
    APIC_A(lint_level, 2),
    {.type = VMS_END},
};
static const struct vmstate_desc apic_vmstate = {.name = "apic",
                                                 .version_id = 1,
                                                 .minimum_version_id = 1,
                                                 .fields = apic_fields,
                                                 .post_load = apic_post_load};

static const struct device_prop apic_props[] = {
    {"cpu", PROP_LINK, offsetof(struct apic, cpu), 0, NULL},
    {"clock", PROP_LINK, offsetof(struct apic, clock), 0, NULL},
    {"sysmem", PROP_LINK, offsetof(struct apic, sysmem), 0, NULL},
    {"id", PROP_U32, offsetof(struct apic, id), 0, NULL},
    {"bsp", PROP_BOOL, offsetof(struct apic, bsp), 1, NULL},
    {NULL, PROP_END, 0, 0, NULL},
};

const struct device_type apic_type = {
    .name = "apic",
    .desc = "x86 local APIC (xAPIC/x2APIC)",
    .state_size = sizeof(struct apic),
    .props = apic_props,
    .realize = apic_realize,
    .reset = apic_reset,
    .unrealize = apic_unrealize,
    .vmsd = &apic_vmstate,
};
