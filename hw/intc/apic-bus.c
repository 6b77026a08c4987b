/*
 * apic-bus.c - the local APICs of one machine as the messages between them
 * see them (Intel SDM vol. 3A, chapter 11: 11.6 "Issuing Interprocessor
 * Interrupts" for destinations, 11.11 "Message Signalled Interrupts"), and
 * the xAPIC page every CPU finds at the same address.
 */
#include "hw/intc/apic.h"

#include <errno.h>
#include <string.h>

#include "emu-core/accel.h"
#include "emu-core/log.h"
#include "hw/intc/apic-internal.h"

/* The APIC of the vCPU being run, or NULL (a device's DMA, the monitor). */
static struct apic *apic_bus_current(struct apic_bus *bus)
{
    struct vcpu *cpu = vcpu_current();

    for (int i = 0; cpu && i < bus->n; i++) {
        if (bus->apics[i]->cpu == cpu)
            return bus->apics[i];
    }
    return NULL;
}

/* Whether s serves its xAPIC page through the bus window (at the default base, in xAPIC mode). */
static bool apic_bus_serves(const struct apic *s)
{
    return (s->base_msr & APIC_BASE_EN) && !(s->base_msr & APIC_BASE_EXTD) &&
           (s->base_msr & 0xffffff000ull) == APIC_DEFAULT_BASE;
}

static uint64_t apic_bus_read(void *opaque, uint64_t off, unsigned size)
{
    struct apic_bus *bus = opaque;
    struct apic *s = apic_bus_current(bus);

    /* Outside a vCPU (the monitor's xp, a debugger): the first CPU's page. */
    if (!s && !vcpu_current() && bus->n)
        s = bus->apics[0];
    if (s && off < 0x1000 && apic_bus_serves(s))
        return apic_mmio_read(s, off, size);
    return (1ull << (8 * size)) - 1; /* MSI addresses read as nothing */
}

static void apic_bus_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct apic_bus *bus = opaque;
    struct apic *s = apic_bus_current(bus);

    if (s && off < 0x1000 && (off >> 4) != 0 && apic_bus_serves(s)) {
        apic_mmio_write(s, off, val, size);
        return;
    }
    if (size != 4) {
        log_guest_error("apic: MSI write of %u bytes at 0x%llx ignored", size,
                        (unsigned long long)(APIC_DEFAULT_BASE + off));
        return;
    }
    apic_bus_msi(bus, APIC_DEFAULT_BASE + off, (uint32_t)val);
}

static const struct mem_region_ops apic_bus_ops = {
    .read = apic_bus_read, .write = apic_bus_write, .min_access = 1, .max_access = 4};

void apic_bus_init(struct apic_bus *bus)
{
    memset(bus, 0, sizeof(*bus));
    mem_region_init_io(&bus->mmio, "apic-msi", &apic_bus_ops, bus, APIC_BUS_WINDOW);
}

int apic_bus_add(struct apic_bus *bus, struct device *apic)
{
    struct apic *s = (struct apic *)apic;

    if (bus->n >= APIC_BUS_MAX)
        return -ENOSPC;
    bus->apics[bus->n++] = s;
    s->bus = bus;
    apic_remap(s); /* the window serves its page at the default base from now on */
    return 0;
}

void apic_bus_deliver(struct apic_bus *bus, uint32_t dest, bool logical, int dm, int vector,
                      bool level)
{
    for (int i = 0; i < bus->n; i++) {
        if (!apic_match_dest(&bus->apics[i]->dev, dest, logical))
            continue;
        apic_deliver(&bus->apics[i]->dev, dm, vector, level);
        if (dm == APIC_DM_LOWPRI) /* one CPU takes it: the first that matches, as QEMU */
            break;
    }
}

void apic_bus_msi(struct apic_bus *bus, uint64_t addr, uint32_t data)
{
    int dm = data >> 8 & 7;

    /* 11.11.2: INIT, STARTUP and the reserved modes are not for MSIs; SMI is not modelled. */
    if (dm == APIC_DM_INIT || dm == APIC_DM_STARTUP || dm == 3 || dm == APIC_DM_SMI) {
        log_guest_error("apic: MSI with delivery mode %d ignored", dm);
        return;
    }
    apic_bus_deliver(bus, (uint32_t)(addr >> 12 & 0xff), addr & 4, dm, data & 0xff,
                     data & (1u << 15));
}
