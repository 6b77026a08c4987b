/*
 * main.c - the appliance's kernel_main: bring up the PC (console, traps,
 * memory, clock, ACPI, PCI), turn the boot command line into argv, then run
 * the emulator exactly as host/main.c does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/pci.h"
#include "drivers/uart.h"
#include "emu-core/config.h"
#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/platform.h"
#include "kernel/kernel.h"
#include "kernel/metal.h"
#include "kernel/net.h"
#include "kernel/svm.h"
#include "kernel/vmx.h"

/* Power-on to here, for bench/: the TSC counts from reset on PCs and in QEMU/KVM. */
uint64_t kern_tsc_at_main;

static void uart_irq(void)
{
    uart_drain_rx();
}

/*
 * Leading words "metal.NAME" are for the kernel, not the emulator:
 * metal.timing prints the start-up time (bench/metal-startup.sh reads it).
 * Returns the new argc.
 */
static int kernel_options(int argc, char **argv, bool *timing)
{
    int i = 1;

    for (; i < argc && !strncmp(argv[i], "metal.", 6); i++) {
        if (!strcmp(argv[i], "metal.timing"))
            *timing = true;
        else
            kern_panic("%s: unknown kernel option (known: metal.timing)", argv[i]);
    }
    memmove(argv + 1, argv + i, (argc - i + 1) * sizeof(char *));
    return argc - (i - 1);
}

static uint64_t tsc_to_us(uint64_t ticks)
{
    return (uint64_t)((unsigned __int128)ticks * 1000000 / kern_time_tsc_hz());
}

static void boot_info(uint32_t magic, uint64_t info)
{
    int r = -EINVAL;

    switch (magic) {
    case KERN_BOOT_MB1:
        r = kern_bootinfo_mb1((uint32_t)info);
        break;
    case KERN_BOOT_MB2:
        r = kern_bootinfo_mb2((uint32_t)info);
        break;
    case KERN_BOOT_EFI:
        memcpy(&kern_boot, (const void *)(uintptr_t)info, sizeof(kern_boot));
        r = 0;
        break;
    default:
        kern_panic("started by an unknown loader (magic %#x); boot with Multiboot or UEFI", magic);
    }
    if (r < 0)
        kern_panic("the boot loader gave no memory map");
}

/*
 * -accel auto (the default) on pc: svm when the CPU has AMD-V, vmx when it
 * has usable VT-x (a CPU has one or the other). The board's default, kvm,
 * is the hosted program's; the appliance is its own hypervisor.
 */
static void metal_accel_auto(struct emu_config *cfg)
{
    const char *type = opts_get(&cfg->machine, "type");

    if (!type || strcmp(type, "pc") || (cfg->accel && strcmp(cfg->accel, "auto")))
        return;
    if (kern_svm_usable()) {
        cfg->accel = "svm";
        kern_printf("baremu: -accel auto: the CPU has AMD-V, using svm\r\n");
    } else if (kern_vmx_usable()) {
        cfg->accel = "vmx";
        kern_printf("baremu: -accel auto: the CPU has VT-x, using vmx\r\n");
    }
}

void kern_main(uint32_t magic, uint64_t info)
{
    struct emu_config cfg;
    struct machine *m;
    char err[256], **argv;
    int argc, info_exit;
    bool timing = false;

    kern_tsc_at_main = rdtsc();
    boot_info(magic, info);
    if (kern_mem_init() < 0)
        kern_panic("no usable memory in the firmware's memory map");
    kern_time_init();
    kern_wallclock_init();
    kern_acpi_init();
    kern_mem_protect_null();
    pci_scan();
    kern_irq_set_handler(UART_COM1_IRQ, uart_irq);
    uart_enable_rx_irq();

    argc = kern_cmdline_split(kern_boot.cmdline, kern_boot.cmdline_has_argv0, &argv);
    if (argc == -EINVAL)
        kern_panic("the command line has an unbalanced quote: %s", kern_boot.cmdline);
    if (argc < 0)
        kern_panic("the command line is too long (%s)", strerror(-argc));
    config_help_extra =
        "The appliance's own options (first on the command line for metal.*):\n"
        "  metal.timing      print the time of each start-up step\n"
        "  -net-appliance ip=dhcp|off|A/N[,gw=G][,fallback=A/N][,dhcp-timeout=S]\n"
        "                    the appliance's address (for QMP over TCP)\n";
    argc = kernel_options(argc, argv, &timing);
    argc = metal_net_options(argc, argv);
    if (argc < 2)
        kern_panic("no command line: give baremu's options on the boot loader's command line or in "
                   "baremu.cfg beside baremu.efi, e.g. -M virt -bios module:fw_jump.elf -kernel "
                   "module:u-boot.bin");

    if (config_parse(&cfg, argc, argv, err, sizeof(err), &info_exit) < 0)
        kern_panic("%s", err);
    if (info_exit)
        plat_exit(0);
    metal_accel_auto(&cfg);
    if (cfg.log_file) {
        error_report("-D %s: the appliance has no files; logs go to the console", cfg.log_file);
        plat_exit(1);
    }
    if (cfg.log_items) {
        if (log_parse_mask(cfg.log_items) < 0)
            plat_exit(1);
        if (!strcmp(cfg.log_items, "help"))
            plat_exit(0);
    }
    if (metal_serial_setup(&cfg) < 0)
        plat_exit(1);
    if (machine_create(&m, &cfg) < 0)
        plat_exit(1);
    if (metal_net_start(&cfg) < 0)
        plat_exit(1);
    if (timing) {
        /* QEMU and PCs start the TSC at 0 on reset: it dates power-on too. */
        uint64_t now = rdtsc();
        kern_printf("baremu: timing: power-on to kernel %lu us, kernel to guest start %lu us\r\n",
                    (unsigned long)tsc_to_us(kern_tsc_at_main),
                    (unsigned long)tsc_to_us(now - kern_tsc_at_main));
    }
    plat_exit(machine_run(m));
}
