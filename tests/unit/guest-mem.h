/*
 * guest-mem.h - for unit tests of device models: little-endian loads and
 * stores into a test's address space, and split-ring descriptors.
 */
#ifndef TESTS_UNIT_GUEST_MEM_H
#define TESTS_UNIT_GUEST_MEM_H

#include <stdint.h>

#include "emu-core/memory.h"

static inline void gm_st(struct address_space *as, uint64_t addr, uint64_t v, int n)
{
    uint8_t b[8];
    for (int i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    address_space_write(as, addr, b, (uint64_t)n);
}

static inline uint64_t gm_ld(struct address_space *as, uint64_t addr, int n)
{
    uint8_t b[8] = {0};
    uint64_t v = 0;
    address_space_read(as, addr, b, (uint64_t)n);
    for (int i = 0; i < n; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

/* Descriptor i of the split-ring table at table (virtio 1.2 section 2.7.5). */
static inline void gm_vring_desc(struct address_space *as, uint64_t table, int i, uint64_t addr,
                                 uint32_t len, uint16_t flags, uint16_t next)
{
    gm_st(as, table + i * 16, addr, 8);
    gm_st(as, table + i * 16 + 8, len, 4);
    gm_st(as, table + i * 16 + 12, flags, 2);
    gm_st(as, table + i * 16 + 14, next, 2);
}

#endif
