/*
 * code-mem.c - executable memory for generated code (the hosted platform).
 *
 * One anonymous RWX mapping per request: the JIT patches chained jumps in
 * place while it runs, so toggling W^X around every patch would cost more
 * than it protects in a single-process emulator.
 */
#include <stddef.h>
#include <sys/mman.h>

#include "emu-core/platform.h"

void *plat_code_alloc(size_t size)
{
    void *p =
        mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}
