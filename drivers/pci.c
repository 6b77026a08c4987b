/*
 * pci.c - PCI configuration access and enumeration (see pci.h). Walking
 * bridges from bus 0 instead of probing all 256 buses keeps boot fast where
 * each config access is a VM exit.
 */
#include "drivers/pci.h"

#include "kernel/kernel.h"

#define PCI_ADDR 0xCF8
#define PCI_DATA 0xCFC

static struct pci_func funcs[PCI_MAX_FUNCS];
static int nfuncs = -1;
static uint8_t buses_seen[256 / 8];

static uint32_t cfg_addr(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
    return 0x80000000u | (uint32_t)bus << 16 | (uint32_t)dev << 11 | (uint32_t)fn << 8 |
           (off & 0xFC);
}

uint32_t pci_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
    outl(PCI_ADDR, cfg_addr(bus, dev, fn, off));
    return inl(PCI_DATA);
}

void pci_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint32_t v)
{
    outl(PCI_ADDR, cfg_addr(bus, dev, fn, off));
    outl(PCI_DATA, v);
}

uint16_t pci_read16(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
    return pci_read32(bus, dev, fn, off) >> ((off & 2) * 8);
}

uint8_t pci_read8(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
    return pci_read32(bus, dev, fn, off) >> ((off & 3) * 8);
}

static void scan_bus(uint8_t bus);

static void scan_func(uint8_t bus, uint8_t dev, uint8_t fn)
{
    uint32_t id = pci_read32(bus, dev, fn, 0x00);
    uint32_t cls = pci_read32(bus, dev, fn, 0x08);

    if (nfuncs < PCI_MAX_FUNCS)
        funcs[nfuncs++] = (struct pci_func){
            .bus = bus,
            .dev = dev,
            .fn = fn,
            .vendor = id & 0xFFFF,
            .device = id >> 16,
            .class_code = cls >> 24,
            .subclass = (cls >> 16) & 0xFF,
            .prog_if = (cls >> 8) & 0xFF,
        };
    /* PCI-to-PCI bridge: its secondary bus holds more. */
    if ((cls >> 16) == 0x0604 && (pci_read8(bus, dev, fn, 0x0E) & 0x7F) == 1)
        scan_bus(pci_read8(bus, dev, fn, 0x19));
}

static void scan_bus(uint8_t bus)
{
    if (buses_seen[bus / 8] & (1u << (bus % 8)))
        return; /* misprogrammed bridges must not send us round in circles */
    buses_seen[bus / 8] |= 1u << (bus % 8);
    for (uint8_t dev = 0; dev < 32; dev++) {
        if (pci_read16(bus, dev, 0, 0x00) == 0xFFFF)
            continue;
        scan_func(bus, dev, 0);
        if (!(pci_read8(bus, dev, 0, 0x0E) & 0x80))
            continue;
        for (uint8_t fn = 1; fn < 8; fn++)
            if (pci_read16(bus, dev, fn, 0x00) != 0xFFFF)
                scan_func(bus, dev, fn);
    }
}

int pci_scan(void)
{
    if (nfuncs >= 0)
        return nfuncs;
    nfuncs = 0;
    /* Several host bridges at bus 0 functions 1-7 mean one root bus each. */
    if (pci_read16(0, 0, 0, 0x00) != 0xFFFF && (pci_read8(0, 0, 0, 0x0E) & 0x80)) {
        for (uint8_t fn = 0; fn < 8; fn++)
            if (pci_read16(0, 0, fn, 0x00) != 0xFFFF)
                scan_bus(fn);
    } else {
        scan_bus(0);
    }
    return nfuncs;
}

const struct pci_func *pci_func_at(int i)
{
    return i >= 0 && i < nfuncs ? &funcs[i] : NULL;
}

const struct pci_func *pci_find(uint16_t vendor, uint16_t device)
{
    for (int i = 0; i < nfuncs; i++)
        if ((vendor == 0xFFFF || funcs[i].vendor == vendor) &&
            (device == 0xFFFF || funcs[i].device == device))
            return &funcs[i];
    return NULL;
}
