/*
 * ioapic.c - the I/O APIC (82093AA datasheet, sections 3.2 "Register
 * description" and 3.2.4 "I/O Redirection Table Registers").
 */
#include "hw/intc/ioapic.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/vmstate.h"
#include "hw/intc/apic.h"

#define IOAPIC_VERSION 0x20

/* Redirection entry bits (3.2.4). */
#define RTE_VECTOR 0xffull
#define RTE_DELIVERY_STATUS (1ull << 12)
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_LEVEL (1ull << 15)
#define RTE_MASKED (1ull << 16)
#define RTE_DEST_LOGICAL (1ull << 11)
/* Writable: vector, delivery mode, destination mode, polarity, trigger, mask, destination. */
#define RTE_WRITABLE (0xff00000000000000ull | 0x1afffull)

static void ioapic_send(struct ioapic *s, int pin)
{
    uint64_t e = s->redir[pin];
    int dm = (int)(e >> 8 & 7);
    uint32_t dest = (uint32_t)(e >> 56);
    bool logical = e & RTE_DEST_LOGICAL, level = e & RTE_LEVEL;

    if (level)
        s->redir[pin] |= RTE_REMOTE_IRR;
    if (s->bus)
        apic_bus_deliver(s->bus, dest, logical, dm, (int)(e & RTE_VECTOR), level);
}

/* Deliver pin's level-triggered request if it is asserted, unmasked and not in service. */
static void ioapic_service_level(struct ioapic *s, int pin)
{
    uint64_t e = s->redir[pin];

    if ((e & RTE_LEVEL) && (s->levels >> pin & 1) && !(e & RTE_MASKED) && !(e & RTE_REMOTE_IRR))
        ioapic_send(s, pin);
}

static void ioapic_set_irq(void *opaque, int pin, int level)
{
    struct ioapic *s = opaque;
    uint32_t bit = 1u << pin;
    bool was = s->levels & bit;

    if (level)
        s->levels |= bit;
    else
        s->levels &= ~bit;
    if (s->redir[pin] & RTE_LEVEL)
        ioapic_service_level(s, pin);
    else if (level && !was && !(s->redir[pin] & RTE_MASKED))
        ioapic_send(s, pin); /* edge: a masked edge is lost, as on the 82093AA */
}

void ioapic_eoi(void *opaque, int vector)
{
    struct ioapic *s = opaque;

    for (int pin = 0; pin < IOAPIC_PINS; pin++) {
        uint64_t e = s->redir[pin];
        if ((e & RTE_REMOTE_IRR) && (int)(e & RTE_VECTOR) == vector) {
            s->redir[pin] &= ~RTE_REMOTE_IRR;
            ioapic_service_level(s, pin);
        }
    }
}

static uint32_t ioapic_read_reg(struct ioapic *s)
{
    unsigned r = s->sel;

    switch (r) {
    case 0x00:
        return (s->id & 0xf) << 24;
    case 0x01: /* maximum redirection entry in 23:16 */
        return (IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION;
    case 0x02: /* arbitration ID: the APIC ID on this bus-less design */
        return (s->id & 0xf) << 24;
    default:
        if (r >= 0x10 && r < 0x10 + 2 * IOAPIC_PINS) {
            uint64_t e = s->redir[(r - 0x10) / 2];
            return r & 1 ? (uint32_t)(e >> 32) : (uint32_t)e;
        }
        log_guest_error("ioapic: read of register 0x%x", r);
        return 0;
    }
}

static void ioapic_write_reg(struct ioapic *s, uint32_t v)
{
    unsigned r = s->sel;

    if (r == 0x00) {
        s->id = v >> 24 & 0xf;
        return;
    }
    if (r < 0x10 || r >= 0x10 + 2 * IOAPIC_PINS) {
        log_guest_error("ioapic: write of 0x%x to register 0x%x ignored", v, r);
        return;
    }
    int pin = (r - 0x10) / 2;
    uint64_t e = s->redir[pin], nv;

    nv = r & 1 ? (e & 0xffffffffull) | (uint64_t)v << 32 : (e & ~0xffffffffull) | v;
    s->redir[pin] = (nv & RTE_WRITABLE) | (e & (RTE_REMOTE_IRR | RTE_DELIVERY_STATUS));
    if (!(s->redir[pin] & RTE_LEVEL)) /* Remote IRR is undefined for edge entries: keep it 0 */
        s->redir[pin] &= ~RTE_REMOTE_IRR;
    ioapic_service_level(s, pin);
}

static uint64_t ioapic_mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct ioapic *s = opaque;

    (void)size;
    switch (off) {
    case 0x00:
        return s->sel;
    case 0x10:
        return ioapic_read_reg(s);
    default:
        log_guest_error("ioapic: read at offset 0x%llx", (unsigned long long)off);
        return 0;
    }
}

static void ioapic_mmio_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct ioapic *s = opaque;

    (void)size;
    switch (off) {
    case 0x00:
        s->sel = (uint8_t)v;
        break;
    case 0x10:
        ioapic_write_reg(s, (uint32_t)v);
        break;
    case 0x40:
        ioapic_eoi(s, (int)(v & 0xff));
        break;
    default:
        log_guest_error("ioapic: write at offset 0x%llx ignored", (unsigned long long)off);
        break;
    }
}

/* The datasheet allows 32-bit accesses only; narrower ones are widened (no harm). */
static const struct mem_region_ops ioapic_mmio_ops = {
    .read = ioapic_mmio_read, .write = ioapic_mmio_write, .min_access = 4, .max_access = 4};

static void ioapic_reset(struct device *dev)
{
    struct ioapic *s = (struct ioapic *)dev;

    s->sel = 0;
    for (int i = 0; i < IOAPIC_PINS; i++)
        s->redir[i] = RTE_MASKED;
}

static int ioapic_realize(struct device *dev)
{
    struct ioapic *s = (struct ioapic *)dev;

    mem_region_init_io(&s->mmio, "ioapic", &ioapic_mmio_ops, s, 0x1000);
    irq_init_lines(s->inputs, IOAPIC_PINS, ioapic_set_irq, s);
    ioapic_reset(dev);
    return 0;
}

struct irq_line *ioapic_irq(struct device *dev, int n)
{
    return &((struct ioapic *)dev)->inputs[(unsigned)n % IOAPIC_PINS];
}

struct mem_region *ioapic_mmio(struct device *dev)
{
    return &((struct ioapic *)dev)->mmio;
}

void ioapic_set_bus(struct device *dev, struct apic_bus *bus)
{
    ((struct ioapic *)dev)->bus = bus;
}

static int ioapic_post_load(void *opaque, int version_id)
{
    struct ioapic *s = opaque;

    (void)version_id;
    s->id &= 0xf;
    s->levels &= (1u << IOAPIC_PINS) - 1;
    for (int i = 0; i < IOAPIC_PINS; i++)
        s->redir[i] &= RTE_WRITABLE | RTE_REMOTE_IRR;
    return 0;
}

static const struct vmstate_field ioapic_fields[] = {
    {.name = "id", .type = VMS_U32, .offset = offsetof(struct ioapic, id)},
    {.name = "sel", .type = VMS_U8, .offset = offsetof(struct ioapic, sel)},
    {.name = "redir",
     .type = VMS_U64,
     .offset = offsetof(struct ioapic, redir),
     .count = IOAPIC_PINS},
    {.name = "levels", .type = VMS_U32, .offset = offsetof(struct ioapic, levels)},
    {.type = VMS_END},
};
static const struct vmstate_desc ioapic_vmstate = {.name = "ioapic",
                                                   .version_id = 1,
                                                   .minimum_version_id = 1,
                                                   .fields = ioapic_fields,
                                                   .post_load = ioapic_post_load};

static const struct device_prop ioapic_props[] = {
    {"id", PROP_U32, offsetof(struct ioapic, id), 0, NULL},
    {NULL, PROP_END, 0, 0, NULL},
};

const struct device_type ioapic_type = {
    .name = "ioapic",
    .desc = "82093AA-style I/O APIC, 24 pins",
    .state_size = sizeof(struct ioapic),
    .props = ioapic_props,
    .realize = ioapic_realize,
    .reset = ioapic_reset,
    .vmsd = &ioapic_vmstate,
};
