/*
 * i440fx.h - the PCI host bridge of the pc machine: configuration
 * mechanism #1 (address at 0xcf8, data at 0xcfc-0xcff) on bus 0 with the
 * host bridge itself at 00:00.0 (Intel 440FX IDs and QEMU's subsystem IDs
 * 1af4:1100, which SeaBIOS looks for), its PAM registers (0x59-0x5f) that
 * decide whether 0xc0000-0xfffff reads the BIOS ROM or RAM, and the reset
 * control register at 0xcf9.
 *
 * Other devices: none yet; empty slots read all-ones.
 */
#ifndef HW_PCI_I440FX_H
#define HW_PCI_I440FX_H

#include <stdint.h>

#include "emu-core/device.h"
#include "emu-core/memory.h"

#define I440FX_PAM0 0x59
#define I440FX_NPAM 7

struct i440fx {
    struct device dev;
    uint32_t config_addr;
    uint8_t config[256]; /* the host bridge's configuration space */
    uint8_t rcr;         /* 0xcf9 */
    /* Told after a PAM register changes (the board remaps 0xc0000-0xfffff). */
    void (*pam_changed)(void *opaque, const uint8_t *pam);
    void *pam_opaque;
    struct mem_region addr_io, data_io;
};

extern const struct device_type i440fx_type;

void i440fx_set_pam_hook(struct device *dev, void (*fn)(void *opaque, const uint8_t *pam),
                         void *opaque);

/* Board placement: addr_io (4 bytes, also holds 0xcf9) at 0xcf8, data_io at 0xcfc. */
static inline struct mem_region *i440fx_addr_io(struct device *dev)
{
    return &((struct i440fx *)dev)->addr_io;
}
static inline struct mem_region *i440fx_data_io(struct device *dev)
{
    return &((struct i440fx *)dev)->data_io;
}

#endif
