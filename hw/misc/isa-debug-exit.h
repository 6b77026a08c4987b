/*
 * isa-debug-exit.h - QEMU's isa-debug-exit: a write of v to its port ends
 * the run with exit status (v << 1) | 1. The board places the region in the
 * I/O space ("iobase", 0xf4 by default here; "iosize" bytes, 4 by default).
 */
#ifndef HW_MISC_ISA_DEBUG_EXIT_H
#define HW_MISC_ISA_DEBUG_EXIT_H

#include <stdint.h>

#include "emu-core/device.h"
#include "emu-core/memory.h"

struct isa_debug_exit {
    struct device dev;
    uint32_t iobase, iosize; /* properties */
    struct mem_region io;
};

extern const struct device_type isa_debug_exit_type;

static inline struct mem_region *isa_debug_exit_io(struct device *dev)
{
    return &((struct isa_debug_exit *)dev)->io;
}

#endif
