/*
 * riscv-aclint.h - the RISC-V ACLINT as the SiFive CLINT layout that QEMU's
 * virt board uses: an MSWI device (msip registers, 4 bytes per hart) and an
 * MTIMER device (mtimecmp, 8 bytes per hart, and mtime at its top).
 *
 * MSWI properties: "num-harts". MTIMER properties: "num-harts",
 * "timebase-freq" (Hz, 10 MHz by default), "clock" (link to the virtual
 * clock mtime counts; required). Outputs are wired per hart with the
 * *_connect() functions before realize.
 */
#ifndef HW_INTC_RISCV_ACLINT_H
#define HW_INTC_RISCV_ACLINT_H

#include <stdint.h>

#include "emu-core/clock.h"
#include "emu-core/device.h"
#include "emu-core/machine.h"
#include "emu-core/memory.h"

#define ACLINT_MAX_HARTS MACHINE_MAX_CPUS
#define ACLINT_SWI_SIZE 0x4000
#define ACLINT_MTIMER_SIZE 0x8000
#define ACLINT_MTIMECMP_OFFSET 0x0
#define ACLINT_MTIME_OFFSET 0x7ff8
#define ACLINT_DEFAULT_TIMEBASE_FREQ 10000000

struct irq_line;

struct aclint_mswi {
    struct device dev;
    uint32_t num_harts;
    struct mem_region mmio;
    struct irq_line *msip_out[ACLINT_MAX_HARTS];
    uint32_t msip[ACLINT_MAX_HARTS];
};

struct aclint_mtimer;

struct aclint_hart_timer {
    struct timer timer;
    struct aclint_mtimer *owner;
    int hart;
};

struct aclint_mtimer {
    struct device dev;
    uint32_t num_harts;
    uint32_t timebase_freq;
    struct vclock *clock;
    struct mem_region mmio;
    struct irq_line *mtip_out[ACLINT_MAX_HARTS];
    struct aclint_hart_timer timers[ACLINT_MAX_HARTS];
    /* guest state: mtime = ticks of the virtual clock + time_delta (a guest write to mtime) */
    uint64_t mtimecmp[ACLINT_MAX_HARTS];
    uint64_t time_delta;
};

extern const struct device_type aclint_mswi_type;
extern const struct device_type aclint_mtimer_type;

/* Wire hart's MSIP / MTIP input. hart must be below num-harts; before realize. */
void aclint_mswi_connect(struct device *dev, int hart, struct irq_line *msip);
void aclint_mtimer_connect(struct device *dev, int hart, struct irq_line *mtip);

/* Current mtime of the MTIMER device at opaque (the harts' time CSR source). */
uint64_t aclint_mtimer_read_mtime(void *opaque);

static inline struct mem_region *aclint_mswi_mmio(struct device *dev)
{
    return &((struct aclint_mswi *)dev)->mmio;
}
static inline struct mem_region *aclint_mtimer_mmio(struct device *dev)
{
    return &((struct aclint_mtimer *)dev)->mmio;
}

#endif
