/*
 * riscv-fdt.c - the "virt" board's device tree, built with libfdt in the
 * order QEMU 7.2's hw/riscv/virt.c builds it (libfdt's read-write calls put
 * each new node and property first, so the same sequence of calls gives the
 * same layout and phandles), or a user's -dtb with /chosen patched.
 *
 * Nodes for what baremu does not model (PCIe, flash, fw_cfg, PMU events,
 * the platform bus) are left out so no guest probes a device that is not
 * there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "emu-core/log.h"
#include "emu-core/platform.h"
#include "hw/boards/riscv-virt.h"
#include "targets/riscv/riscv.h"

/* Room for the generated tree before packing; QEMU uses the same 1 MiB. */
#define VIRT_FDT_MAX 0x100000
/* Largest -dtb accepted, and the room added to it for /chosen. */
#define VIRT_DTB_MAX (4u << 20)
#define VIRT_DTB_SLACK 0x10000

#define FDT_IRQ_M_SOFT 3
#define FDT_IRQ_M_TIMER 7
#define FDT_IRQ_S_EXT 9
#define FDT_IRQ_M_EXT 11

/* Build state: the tree and the first libfdt error, so calls can be chained unchecked. */
struct fdt_builder {
    void *fdt;
    int err;
    uint32_t next_phandle;
};

static int fb_node(struct fdt_builder *fb, const char *path)
{
    const char *slash = strrchr(path, '/');
    char parent[128];
    int off;

    if (fb->err)
        return -1;
    snprintf(parent, sizeof(parent), "%.*s", slash == path ? 1 : (int)(slash - path), path);
    off = fdt_path_offset(fb->fdt, parent);
    if (off >= 0)
        off = fdt_add_subnode(fb->fdt, off, slash + 1);
    if (off < 0)
        fb->err = off;
    return off;
}

static void fb_prop(struct fdt_builder *fb, const char *path, const char *name, const void *val,
                    int len)
{
    int off;

    if (fb->err)
        return;
    off = fdt_path_offset(fb->fdt, path);
    if (off >= 0)
        off = fdt_setprop(fb->fdt, off, name, val, len);
    if (off < 0)
        fb->err = off;
}

static void fb_str(struct fdt_builder *fb, const char *path, const char *name, const char *s)
{
    fb_prop(fb, path, name, s, strlen(s) + 1);
}

/* A string list: the strings given one after another with their NULs. */
static void fb_strs(struct fdt_builder *fb, const char *path, const char *name, const char *list,
                    int len)
{
    fb_prop(fb, path, name, list, len);
}

static void fb_cells(struct fdt_builder *fb, const char *path, const char *name,
                     const uint32_t *cells, int n)
{
    fdt32_t be[64];

    for (int i = 0; i < n && i < 64; i++)
        be[i] = cpu_to_fdt32(cells[i]);
    fb_prop(fb, path, name, be, n * 4);
}

static void fb_cell(struct fdt_builder *fb, const char *path, const char *name, uint32_t v)
{
    fb_cells(fb, path, name, &v, 1);
}

/* reg = <0 base 0 size> in the soc's two-cell addressing. */
static void fb_reg(struct fdt_builder *fb, const char *path, uint64_t base, uint64_t size)
{
    uint32_t c[4] = {base >> 32, (uint32_t)base, size >> 32, (uint32_t)size};
    fb_cells(fb, path, "reg", c, 4);
}

/* The harts, their interrupt controllers and the cpu-map; fills intc[]. */
static void virt_fdt_cpus(struct fdt_builder *fb, struct virt_board *b, uint32_t *intc)
{
    struct machine *m = b->m;
    char name[64], sub[96];

    fb_node(fb, "/cpus");
    fb_cell(fb, "/cpus", "timebase-frequency", VIRT_TIMEBASE_FREQ);
    fb_cell(fb, "/cpus", "#size-cells", 0);
    fb_cell(fb, "/cpus", "#address-cells", 1);
    fb_node(fb, "/cpus/cpu-map");
    fb_node(fb, "/cpus/cpu-map/cluster0");
    for (int cpu = m->ncpus - 1; cpu >= 0; cpu--) {
        uint32_t cpu_phandle = fb->next_phandle++;
        snprintf(name, sizeof(name), "/cpus/cpu@%d", cpu);
        fb_node(fb, name);
        /* QEMU 7.2 announces Sv48 on rv64 although its harts also accept Sv57 in satp. */
        fb_str(fb, name, "mmu-type", "riscv,sv48");
        fb_str(fb, name, "riscv,isa", rv_cpu_isa_string(m->cpus[cpu]));
        fb_str(fb, name, "compatible", "riscv");
        fb_str(fb, name, "status", "okay");
        fb_cell(fb, name, "reg", cpu);
        fb_str(fb, name, "device_type", "cpu");
        fb_cell(fb, name, "phandle", cpu_phandle);

        intc[cpu] = fb->next_phandle++;
        snprintf(sub, sizeof(sub), "%s/interrupt-controller", name);
        fb_node(fb, sub);
        fb_cell(fb, sub, "phandle", intc[cpu]);
        fb_str(fb, sub, "compatible", "riscv,cpu-intc");
        fb_prop(fb, sub, "interrupt-controller", NULL, 0);
        fb_cell(fb, sub, "#interrupt-cells", 1);

        snprintf(sub, sizeof(sub), "/cpus/cpu-map/cluster0/core%d", cpu);
        fb_node(fb, sub);
        fb_cell(fb, sub, "cpu", cpu_phandle);
    }
}

static void virt_fdt_memory_clint(struct fdt_builder *fb, struct virt_board *b,
                                  const uint32_t *intc)
{
    static const char clint_compat[] = "sifive,clint0\0riscv,clint0";
    uint32_t cells[4 * MACHINE_MAX_CPUS];
    char name[64];
    int n = b->m->ncpus;

    snprintf(name, sizeof(name), "/memory@%llx", (unsigned long long)VIRT_DRAM_BASE);
    fb_node(fb, name);
    fb_reg(fb, name, VIRT_DRAM_BASE, b->boot.ram_size);
    fb_str(fb, name, "device_type", "memory");

    for (int cpu = 0; cpu < n; cpu++) {
        cells[cpu * 4 + 0] = intc[cpu];
        cells[cpu * 4 + 1] = FDT_IRQ_M_SOFT;
        cells[cpu * 4 + 2] = intc[cpu];
        cells[cpu * 4 + 3] = FDT_IRQ_M_TIMER;
    }
    snprintf(name, sizeof(name), "/soc/clint@%x", VIRT_CLINT_BASE);
    fb_node(fb, name);
    fb_strs(fb, name, "compatible", clint_compat, sizeof(clint_compat));
    fb_reg(fb, name, VIRT_CLINT_BASE, VIRT_CLINT_SIZE);
    fb_cells(fb, name, "interrupts-extended", cells, n * 4);
}

static uint32_t virt_fdt_plic(struct fdt_builder *fb, struct virt_board *b, const uint32_t *intc)
{
    static const char plic_compat[] = "sifive,plic-1.0.0\0riscv,plic0";
    uint32_t cells[4 * MACHINE_MAX_CPUS], phandle = fb->next_phandle++;
    char name[64];
    int n = b->m->ncpus;

    for (int cpu = 0; cpu < n; cpu++) {
        cells[cpu * 4 + 0] = intc[cpu];
        cells[cpu * 4 + 1] = FDT_IRQ_M_EXT;
        cells[cpu * 4 + 2] = intc[cpu];
        cells[cpu * 4 + 3] = FDT_IRQ_S_EXT;
    }
    snprintf(name, sizeof(name), "/soc/plic@%x", VIRT_PLIC_BASE);
    fb_node(fb, name);
    fb_cell(fb, name, "#interrupt-cells", 1);
    fb_cell(fb, name, "#address-cells", 0);
    fb_strs(fb, name, "compatible", plic_compat, sizeof(plic_compat));
    fb_prop(fb, name, "interrupt-controller", NULL, 0);
    fb_cells(fb, name, "interrupts-extended", cells, n * 4);
    fb_reg(fb, name, VIRT_PLIC_BASE, VIRT_PLIC_SIZE);
    fb_cell(fb, name, "riscv,ndev", VIRT_PLIC_NUM_SOURCES - 1);
    fb_cell(fb, name, "phandle", phandle);
    return phandle;
}

/* A device on the PLIC: compatible, reg, interrupt-parent, interrupts. */
static void virt_fdt_irq_dev(struct fdt_builder *fb, const char *name, const char *compat,
                             uint64_t base, uint64_t size, uint32_t plic, uint32_t irq)
{
    fb_node(fb, name);
    fb_str(fb, name, "compatible", compat);
    fb_reg(fb, name, base, size);
    fb_cell(fb, name, "interrupt-parent", plic);
    fb_cell(fb, name, "interrupts", irq);
}

static void virt_fdt_devices(struct fdt_builder *fb, uint32_t plic)
{
    static const char test_compat[] = "sifive,test1\0sifive,test0\0syscon";
    char name[64];

    for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
        uint64_t base = VIRT_VIRTIO_BASE + (uint64_t)i * VIRT_VIRTIO_SIZE;
        snprintf(name, sizeof(name), "/soc/virtio_mmio@%llx", (unsigned long long)base);
        virt_fdt_irq_dev(fb, name, "virtio,mmio", base, VIRT_VIRTIO_SIZE, plic,
                         VIRT_VIRTIO_IRQ + i);
    }

    /* The test finisher doubles as the syscon behind Linux's poweroff and reboot. */
    uint32_t test = fb->next_phandle++;
    snprintf(name, sizeof(name), "/soc/test@%x", VIRT_TEST_BASE);
    fb_node(fb, name);
    fb_strs(fb, name, "compatible", test_compat, sizeof(test_compat));
    fb_reg(fb, name, VIRT_TEST_BASE, VIRT_TEST_SIZE);
    fb_cell(fb, name, "phandle", test);
    static const struct {
        const char *node, *compat;
        uint32_t value;
    } syscon[] = {{"/reboot", "syscon-reboot", 0x7777}, {"/poweroff", "syscon-poweroff", 0x5555}};
    for (size_t i = 0; i < sizeof(syscon) / sizeof(syscon[0]); i++) {
        fb_node(fb, syscon[i].node);
        fb_str(fb, syscon[i].node, "compatible", syscon[i].compat);
        fb_cell(fb, syscon[i].node, "regmap", test);
        fb_cell(fb, syscon[i].node, "offset", 0);
        fb_cell(fb, syscon[i].node, "value", syscon[i].value);
    }

    snprintf(name, sizeof(name), "/soc/serial@%x", VIRT_UART0_BASE);
    fb_node(fb, name);
    fb_str(fb, name, "compatible", "ns16550a");
    fb_reg(fb, name, VIRT_UART0_BASE, VIRT_UART0_SIZE);
    fb_cell(fb, name, "clock-frequency", VIRT_UART_CLOCK);
    fb_cell(fb, name, "interrupt-parent", plic);
    fb_cell(fb, name, "interrupts", VIRT_UART0_IRQ);
    fb_node(fb, "/chosen");
    fb_str(fb, "/chosen", "stdout-path", name);

    snprintf(name, sizeof(name), "/soc/rtc@%x", VIRT_RTC_BASE);
    virt_fdt_irq_dev(fb, name, "google,goldfish-rtc", VIRT_RTC_BASE, VIRT_RTC_SIZE, plic,
                     VIRT_RTC_IRQ);
}

static int virt_fdt_generate(struct virt_board *b, void **out)
{
    struct fdt_builder fb = {.fdt = calloc(1, VIRT_FDT_MAX), .next_phandle = 1};
    uint32_t intc[MACHINE_MAX_CPUS];

    if (!fb.fdt)
        return -ENOMEM;
    fb.err = fdt_create_empty_tree(fb.fdt, VIRT_FDT_MAX);
    fb_str(&fb, "/", "model", "riscv-virtio,qemu");
    fb_str(&fb, "/", "compatible", "riscv-virtio");
    fb_cell(&fb, "/", "#size-cells", 2);
    fb_cell(&fb, "/", "#address-cells", 2);
    fb_node(&fb, "/soc");
    fb_prop(&fb, "/soc", "ranges", NULL, 0);
    fb_str(&fb, "/soc", "compatible", "simple-bus");
    fb_cell(&fb, "/soc", "#size-cells", 2);
    fb_cell(&fb, "/soc", "#address-cells", 2);

    virt_fdt_cpus(&fb, b, intc);
    virt_fdt_memory_clint(&fb, b, intc);
    uint32_t plic = virt_fdt_plic(&fb, b, intc);
    virt_fdt_devices(&fb, plic);
    if (fb.err) {
        error_report("virt: building the device tree failed: %s", fdt_strerror(fb.err));
        free(fb.fdt);
        return -EINVAL;
    }
    *out = fb.fdt;
    return 0;
}

/* -dtb FILE: a valid tree, copied into a buffer with room for /chosen. */
static int virt_fdt_load(const char *file, void **out)
{
    void *data, *fdt;
    uint64_t size;
    int ret = plat_file_load(file, VIRT_DTB_MAX, &data, &size);

    if (ret < 0) {
        error_report("-dtb %s: cannot read: %s", file, strerror(-ret));
        return ret;
    }
    if (size < sizeof(struct fdt_header) || (ret = fdt_check_header(data)) < 0 ||
        fdt_totalsize(data) > size) {
        error_report("-dtb %s: not a flattened device tree (%s)", file,
                     size < sizeof(struct fdt_header) ? "too short"
                     : ret < 0                          ? fdt_strerror(ret)
                                                        : "truncated");
        free(data);
        return -EINVAL;
    }
    fdt = malloc(fdt_totalsize(data) + VIRT_DTB_SLACK);
    if (!fdt) {
        free(data);
        return -ENOMEM;
    }
    ret = fdt_open_into(data, fdt, fdt_totalsize(data) + VIRT_DTB_SLACK);
    free(data);
    if (ret < 0) {
        error_report("-dtb %s: %s", file, fdt_strerror(ret));
        free(fdt);
        return -EINVAL;
    }
    *out = fdt;
    return 0;
}

/* An address in /chosen: one cell when it fits, as QEMU writes it, two otherwise. */
static void fb_addr(struct fdt_builder *fb, const char *name, uint64_t v)
{
    if (v >> 32) {
        uint32_t c[2] = {v >> 32, (uint32_t)v};
        fb_cells(fb, "/chosen", name, c, 2);
    } else {
        fb_cell(fb, "/chosen", name, (uint32_t)v);
    }
}

int virt_fdt_build(struct virt_board *b, const struct emu_config *cfg, uint64_t initrd_start,
                   uint64_t initrd_end)
{
    struct fdt_builder fb = {0};
    int ret = cfg->dtb ? virt_fdt_load(cfg->dtb, &fb.fdt) : virt_fdt_generate(b, &fb.fdt);

    if (ret < 0)
        return ret;
    if (fdt_path_offset(fb.fdt, "/chosen") < 0)
        fb_node(&fb, "/chosen");
    if (cfg->append && *cfg->append)
        fb_str(&fb, "/chosen", "bootargs", cfg->append);
    if (initrd_end) {
        fb_addr(&fb, "linux,initrd-start", initrd_start);
        fb_addr(&fb, "linux,initrd-end", initrd_end);
    }
    if (!fb.err)
        fb.err = fdt_pack(fb.fdt);
    if (fb.err) {
        error_report("%s: cannot add /chosen: %s", cfg->dtb ? cfg->dtb : "device tree",
                     fdt_strerror(fb.err));
        free(fb.fdt);
        return -EINVAL;
    }
    b->fdt = fb.fdt;
    return 0;
}
