/*
 * pci.h - PCI configuration space through I/O ports 0xCF8/0xCFC (mechanism
 * #1), and the list of functions found at boot by walking the bridges from
 * bus 0. Drivers (NICs, disks) look themselves up here.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdint.h>

#define PCI_MAX_FUNCS 256

struct pci_func {
    uint8_t bus, dev, fn;
    uint16_t vendor, device;
    uint8_t class_code, subclass, prog_if;
};

uint32_t pci_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off);
void pci_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint32_t v);
uint16_t pci_read16(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off);
uint8_t pci_read8(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off);

/* Enumerate (once); returns how many functions were found. */
int pci_scan(void);
/* The i-th function found, or NULL past the end. */
const struct pci_func *pci_func_at(int i);
/* The first function with this vendor/device (0xFFFF: any), or NULL. */
const struct pci_func *pci_find(uint16_t vendor, uint16_t device);

#endif
