/*
 * board.c - the error-reporting wrappers every board uses (board.h).
 */
#include "hw/boards/board.h"

#include <string.h>

#include "emu-core/device.h"
#include "emu-core/log.h"
#include "emu-core/memory.h"

struct device *board_new_device(struct machine *m, const struct device_type *t, const char *id)
{
    struct device *d = device_new(m, t, id);

    if (!d)
        error_report("%s: out of memory", t->name);
    return d;
}

int board_realize(struct device *d)
{
    int ret = device_realize(d);

    if (ret < 0)
        error_report("%s: cannot start: %s", d->type->name, strerror(-ret));
    return ret;
}

int board_map(const char *board, struct mem_region *container, uint64_t addr,
              struct mem_region *mr, int prio)
{
    int ret = mem_region_add_subregion(container, addr, mr, prio);

    if (ret < 0)
        error_report("%s: cannot map %s at 0x%llx: %s", board, mr->name,
                     (unsigned long long)addr, strerror(-ret));
    return ret;
}
