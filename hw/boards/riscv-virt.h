/*
 * riscv-virt.h - the "virt" board's layout and state, shared by the board
 * (riscv-virt.c) and its device-tree generator (riscv-fdt.c).
 *
 * Addresses, sizes and interrupt numbers are QEMU 7.2's hw/riscv/virt.c.
 */
#ifndef HW_BOARDS_RISCV_VIRT_H
#define HW_BOARDS_RISCV_VIRT_H

#include <stddef.h>
#include <stdint.h>

#include "emu-core/machine.h"
#include "emu-core/memory.h"
#include "hw/boards/riscv-boot.h"

#define VIRT_MROM_BASE 0x1000
#define VIRT_MROM_SIZE 0xf000
#define VIRT_TEST_BASE 0x100000
#define VIRT_TEST_SIZE 0x1000
#define VIRT_RTC_BASE 0x101000
#define VIRT_RTC_SIZE 0x1000
#define VIRT_CLINT_BASE 0x2000000
#define VIRT_CLINT_SIZE 0x10000
#define VIRT_PLIC_BASE 0xc000000
#define VIRT_PLIC_SIZE 0x600000 /* QEMU sizes it for 512 harts whatever -smp says */
#define VIRT_UART0_BASE 0x10000000
#define VIRT_UART0_SIZE 0x100
#define VIRT_VIRTIO_BASE 0x10001000
#define VIRT_VIRTIO_SIZE 0x1000
#define VIRT_VIRTIO_COUNT 8
#define VIRT_DRAM_BASE 0x80000000ull

#define VIRT_VIRTIO_IRQ 1 /* 1..8 */
#define VIRT_UART0_IRQ 10
#define VIRT_RTC_IRQ 11
#define VIRT_PLIC_NUM_SOURCES 97 /* riscv,ndev = 96 */
#define VIRT_PLIC_NUM_PRIORITIES 7
#define VIRT_TIMEBASE_FREQ 10000000
#define VIRT_UART_CLOCK 3686400

struct device;
struct vcpu;

struct virt_board {
    struct machine *m;
    struct mem_region ram, mrom;
    struct device *plic, *mswi, *mtimer, *uart, *rtc, *test;
    struct device *virtio[VIRT_VIRTIO_COUNT];
    struct rv_boot boot;
    void *fdt; /* the device tree handed to the guest (packed) */
    uint64_t fdt_addr;
};

/*
 * Build the device tree (or load -dtb) and patch /chosen for bootargs and
 * the initrd (initrd_end == 0: none). Returns 0 and a malloc'd, packed
 * tree in b->fdt, or -errno after error_report().
 */
int virt_fdt_build(struct virt_board *b, const struct emu_config *cfg, uint64_t initrd_start,
                   uint64_t initrd_end);

#endif
