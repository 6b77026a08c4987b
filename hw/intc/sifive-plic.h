/*
 * sifive-plic.h - the SiFive PLIC as QEMU's virt board configures it:
 * level-triggered sources 1..num-sources-1, priorities of num-priorities
 * (7: 3 bits), and per hart two contexts, M then S ("MS" in QEMU's
 * hart-config), at QEMU's register layout.
 *
 * Properties: "num-sources" (including the reserved source 0; virt: 97, so
 * riscv,ndev = 96), "num-priorities" (7), "num-harts". Context outputs are
 * wired with sifive_plic_connect() before realize; device interrupt lines
 * come from sifive_plic_irq().
 */
#ifndef HW_INTC_SIFIVE_PLIC_H
#define HW_INTC_SIFIVE_PLIC_H

#include <stdint.h>

#include "emu-core/device.h"
#include "emu-core/irq.h"
#include "emu-core/machine.h"
#include "emu-core/memory.h"

#define PLIC_MAX_SOURCES 1024
#define PLIC_MAX_CONTEXTS (2 * MACHINE_MAX_CPUS)
#define PLIC_WORDS (PLIC_MAX_SOURCES / 32)

#define PLIC_PRIORITY_BASE 0x0
#define PLIC_PENDING_BASE 0x1000
#define PLIC_ENABLE_BASE 0x2000
#define PLIC_ENABLE_STRIDE 0x80
#define PLIC_CONTEXT_BASE 0x200000
#define PLIC_CONTEXT_STRIDE 0x1000
/* Room for QEMU virt's 512 harts x 2 contexts, whatever we build: the guest sees QEMU's size. */
#define PLIC_MMIO_SIZE (PLIC_CONTEXT_BASE + 1024 * PLIC_CONTEXT_STRIDE)

struct sifive_plic {
    struct device dev;
    uint32_t num_sources;
    uint32_t num_priorities;
    uint32_t num_harts;
    struct mem_region mmio;
    struct irq_line inputs[PLIC_MAX_SOURCES];
    struct irq_line *outputs[PLIC_MAX_CONTEXTS];

    /* guest state */
    uint32_t priority[PLIC_MAX_SOURCES];
    uint32_t pending[PLIC_WORDS];
    uint32_t claimed[PLIC_WORDS];
    uint32_t level[PLIC_WORDS]; /* the sources' input levels */
    uint32_t enable[PLIC_MAX_CONTEXTS][PLIC_WORDS];
    uint32_t threshold[PLIC_MAX_CONTEXTS];
};

extern const struct device_type sifive_plic_type;

/* Context ctx (2*hart for M, 2*hart+1 for S) drives line (the hart's MEIP or SEIP). */
void sifive_plic_connect(struct device *dev, int ctx, struct irq_line *line);

/* The input line of source n (1..num-sources-1); valid after realize. */
struct irq_line *sifive_plic_irq(struct device *dev, int n);

static inline struct mem_region *sifive_plic_mmio(struct device *dev)
{
    return &((struct sifive_plic *)dev)->mmio;
}

#endif
