/*
 * irq.h - interrupt lines between devices. A line is (handler, opaque, n);
 * a device's output is a pointer to some other device's input line.
 */
#ifndef EMU_IRQ_H
#define EMU_IRQ_H

struct irq_line {
    void (*handler)(void *opaque, int n, int level);
    void *opaque;
    int n;
};

/* Deliver level (0 or 1; edge devices pulse) to the line. NULL is a no-op. */
static inline void irq_set(struct irq_line *line, int level)
{
    if (line && line->handler)
        line->handler(line->opaque, line->n, level);
}
static inline void irq_raise(struct irq_line *line) { irq_set(line, 1); }
static inline void irq_lower(struct irq_line *line) { irq_set(line, 0); }
static inline void irq_pulse(struct irq_line *line)
{
    irq_set(line, 1);
    irq_set(line, 0);
}

/* Fill count lines with (handler, opaque, 0..count-1). */
void irq_init_lines(struct irq_line *lines, int count, void (*handler)(void *, int, int), void *opaque);

#endif
