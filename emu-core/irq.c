/*
 * irq.c - interrupt lines. Delivery itself is inline in irq.h.
 */
#include "emu-core/irq.h"

void irq_init_lines(struct irq_line *lines, int count, void (*handler)(void *, int, int),
                    void *opaque)
{
    for (int i = 0; i < count; i++) {
        lines[i].handler = handler;
        lines[i].opaque = opaque;
        lines[i].n = i;
    }
}
