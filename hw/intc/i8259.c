/*
 * i8259.c - the master/slave 8259A pair as programmed by PC firmware and
 * operating systems: ICW1-4, OCW1-3 (EOI forms, rotation, special mask,
 * poll, IRR/ISR reads), edge or level triggering per ELCR.
 */
#include "hw/intc/i8259.h"

#include <errno.h>
#include <stddef.h>

#include "emu-core/log.h"
#include "emu-core/vmstate.h"

#define PIC_CASCADE_IRQ 2

/* Priority (0 = highest) of the best bit in mask under the current rotation; 8 if none. */
static int pic_priority(const struct pic_chip *c, uint8_t mask)
{
    if (!mask)
        return 8;
    int p = 0;
    while (!(mask & (1u << ((p + c->priority_add) & 7))))
        p++;
    return p;
}

/* The IRQ this chip would raise now, or -1. */
static int pic_pending(const struct pic_chip *c, bool master)
{
    int p = pic_priority(c, c->irr & ~c->imr);
    if (p == 8)
        return -1;
    uint8_t in_service = c->isr;
    /* Fully nested mode: the slave may interrupt its own service routine. */
    if (master && c->special_fully_nested)
        in_service &= ~(1u << PIC_CASCADE_IRQ);
    if (c->special_mask)
        in_service &= ~c->imr;
    if (p >= pic_priority(c, in_service))
        return -1;
    return (p + c->priority_add) & 7;
}

static void pic_set_input(struct pic_chip *c, int irq, int level)
{
    uint8_t mask = 1u << irq;

    if (c->elcr & mask) {
        if (level) {
            c->irr |= mask;
            c->last_irr |= mask;
        } else {
            c->irr &= ~mask;
            c->last_irr &= ~mask;
        }
    } else if (level) {
        if (!(c->last_irr & mask))
            c->irr |= mask;
        c->last_irr |= mask;
    } else {
        c->last_irr &= ~mask;
    }
}

static void pic_update(struct i8259 *s)
{
    pic_set_input(&s->chip[0], PIC_CASCADE_IRQ, pic_pending(&s->chip[1], false) >= 0);
    irq_set(s->intr, pic_pending(&s->chip[0], true) >= 0);
}

static void pic_input(void *opaque, int n, int level)
{
    struct i8259 *s = opaque;

    if (n < 0 || n > 15)
        return;
    pic_set_input(&s->chip[n >> 3], n & 7, level);
    pic_update(s);
}

/* An IRQ is being delivered: mark it in service (unless auto-EOI), drop an edge request. */
static void pic_ack_irq(struct pic_chip *c, int irq)
{
    if (c->auto_eoi) {
        if (c->rotate_on_auto_eoi)
            c->priority_add = (irq + 1) & 7;
    } else {
        c->isr |= 1u << irq;
    }
    if (!(c->elcr & (1u << irq)))
        c->irr &= ~(1u << irq);
}

int pic_intack(void *opaque)
{
    struct i8259 *s = opaque;
    struct pic_chip *m = &s->chip[0], *sl = &s->chip[1];
    int irq = pic_pending(m, true), vec;

    if (irq < 0) {
        /* The request went away between INTR and INTA: a spurious IRQ 7. */
        vec = m->irq_base + 7;
    } else if (irq == PIC_CASCADE_IRQ) {
        int irq2 = pic_pending(sl, false);
        if (irq2 >= 0)
            pic_ack_irq(sl, irq2);
        else
            irq2 = 7;
        vec = sl->irq_base + irq2;
        pic_ack_irq(m, irq);
    } else {
        vec = m->irq_base + irq;
        pic_ack_irq(m, irq);
    }
    pic_update(s);
    return vec;
}

static void pic_chip_reset(struct pic_chip *c)
{
    uint8_t elcr = c->elcr, mask = c->elcr_mask;

    *c = (struct pic_chip){.elcr = elcr, .elcr_mask = mask};
}

static void pic_eoi(struct pic_chip *c, int irq, bool rotate)
{
    c->isr &= ~(1u << irq);
    if (rotate)
        c->priority_add = (irq + 1) & 7;
}

static void pic_write_cmd(struct i8259 *s, struct pic_chip *c, uint8_t v)
{
    if (v & 0x10) { /* ICW1 */
        pic_chip_reset(c);
        c->init_state = 1;
        c->init4 = v & 1;
        c->single_mode = v & 2;
        if (v & 0x08)
            log_unimp("i8259: level-triggered mode via ICW1 (use the ELCR)");
    } else if (v & 0x08) { /* OCW3 */
        if (v & 0x04)
            c->poll = true;
        if (v & 0x02)
            c->read_isr = v & 1;
        if (v & 0x40)
            c->special_mask = (v >> 5) & 1;
    } else { /* OCW2 */
        int cmd = v >> 5, p;
        switch (cmd) {
        case 0: /* rotate in auto-EOI mode: clear */
        case 4: /* ... set */
            c->rotate_on_auto_eoi = cmd == 4;
            break;
        case 1: /* non-specific EOI */
        case 5: /* rotate on non-specific EOI */
            p = pic_priority(c, c->isr);
            if (p != 8)
                pic_eoi(c, (p + c->priority_add) & 7, cmd == 5);
            break;
        case 3: /* specific EOI */
        case 7: /* rotate on specific EOI */
            pic_eoi(c, v & 7, cmd == 7);
            break;
        case 6: /* set priority */
            c->priority_add = (v + 1) & 7;
            break;
        default: /* 2: no operation */
            break;
        }
    }
    pic_update(s);
}

static void pic_write_data(struct i8259 *s, struct pic_chip *c, uint8_t v)
{
    switch (c->init_state) {
    case 0: /* OCW1 */
        c->imr = v;
        break;
    case 1: /* ICW2: vector base */
        c->irq_base = v & 0xf8;
        c->init_state = c->single_mode ? (c->init4 ? 3 : 0) : 2;
        break;
    case 2: /* ICW3: cascade wiring, fixed on a PC */
        c->init_state = c->init4 ? 3 : 0;
        break;
    default: /* ICW4 */
        c->special_fully_nested = (v >> 4) & 1;
        c->auto_eoi = (v >> 1) & 1;
        if (!(v & 1))
            log_unimp("i8259: 8080/8085 mode requested in ICW4");
        c->init_state = 0;
        break;
    }
    pic_update(s);
}

/* Poll command: the read acknowledges the best request like an INTA cycle. */
static uint8_t pic_poll_read(struct i8259 *s, int chip)
{
    struct pic_chip *c = &s->chip[chip];
    int irq = pic_pending(c, chip == 0);

    c->poll = false;
    if (irq < 0)
        return 0;
    pic_ack_irq(c, irq);
    if (chip == 1) /* the master's cascade input follows */
        pic_set_input(&s->chip[0], PIC_CASCADE_IRQ, pic_pending(c, false) >= 0);
    pic_update(s);
    return 0x80 | irq;
}

static uint64_t pic_read(struct i8259 *s, int chip, uint64_t offset)
{
    struct pic_chip *c = &s->chip[chip];

    if (c->poll)
        return pic_poll_read(s, chip);
    if (offset == 0)
        return c->read_isr ? c->isr : c->irr;
    return c->imr;
}

static uint64_t pic_master_read(void *o, uint64_t off, unsigned sz)
{
    (void)sz;
    return pic_read(o, 0, off);
}
static uint64_t pic_slave_read(void *o, uint64_t off, unsigned sz)
{
    (void)sz;
    return pic_read(o, 1, off);
}
static void pic_write(struct i8259 *s, int chip, uint64_t off, uint64_t v)
{
    if (off == 0)
        pic_write_cmd(s, &s->chip[chip], (uint8_t)v);
    else
        pic_write_data(s, &s->chip[chip], (uint8_t)v);
}
static void pic_master_write(void *o, uint64_t off, uint64_t v, unsigned sz)
{
    (void)sz;
    pic_write(o, 0, off, v);
}
static void pic_slave_write(void *o, uint64_t off, uint64_t v, unsigned sz)
{
    (void)sz;
    pic_write(o, 1, off, v);
}

static uint64_t pic_elcr_read(void *opaque, uint64_t off, unsigned sz)
{
    struct i8259 *s = opaque;

    (void)sz;
    return s->chip[off & 1].elcr;
}

static void pic_elcr_write(void *opaque, uint64_t off, uint64_t v, unsigned sz)
{
    struct i8259 *s = opaque;
    struct pic_chip *c = &s->chip[off & 1];

    (void)sz;
    c->elcr = v & c->elcr_mask;
    pic_update(s);
}

static const struct mem_region_ops pic_ops[2] = {
    {.read = pic_master_read, .write = pic_master_write, .min_access = 1, .max_access = 1},
    {.read = pic_slave_read, .write = pic_slave_write, .min_access = 1, .max_access = 1},
};
static const struct mem_region_ops pic_elcr_ops = {
    .read = pic_elcr_read, .write = pic_elcr_write, .min_access = 1, .max_access = 1};

static void pic_reset(struct device *dev)
{
    struct i8259 *s = (struct i8259 *)dev;

    for (int i = 0; i < 2; i++) {
        s->chip[i].elcr = 0;
        pic_chip_reset(&s->chip[i]);
    }
    irq_set(s->intr, 0);
}

static int pic_realize(struct device *dev)
{
    struct i8259 *s = (struct i8259 *)dev;

    /* IRQs 0-2 (timer, keyboard, cascade) and 8, 13 are edge-only on PIIX. */
    s->chip[0].elcr_mask = 0xf8;
    s->chip[1].elcr_mask = 0xde;
    irq_init_lines(s->inputs, 16, pic_input, s);
    mem_region_init_io(&s->io[0], "pic-master", &pic_ops[0], s, 2);
    mem_region_init_io(&s->io[1], "pic-slave", &pic_ops[1], s, 2);
    mem_region_init_io(&s->elcr_io, "elcr", &pic_elcr_ops, s, 2);
    pic_reset(dev);
    return 0;
}

struct irq_line *pic_irq(struct device *dev, int n)
{
    return &((struct i8259 *)dev)->inputs[n & 15];
}

struct mem_region *pic_io(struct device *dev, int chip)
{
    return &((struct i8259 *)dev)->io[chip & 1];
}

struct mem_region *pic_elcr_io(struct device *dev)
{
    return &((struct i8259 *)dev)->elcr_io;
}

#define PIC_U8(f)                                                                                  \
    {                                                                                              \
#f, VMS_U8, offsetof(struct pic_chip, f), 0, 0, NULL, 0, false, 0                          \
    }
#define PIC_BOOL(f)                                                                                \
    {                                                                                              \
#f, VMS_BOOL, offsetof(struct pic_chip, f), 0, 0, NULL, 0, false, 0                        \
    }
static const struct vmstate_field pic_chip_fields[] = {
    PIC_U8(irr),
    PIC_U8(imr),
    PIC_U8(isr),
    PIC_U8(last_irr),
    PIC_U8(priority_add),
    PIC_U8(irq_base),
    PIC_U8(init_state),
    PIC_U8(elcr),
    PIC_BOOL(read_isr),
    PIC_BOOL(poll),
    PIC_BOOL(special_mask),
    PIC_BOOL(auto_eoi),
    PIC_BOOL(rotate_on_auto_eoi),
    PIC_BOOL(special_fully_nested),
    PIC_BOOL(init4),
    PIC_BOOL(single_mode),
    {.type = VMS_END},
};
static const struct vmstate_desc pic_chip_vmstate = {
    .name = "i8259-chip", .version_id = 1, .minimum_version_id = 1, .fields = pic_chip_fields};

static int pic_post_load(void *opaque, int version_id)
{
    struct i8259 *s = opaque;

    (void)version_id;
    for (int i = 0; i < 2; i++) {
        s->chip[i].elcr &= s->chip[i].elcr_mask;
        if (s->chip[i].init_state > 3)
            return -EINVAL;
    }
    pic_update(s);
    return 0;
}

static const struct vmstate_field pic_fields[] = {
    {.name = "chip",
     .type = VMS_STRUCT,
     .offset = offsetof(struct i8259, chip),
     .count = 2,
     .size = sizeof(struct pic_chip),
     .sub = &pic_chip_vmstate},
    {.type = VMS_END},
};
static const struct vmstate_desc pic_vmstate = {.name = "i8259",
                                                .version_id = 1,
                                                .minimum_version_id = 1,
                                                .fields = pic_fields,
                                                .post_load = pic_post_load};

static const struct device_prop pic_props[] = {
    {"intr", PROP_LINK, offsetof(struct i8259, intr), 0, NULL},
    {NULL, PROP_END, 0, 0, NULL},
};

const struct device_type i8259_type = {
    .name = "i8259",
    .desc = "8259A master/slave interrupt controller pair",
    .state_size = sizeof(struct i8259),
    .props = pic_props,
    .realize = pic_realize,
    .reset = pic_reset,
    .vmsd = &pic_vmstate,
};
