/*
 * uart16550.h - the NS16550A UART (with its 16-byte FIFOs), register shift
 * 0, as on QEMU's RISC-V virt board.
 *
 * Properties: "chardev" (the back end; none: output is dropped and there is
 * no input), "irq" (link to the interrupt line), "clock" (link to the
 * virtual clock that times the receive FIFO's character timeout; without one
 * a partly filled FIFO interrupts at once), "baudbase" (input clock,
 * 3686400 Hz by default as QEMU's).
 */
#ifndef HW_CHAR_UART16550_H
#define HW_CHAR_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#include "emu-core/clock.h"
#include "emu-core/device.h"
#include "emu-core/memory.h"

#define UART16550_FIFO_SIZE 16
#define UART16550_MMIO_SIZE 8

struct chardev;
struct irq_line;

struct uart16550 {
    struct device dev;
    /* properties */
    struct chardev *chr;
    struct irq_line *irq;
    struct vclock *clock;
    uint32_t baudbase;

    struct mem_region mmio;
    struct timer rx_timeout;

    /* guest-visible state (vmstate) */
    uint16_t divider;
    uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
    bool thr_ipending;     /* THRE interrupt armed (cleared by reading IIR or writing THR) */
    bool timeout_ipending; /* character timeout interrupt */
    uint8_t rx_fifo[UART16550_FIFO_SIZE];
    uint32_t rx_head, rx_count;
};

extern const struct device_type uart16550_type;

/* The guest-facing registers, UART16550_MMIO_SIZE bytes, for the board to place. */
static inline struct mem_region *uart16550_mmio(struct device *dev)
{
    return &((struct uart16550 *)dev)->mmio;
}

#endif
