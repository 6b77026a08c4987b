/*
 * riscv-aclint.c - ACLINT MSWI and MTIMER (the CLINT layout).
 *
 * mtime is derived from the machine's virtual clock, so it stands still
 * while the VM is paused and travels with migration. Each hart's MTIP is a
 * level, re-evaluated on every mtimecmp/mtime write and by a virtual-clock
 * timer armed for the moment mtime reaches mtimecmp.
 */
#include "hw/intc/riscv-aclint.h"

#include <errno.h>
#include <stddef.h>

#include "emu-core/irq.h"
#include "emu-core/log.h"
#include "emu-core/vmstate.h"

#define NS_PER_SEC 1000000000ull

/* ---- MSWI ---- */

static uint64_t mswi_read(void *opaque, uint64_t offset, unsigned size)
{
    struct aclint_mswi *s = opaque;
    uint64_t hart = offset / 4;

    if (size != 4 || (offset & 3) || hart >= s->num_harts) {
        log_guest_error("aclint-mswi: bad read of %u bytes at 0x%llx", size,
                        (unsigned long long)offset);
        return 0;
    }
    return s->msip[hart];
}

static void mswi_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct aclint_mswi *s = opaque;
    uint64_t hart = offset / 4;

    if (size != 4 || (offset & 3) || hart >= s->num_harts) {
        log_guest_error("aclint-mswi: bad write of %u bytes at 0x%llx", size,
                        (unsigned long long)offset);
        return;
    }
    /* Only bit 0 exists; the rest read as zero. */
    s->msip[hart] = value & 1;
    irq_set(s->msip_out[hart], s->msip[hart]);
}

static const struct mem_region_ops mswi_ops = {
    .read = mswi_read,
    .write = mswi_write,
    .min_access = 1,
    .max_access = 4,
};

void aclint_mswi_connect(struct device *dev, int hart, struct irq_line *msip)
{
    struct aclint_mswi *s = (struct aclint_mswi *)dev;

    if (hart >= 0 && hart < ACLINT_MAX_HARTS)
        s->msip_out[hart] = msip;
}

static void mswi_reset(struct device *dev)
{
    struct aclint_mswi *s = (struct aclint_mswi *)dev;

    for (uint32_t i = 0; i < s->num_harts; i++) {
        s->msip[i] = 0;
        irq_lower(s->msip_out[i]);
    }
}

static int mswi_realize(struct device *dev)
{
    struct aclint_mswi *s = (struct aclint_mswi *)dev;

    if (s->num_harts == 0 || s->num_harts > ACLINT_MAX_HARTS) {
        error_report("aclint-mswi: num-harts must be 1..%d", ACLINT_MAX_HARTS);
        return -EINVAL;
    }
    mem_region_init_io(&s->mmio, "riscv.aclint.swi", &mswi_ops, s, ACLINT_SWI_SIZE);
    mswi_reset(dev);
    return 0;
}

static int mswi_post_load(void *opaque, int version_id)
{
    struct aclint_mswi *s = opaque;

    (void)version_id;
    for (uint32_t i = 0; i < s->num_harts; i++) {
        s->msip[i] &= 1;
        irq_set(s->msip_out[i], s->msip[i]);
    }
    return 0;
}

static const struct vmstate_field mswi_vmstate_fields[] = {
    {.name = "msip", .type = VMS_U32, .offset = offsetof(struct aclint_mswi, msip),
     .count = ACLINT_MAX_HARTS},
    {.type = VMS_END},
};

static const struct vmstate_desc mswi_vmstate = {
    .name = "riscv-aclint-mswi",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = mswi_vmstate_fields,
    .post_load = mswi_post_load,
};

static const struct device_prop mswi_props[] = {
    {.name = "num-harts", .type = PROP_U32, .offset = offsetof(struct aclint_mswi, num_harts),
     .defval = 1},
    {.type = PROP_END},
};

const struct device_type aclint_mswi_type = {
    .name = "riscv-aclint-mswi",
    .desc = "RISC-V ACLINT machine-level software interrupts",
    .state_size = sizeof(struct aclint_mswi),
    .props = mswi_props,
    .realize = mswi_realize,
    .reset = mswi_reset,
    .vmsd = &mswi_vmstate,
};

/* ---- MTIMER ---- */

uint64_t aclint_mtimer_read_mtime(void *opaque)
{
    struct aclint_mtimer *s = opaque;
    unsigned __int128 ticks = (unsigned __int128)vclock_ns(s->clock) * s->timebase_freq;

    return (uint64_t)(ticks / NS_PER_SEC) + s->time_delta;
}

/* Drive hart's MTIP from mtimecmp and arm the timer for when it would rise. */
static void mtimer_update_hart(struct aclint_mtimer *s, int hart)
{
    uint64_t mtime = aclint_mtimer_read_mtime(s);
    uint64_t cmp = s->mtimecmp[hart];
    struct timer *t = &s->timers[hart].timer;

    if (mtime >= cmp) {
        timer_del(t);
        irq_raise(s->mtip_out[hart]);
        return;
    }
    irq_lower(s->mtip_out[hart]);
    /* Round up so the timer never fires before mtime has reached mtimecmp. */
    unsigned __int128 ns = ((unsigned __int128)(cmp - mtime) * NS_PER_SEC + s->timebase_freq - 1) /
                           s->timebase_freq;
    if (ns > (1ull << 62)) {
        timer_del(t); /* centuries away: never, in practice */
        return;
    }
    timer_mod(t, vclock_ns(s->clock) + (uint64_t)ns);
}

static void mtimer_update_all(struct aclint_mtimer *s)
{
    for (uint32_t i = 0; i < s->num_harts; i++)
        mtimer_update_hart(s, i);
}

static void mtimer_timer_cb(void *opaque)
{
    struct aclint_hart_timer *ht = opaque;

    mtimer_update_hart(ht->owner, ht->hart);
}

static bool mtimer_access_ok(unsigned size, uint64_t offset)
{
    return (size == 4 || size == 8) && !(offset & (size - 1));
}

static uint64_t mtimer_read(void *opaque, uint64_t offset, unsigned size)
{
    struct aclint_mtimer *s = opaque;
    uint64_t v;

    if (!mtimer_access_ok(size, offset))
        goto bad;
    if (offset >= ACLINT_MTIME_OFFSET) {
        v = aclint_mtimer_read_mtime(s);
    } else if (offset / 8 < s->num_harts) {
        v = s->mtimecmp[offset / 8];
    } else {
        goto bad;
    }
    return size == 8 ? v : (uint32_t)(v >> (8 * (offset & 4)));
bad:
    log_guest_error("aclint-mtimer: bad read of %u bytes at 0x%llx", size,
                    (unsigned long long)offset);
    return 0;
}

/* Merge a 4- or 8-byte write into a 64-bit register. */
static uint64_t merge64(uint64_t old, uint64_t offset, uint64_t value, unsigned size)
{
    if (size == 8)
        return value;
    unsigned shift = 8 * (offset & 4);
    return (old & ~(0xffffffffull << shift)) | ((value & 0xffffffffull) << shift);
}

static void mtimer_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct aclint_mtimer *s = opaque;

    if (!mtimer_access_ok(size, offset))
        goto bad;
    if (offset >= ACLINT_MTIME_OFFSET) {
        uint64_t mtime = merge64(aclint_mtimer_read_mtime(s), offset, value, size);
        s->time_delta += mtime - aclint_mtimer_read_mtime(s);
        mtimer_update_all(s);
        return;
    }
    if (offset / 8 < s->num_harts) {
        int hart = offset / 8;
        s->mtimecmp[hart] = merge64(s->mtimecmp[hart], offset, value, size);
        mtimer_update_hart(s, hart);
        return;
    }
bad:
    log_guest_error("aclint-mtimer: bad write of %u bytes at 0x%llx", size,
                    (unsigned long long)offset);
}

static const struct mem_region_ops mtimer_ops = {
    .read = mtimer_read,
    .write = mtimer_write,
    .min_access = 1,
    .max_access = 8,
};

void aclint_mtimer_connect(struct device *dev, int hart, struct irq_line *mtip)
{
    struct aclint_mtimer *s = (struct aclint_mtimer *)dev;

    if (hart >= 0 && hart < ACLINT_MAX_HARTS)
        s->mtip_out[hart] = mtip;
}

/* mtimecmp resets to 0 (so MTIP is pending at once, as QEMU shows it) and mtime to the clock. */
static void mtimer_reset(struct device *dev)
{
    struct aclint_mtimer *s = (struct aclint_mtimer *)dev;

    s->time_delta = 0;
    for (uint32_t i = 0; i < s->num_harts; i++)
        s->mtimecmp[i] = 0;
    mtimer_update_all(s);
}

static int mtimer_realize(struct device *dev)
{
    struct aclint_mtimer *s = (struct aclint_mtimer *)dev;

    if (s->num_harts == 0 || s->num_harts > ACLINT_MAX_HARTS) {
        error_report("aclint-mtimer: num-harts must be 1..%d", ACLINT_MAX_HARTS);
        return -EINVAL;
    }
    if (!s->clock || !s->timebase_freq) {
        error_report("aclint-mtimer: needs a clock and a non-zero timebase-freq");
        return -EINVAL;
    }
    mem_region_init_io(&s->mmio, "riscv.aclint.mtimer", &mtimer_ops, s, ACLINT_MTIMER_SIZE);
    for (uint32_t i = 0; i < s->num_harts; i++) {
        s->timers[i].owner = s;
        s->timers[i].hart = i;
        timer_init(&s->timers[i].timer, s->clock, mtimer_timer_cb, &s->timers[i]);
    }
    mtimer_reset(dev);
    return 0;
}

static void mtimer_unrealize(struct device *dev)
{
    struct aclint_mtimer *s = (struct aclint_mtimer *)dev;

    for (uint32_t i = 0; i < s->num_harts; i++)
        timer_del(&s->timers[i].timer);
}

static int mtimer_post_load(void *opaque, int version_id)
{
    (void)version_id;
    mtimer_update_all(opaque);
    return 0;
}

static const struct vmstate_field mtimer_vmstate_fields[] = {
    {.name = "mtimecmp", .type = VMS_U64, .offset = offsetof(struct aclint_mtimer, mtimecmp),
     .count = ACLINT_MAX_HARTS},
    {.name = "time_delta", .type = VMS_U64, .offset = offsetof(struct aclint_mtimer, time_delta)},
    {.type = VMS_END},
};

static const struct vmstate_desc mtimer_vmstate = {
    .name = "riscv-aclint-mtimer",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = mtimer_vmstate_fields,
    .post_load = mtimer_post_load,
};

static const struct device_prop mtimer_props[] = {
    {.name = "num-harts", .type = PROP_U32, .offset = offsetof(struct aclint_mtimer, num_harts),
     .defval = 1},
    {.name = "timebase-freq", .type = PROP_U32,
     .offset = offsetof(struct aclint_mtimer, timebase_freq),
     .defval = ACLINT_DEFAULT_TIMEBASE_FREQ},
    {.name = "clock", .type = PROP_LINK, .offset = offsetof(struct aclint_mtimer, clock)},
    {.type = PROP_END},
};

const struct device_type aclint_mtimer_type = {
    .name = "riscv-aclint-mtimer",
    .desc = "RISC-V ACLINT machine-level timer",
    .state_size = sizeof(struct aclint_mtimer),
    .props = mtimer_props,
    .realize = mtimer_realize,
    .reset = mtimer_reset,
    .unrealize = mtimer_unrealize,
    .vmsd = &mtimer_vmstate,
};
