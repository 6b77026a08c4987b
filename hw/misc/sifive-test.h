/*
 * sifive-test.h - the SiFive test finisher: a guest write of 0x5555 powers
 * off (exit status 0), 0x3333 | code << 16 powers off with exit status
 * code, 0x7777 resets, as in QEMU.
 */
#ifndef HW_MISC_SIFIVE_TEST_H
#define HW_MISC_SIFIVE_TEST_H

#include "emu-core/device.h"
#include "emu-core/memory.h"

#define SIFIVE_TEST_MMIO_SIZE 0x1000

enum { SIFIVE_TEST_FAIL = 0x3333, SIFIVE_TEST_PASS = 0x5555, SIFIVE_TEST_RESET = 0x7777 };

struct sifive_test {
    struct device dev;
    struct mem_region mmio;
};

extern const struct device_type sifive_test_type;

static inline struct mem_region *sifive_test_mmio(struct device *dev)
{
    return &((struct sifive_test *)dev)->mmio;
}

#endif
