/*
 * board.h - what every board does while it builds a machine: create a
 * device, realize it, map a region, each reporting its own failure with
 * error_report() so the board's code reads as a list of parts.
 */
#ifndef HW_BOARDS_BOARD_H
#define HW_BOARDS_BOARD_H

#include <stdint.h>

struct device;
struct device_type;
struct machine;
struct mem_region;

/* device_new(); on failure reports "<type>: out of memory" and returns NULL. */
struct device *board_new_device(struct machine *m, const struct device_type *t, const char *id);

/* device_realize(); on failure reports "<type>: cannot start: <reason>". 0 or -errno. */
int board_realize(struct device *d);

/*
 * mem_region_add_subregion(container, addr, mr, prio); on failure reports
 * "<board>: cannot map <region> at <addr>: <reason>". 0 or -errno.
 */
int board_map(const char *board, struct mem_region *container, uint64_t addr,
              struct mem_region *mr, int prio);

#endif
