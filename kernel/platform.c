/*
 * platform.c - emu-core/platform.h on bare metal: the TSC clock, the CMOS
 * wall clock, sleeping in hlt until the timer or the UART interrupts, guest
 * RAM from kern_mem, boot modules as files, and power-off.
 */
#include "emu-core/platform.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/uart.h"
#include "emu-core/chardev.h"
#include "kernel/kernel.h"
#include "kernel/metal.h"
#include "kernel/net.h"

/*
 * Without a timer interrupt we can only poll: cap each sleep so typing stays
 * responsive. With one, still wake now and then: on PCs without a legacy PIC
 * the UART's IRQ never arrives and input is seen only by polling.
 */
#define POLL_SLEEP_NS 10000000ull
#define MAX_SLEEP_NS 50000000ull

static uint64_t wall_at_boot_ns; /* 0: the CMOS clock was unreadable */

uint64_t plat_clock_ns(void)
{
    return kern_time_ns();
}

static uint8_t cmos_read(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static unsigned bcd(uint8_t v, bool is_bcd)
{
    return is_bcd ? (v >> 4) * 10 + (v & 15) : v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The CMOS RTC, assumed to keep UTC (as QEMU's does by default). */
void kern_wallclock_init(void)
{
    uint8_t r[7], again[7];

    for (int tries = 0; tries < 5; tries++) {
        /* Read twice outside an update so the fields belong to one second. */
        uint64_t t0 = kern_time_ns();
        while ((cmos_read(0x0A) & 0x80) && kern_time_ns() - t0 < 10000000ull)
            ;
        static const uint8_t regs[7] = {0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32};
        for (int i = 0; i < 7; i++)
            r[i] = cmos_read(regs[i]);
        for (int i = 0; i < 7; i++)
            again[i] = cmos_read(regs[i]);
        if (memcmp(r, again, sizeof(r)))
            continue;
        uint8_t b = cmos_read(0x0B);
        bool is_bcd = !(b & 0x04);
        unsigned hour = bcd(r[2] & 0x7F, is_bcd);
        if (!(b & 0x02) && (r[2] & 0x80))
            hour = (hour % 12) + 12; /* 12-hour mode, PM */
        unsigned year = bcd(r[5], is_bcd) + 100 * (r[6] ? bcd(r[6], is_bcd) : 20);
        unsigned mon = bcd(r[4], is_bcd), day = bcd(r[3], is_bcd);
        if (mon < 1 || mon > 12 || day < 1 || day > 31 || year < 1970)
            return;
        int64_t secs = days_from_civil(year, mon, day) * 86400 + hour * 3600 +
                       bcd(r[1], is_bcd) * 60 + bcd(r[0], is_bcd);
        wall_at_boot_ns = (uint64_t)secs * 1000000000ull - kern_time_ns();
        return;
    }
}

uint64_t plat_wallclock_ns(void)
{
    return wall_at_boot_ns ? wall_at_boot_ns + kern_time_ns() : 0;
}

int plat_poll(void)
{
    kern_mem_prezero(1); /* between vCPU slices: keep the page-fault path short */
    return metal_console_poll() + metal_net_poll();
}

int plat_wait(uint64_t deadline_ns)
{
    int n = plat_poll();

    while (!n) {
        uint64_t now = kern_time_ns();
        if (now >= deadline_ns)
            return 0;
        uint64_t cap = kern_time_can_wake() ? MAX_SLEEP_NS : POLL_SLEEP_NS;
        if (cap > metal_net_poll_interval_ns())
            cap = metal_net_poll_interval_ns(); /* the NIC is polled too */
        uint64_t wake = deadline_ns - now > cap ? now + cap : deadline_ns;
        kern_time_arm(wake);
        if (kern_time_can_wake())
            kern_sleep();
        else
            while (kern_time_ns() < wake && !uart_rx_pending())
                __asm__ volatile("pause");
        kern_time_arm(UINT64_MAX);
        n = plat_poll();
    }
    return n;
}

void *plat_ram_alloc(uint64_t size)
{
    return kern_mem_guest_alloc(size);
}

void plat_ram_free(void *p, uint64_t size)
{
    if (p)
        kern_mem_guest_free(p, size);
}

/* All memory is mapped writable and executable (no NX): the heap serves. */
void *plat_code_alloc(size_t size)
{
    return memalign(4096, size ? size : 1);
}

const struct kern_module *metal_module_find(const char *name)
{
    for (uint32_t i = 0; i < kern_boot.nmods; i++)
        if (!strcmp(kern_boot.mods[i].name, name))
            return &kern_boot.mods[i];
    return NULL;
}

const struct kern_module *metal_module_for_file(const char *file)
{
    if (!strncmp(file, "module:", 7))
        return metal_module_find(file + 7);
    const char *base = strrchr(file, '/');
    return base && base[1] ? metal_module_find(base + 1) : NULL;
}

int plat_file_load(const char *name, uint64_t max_size, void **data, uint64_t *size)
{
    const struct kern_module *m;

    /* There is no file system yet: only the modules the loader brought. */
    m = metal_module_for_file(name);
    if (!m)
        return -ENOENT;
    if (m->size > max_size)
        return -EFBIG;
    void *buf = malloc(m->size ? m->size : 1);
    if (!buf)
        return -ENOMEM;
    memcpy(buf, (const void *)(uintptr_t)m->start, m->size);
    *data = buf;
    *size = m->size;
    return 0;
}

int plat_file_store(const char *name, const void *data, uint64_t size)
{
    (void)name;
    (void)data;
    (void)size;
    return -EROFS; /* boot modules are read-only and there is no other storage yet */
}

_Noreturn void plat_exit(int status)
{
    fflush(stdout);
    fflush(stderr);
    uart_flush();
    kern_debug_exit(status);
    kern_acpi_poweroff();
    kern_printf("\r\nbaremu: stopped (exit status %d); the PC can be switched off\r\n", status);
    kern_halt();
}

void plat_diag_write(const char *buf, size_t len)
{
    kern_console_write(buf, len);
}

/* Text for the user: a terminal on the serial line wants CR LF. */
void kern_console_write(const char *buf, size_t len)
{
    size_t start = 0;

    for (size_t i = 0; i < len; i++) {
        if (buf[i] != '\n' || (i > 0 && buf[i - 1] == '\r'))
            continue;
        uart_write(buf + start, i - start);
        uart_write("\r\n", 2);
        start = i + 1;
    }
    uart_write(buf + start, len - start);
}
