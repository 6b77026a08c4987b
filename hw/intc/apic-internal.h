/*
 * apic-internal.h - shared between apic.c (registers, delivery) and
 * apic-timer.c (the LVT timer).
 */
#ifndef HW_INTC_APIC_INTERNAL_H
#define HW_INTC_APIC_INTERNAL_H

#include "hw/intc/apic.h"

#define APIC_LVT_MASKED (1u << 16)
#define APIC_LVT_LEVEL (1u << 15)
#define APIC_LVT_TIMER_PERIODIC (1u << 17)

/* Recompute the CPU's INTR level. */
void apic_update(struct apic *s);
/* An LVT source fired: deliver per its entry unless masked. */
void apic_local_deliver(struct apic *s, enum apic_lvt which);
/* Registers by index (xAPIC offset >> 4, x2APIC MSR - 0x800): 0 or -EINVAL. */
int apic_reg_read(struct apic *s, unsigned reg, uint32_t *val);
int apic_reg_write(struct apic *s, unsigned reg, uint32_t v);

/* Map or unmap the APIC's own xAPIC page as IA32_APIC_BASE and the bus say. */
void apic_remap(struct apic *s);
/* The xAPIC page's accessors (also reached through the bus window, apic-bus.c). */
uint64_t apic_mmio_read(void *opaque, uint64_t off, unsigned size);
void apic_mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size);

/* apic-timer.c */
void apic_timer_expired(void *opaque);
void apic_timer_set_initial(struct apic *s, uint32_t count);
void apic_timer_set_divide(struct apic *s, uint32_t v);
void apic_timer_lvt_changed(struct apic *s, uint32_t old_lvt);
uint32_t apic_timer_current(struct apic *s);
/* Re-arm from the saved state (migration load). */
void apic_timer_restart(struct apic *s);

#endif
