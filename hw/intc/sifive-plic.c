/*
 * sifive-plic.c - SiFive Platform-Level Interrupt Controller.
 *
 * Sources are level-triggered: a source becomes pending while its line is
 * high and it is not claimed; claiming clears pending; completing ends the
 * claim and, if the line is still high, makes it pending again (so a device
 * that keeps its line up is not lost across claim/complete).
 */
#include "hw/intc/sifive-plic.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/vmstate.h"

static inline bool bit_get(const uint32_t *w, uint32_t n) { return (w[n / 32] >> (n % 32)) & 1; }
static inline void bit_put(uint32_t *w, uint32_t n, bool v)
{
    if (v)
        w[n / 32] |= 1u << (n % 32);
    else
        w[n / 32] &= ~(1u << (n % 32));
}

static uint32_t plic_num_contexts(const struct sifive_plic *s) { return 2 * s->num_harts; }
static uint32_t plic_num_words(const struct sifive_plic *s) { return (s->num_sources + 31) / 32; }

/* Highest-priority source that ctx may take (above its threshold; ties go to the lowest id), or 0. */
static uint32_t plic_best(const struct sifive_plic *s, uint32_t ctx)
{
    uint32_t best = 0, best_prio = s->threshold[ctx];

    for (uint32_t w = 0; w < plic_num_words(s); w++) {
        uint32_t cand = s->pending[w] & ~s->claimed[w] & s->enable[ctx][w];
        while (cand) {
            uint32_t irq = w * 32 + __builtin_ctz(cand);
            cand &= cand - 1;
            if (irq < s->num_sources && s->priority[irq] > best_prio) {
                best = irq;
                best_prio = s->priority[irq];
            }
        }
    }
    return best;
}

static void plic_update(struct sifive_plic *s)
{
    for (uint32_t ctx = 0; ctx < plic_num_contexts(s); ctx++)
        irq_set(s->outputs[ctx], plic_best(s, ctx) != 0);
}

static void plic_irq_handler(void *opaque, int n, int level)
{
    struct sifive_plic *s = opaque;

    if (n <= 0 || (uint32_t)n >= s->num_sources)
        return;
    bit_put(s->level, n, level);
    if (!level)
        bit_put(s->pending, n, false);
    else if (!bit_get(s->claimed, n))
        bit_put(s->pending, n, true);
    plic_update(s);
}

/* Priorities and thresholds keep the bits that exist (7 = 3 bits), as QEMU masks them. */
static uint32_t plic_prio_value(const struct sifive_plic *s, uint32_t v)
{
    if (((s->num_priorities + 1) & s->num_priorities) == 0)
        return v & s->num_priorities;
    return v <= s->num_priorities ? v : s->num_priorities;
}

static uint32_t plic_claim(struct sifive_plic *s, uint32_t ctx)
{
    uint32_t irq = plic_best(s, ctx);

    if (irq) {
        bit_put(s->pending, irq, false);
        bit_put(s->claimed, irq, true);
        plic_update(s);
    }
    return irq;
}

static void plic_complete(struct sifive_plic *s, uint32_t irq)
{
    if (irq == 0 || irq >= s->num_sources) {
        log_guest_error("sifive-plic: completion of invalid source %u", irq);
        return;
    }
    if (!bit_get(s->claimed, irq))
        return; /* a completion nobody claimed: ignored by the hardware */
    bit_put(s->claimed, irq, false);
    if (bit_get(s->level, irq))
        bit_put(s->pending, irq, true);
    plic_update(s);
}

static uint64_t plic_read(void *opaque, uint64_t offset, unsigned size)
{
    struct sifive_plic *s = opaque;

    if (size != 4 || (offset & 3))
        goto bad;
    if (offset < PLIC_PENDING_BASE) {
        uint64_t irq = offset / 4;
        if (irq >= s->num_sources)
            goto bad;
        return s->priority[irq];
    }
    if (offset < PLIC_ENABLE_BASE) {
        uint64_t w = (offset - PLIC_PENDING_BASE) / 4;
        if (w >= plic_num_words(s))
            goto bad;
        return s->pending[w];
    }
    if (offset < PLIC_CONTEXT_BASE) {
        uint64_t ctx = (offset - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE;
        uint64_t w = (offset - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4;
        if (ctx >= plic_num_contexts(s) || w >= plic_num_words(s))
            goto bad;
        return s->enable[ctx][w];
    }
    uint64_t ctx = (offset - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
    uint64_t reg = (offset - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE;
    if (ctx >= plic_num_contexts(s))
        goto bad;
    if (reg == 0)
        return s->threshold[ctx];
    if (reg == 4)
        return plic_claim(s, ctx);
bad:
    log_guest_error("sifive-plic: bad read of %u bytes at 0x%llx", size,
                    (unsigned long long)offset);
    return 0;
}

static void plic_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct sifive_plic *s = opaque;
    uint32_t v = (uint32_t)value;

    if (size != 4 || (offset & 3))
        goto bad;
    if (offset < PLIC_PENDING_BASE) {
        uint64_t irq = offset / 4;
        if (irq == 0 || irq >= s->num_sources)
            goto bad;
        s->priority[irq] = plic_prio_value(s, v);
        plic_update(s);
        return;
    }
    if (offset < PLIC_ENABLE_BASE) {
        log_guest_error("sifive-plic: pending bits are read-only (write at 0x%llx)",
                        (unsigned long long)offset);
        return;
    }
    if (offset < PLIC_CONTEXT_BASE) {
        uint64_t ctx = (offset - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE;
        uint64_t w = (offset - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4;
        if (ctx >= plic_num_contexts(s) || w >= plic_num_words(s))
            goto bad;
        if (w == 0)
            v &= ~1u; /* source 0 does not exist */
        if (w == plic_num_words(s) - 1 && s->num_sources % 32)
            v &= (1u << (s->num_sources % 32)) - 1;
        s->enable[ctx][w] = v;
        plic_update(s);
        return;
    }
    uint64_t ctx = (offset - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
    uint64_t reg = (offset - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE;
    if (ctx >= plic_num_contexts(s))
        goto bad;
    if (reg == 0) {
        s->threshold[ctx] = plic_prio_value(s, v);
        plic_update(s);
        return;
    }
    if (reg == 4) {
        plic_complete(s, v);
        return;
    }
bad:
    log_guest_error("sifive-plic: bad write of %u bytes at 0x%llx", size,
                    (unsigned long long)offset);
}

static const struct mem_region_ops plic_ops = {
    .read = plic_read,
    .write = plic_write,
    .min_access = 1, /* narrower accesses reach us and are refused, never widened into a claim */
    .max_access = 4,
};

void sifive_plic_connect(struct device *dev, int ctx, struct irq_line *line)
{
    struct sifive_plic *s = (struct sifive_plic *)dev;

    if (ctx >= 0 && ctx < PLIC_MAX_CONTEXTS)
        s->outputs[ctx] = line;
}

struct irq_line *sifive_plic_irq(struct device *dev, int n)
{
    struct sifive_plic *s = (struct sifive_plic *)dev;

    if (n <= 0 || (uint32_t)n >= s->num_sources)
        return NULL;
    return &s->inputs[n];
}

static void plic_reset(struct device *dev)
{
    struct sifive_plic *s = (struct sifive_plic *)dev;

    memset(s->priority, 0, sizeof(s->priority));
    memset(s->pending, 0, sizeof(s->pending));
    memset(s->claimed, 0, sizeof(s->claimed));
    memset(s->enable, 0, sizeof(s->enable));
    memset(s->threshold, 0, sizeof(s->threshold));
    /* Lines that are up stay up across reset: they are pending again at once. */
    memcpy(s->pending, s->level, sizeof(s->pending));
    plic_update(s);
}

static int plic_realize(struct device *dev)
{
    struct sifive_plic *s = (struct sifive_plic *)dev;

    if (s->num_sources < 2 || s->num_sources > PLIC_MAX_SOURCES) {
        error_report("sifive-plic: num-sources must be 2..%d", PLIC_MAX_SOURCES);
        return -EINVAL;
    }
    if (s->num_harts == 0 || 2 * s->num_harts > PLIC_MAX_CONTEXTS) {
        error_report("sifive-plic: num-harts must be 1..%d", PLIC_MAX_CONTEXTS / 2);
        return -EINVAL;
    }
    if (s->num_priorities == 0) {
        error_report("sifive-plic: num-priorities must not be 0");
        return -EINVAL;
    }
    irq_init_lines(s->inputs, s->num_sources, plic_irq_handler, s);
    mem_region_init_io(&s->mmio, "riscv.sifive.plic", &plic_ops, s, PLIC_MMIO_SIZE);
    plic_reset(dev);
    return 0;
}

static int plic_post_load(void *opaque, int version_id)
{
    struct sifive_plic *s = opaque;

    (void)version_id;
    for (uint32_t i = 0; i < s->num_sources; i++)
        s->priority[i] = plic_prio_value(s, s->priority[i]);
    for (uint32_t c = 0; c < PLIC_MAX_CONTEXTS; c++)
        s->threshold[c] = plic_prio_value(s, s->threshold[c]);
    plic_update(s);
    return 0;
}

#define A(field, t, n)                                                                             \
    {.name = #field, .type = t, .offset = offsetof(struct sifive_plic, field), .count = n}
static const struct vmstate_field plic_vmstate_fields[] = {
    A(priority, VMS_U32, PLIC_MAX_SOURCES),
    A(pending, VMS_U32, PLIC_WORDS),
    A(claimed, VMS_U32, PLIC_WORDS),
    A(level, VMS_U32, PLIC_WORDS),
    A(enable, VMS_U32, PLIC_MAX_CONTEXTS * PLIC_WORDS),
    A(threshold, VMS_U32, PLIC_MAX_CONTEXTS),
    {.type = VMS_END},
};
#undef A

static const struct vmstate_desc plic_vmstate = {
    .name = "sifive-plic",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = plic_vmstate_fields,
    .post_load = plic_post_load,
};

static const struct device_prop plic_props[] = {
    {.name = "num-sources", .type = PROP_U32, .offset = offsetof(struct sifive_plic, num_sources),
     .defval = 97},
    {.name = "num-priorities", .type = PROP_U32,
     .offset = offsetof(struct sifive_plic, num_priorities), .defval = 7},
    {.name = "num-harts", .type = PROP_U32, .offset = offsetof(struct sifive_plic, num_harts),
     .defval = 1},
    {.type = PROP_END},
};

const struct device_type sifive_plic_type = {
    .name = "sifive-plic",
    .desc = "SiFive platform-level interrupt controller",
    .state_size = sizeof(struct sifive_plic),
    .props = plic_props,
    .realize = plic_realize,
    .reset = plic_reset,
    .vmsd = &plic_vmstate,
};
