/*
 * hmp-memdump.c - HMP x and xp: QEMU's /NFU format (count, format
 * x/d/u/o/c, unit b/h/w/g) and its line layout, so output can be compared
 * with QEMU's.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/dump.h"
#include "emu-core/machine.h"
#include "emu-core/memory.h"
#include "emu-core/monitor.h"

#define HMP_MAX_DUMP (64 * 1024) /* bytes per command: a typo must not flood the console */

void hmp_memory_dump(struct monitor *mon, const char *args, bool physical);

static int parse_addr(struct monitor *mon, const char *s, uint64_t *out)
{
    struct machine *m = current_machine;
    struct vcpu *cpu = monitor_cpu(mon);
    char *end;

    while (*s == ' ')
        s++;
    if (!strncmp(s, "$pc", 3) && cpu && m->accel->get_reg) {
        /* Register 32 is the pc in GDB's numbering for RISC-V, the only target so far. */
        if (m->accel->get_reg(cpu, 32, out) < 0)
            return -EINVAL;
        s += 3;
    } else {
        errno = 0;
        *out = strtoull(s, &end, 0);
        if (end == s || errno) {
            monitor_printf(mon, "invalid address '%s'\n", s);
            return -EINVAL;
        }
        s = end;
    }
    while (*s == ' ')
        s++;
    if (*s) {
        monitor_printf(mon, "invalid address: unexpected '%s'\n", s);
        return -EINVAL;
    }
    return 0;
}

void hmp_memory_dump(struct monitor *mon, const char *args, bool physical)
{
    struct machine *m = current_machine;
    unsigned long count = 1;
    char format = 'x';
    unsigned wsize = 4;
    uint64_t addr;

    if (!m) {
        monitor_printf(mon, "no machine\n");
        return;
    }
    if (*args == '/') {
        args++;
        if (isdigit((unsigned char)*args))
            count = strtoul(args, (char **)&args, 10);
        while (*args && *args != ' ') {
            switch (*args) {
            case 'x':
            case 'd':
            case 'u':
            case 'o':
            case 'c':
                format = *args;
                break;
            case 'b':
                wsize = 1;
                break;
            case 'h':
                wsize = 2;
                break;
            case 'w':
                wsize = 4;
                break;
            case 'g':
                wsize = 8;
                break;
            default:
                monitor_printf(mon, "invalid char in format: '%c'\n", *args);
                return;
            }
            args++;
        }
    }
    if (format == 'c')
        wsize = 1;
    if (parse_addr(mon, args, &addr) < 0)
        return;
    if (count == 0)
        return;
    if (count > HMP_MAX_DUMP / wsize)
        count = HMP_MAX_DUMP / wsize;

    const struct dump_arch *arch = dump_arch_of(m);
    unsigned line = wsize == 1 ? 8 : 16;
    int digits = format == 'o'   ? (int)((wsize * 8 + 2) / 3)
                 : format == 'x' ? (int)(wsize * 2)
                                 : (int)((wsize * 8 * 10 + 32) / 33);
    uint64_t len = (uint64_t)count * wsize;

    while (len) {
        unsigned l = len < line ? (unsigned)len : line;
        uint8_t buf[16];
        uint64_t pa = addr;
        monitor_printf(mon, "%016" PRIx64 ":", addr);
        /* Translate per line: a line of 16 aligned bytes never spans two pages at 4 KiB. */
        if (!physical) {
            int r =
                arch && arch->translate ? arch->translate(monitor_cpu(mon), addr, &pa) : -ENOTSUP;
            if (r == -ENOTSUP) {
                monitor_printf(mon, " virtual addresses are not supported for this CPU; use xp\n");
                return;
            }
            if (r < 0) {
                monitor_printf(mon, " Cannot access memory\n");
                return;
            }
        }
        if (address_space_read(&m->as, pa, buf, l) != MEMTX_OK) {
            monitor_printf(mon, " Cannot access memory\n");
            return;
        }
        for (unsigned i = 0; i < l; i += wsize) {
            uint64_t v = 0;
            memcpy(&v, buf + i, wsize); /* guest and host are both little-endian */
            monitor_printf(mon, " ");
            switch (format) {
            case 'o':
                monitor_printf(mon, "%#*" PRIo64, digits, v);
                break;
            case 'u':
                monitor_printf(mon, "%*" PRIu64, digits, v);
                break;
            case 'd': {
                int sh = 64 - (int)wsize * 8;
                monitor_printf(mon, "%*" PRId64, digits, (int64_t)(v << sh) >> sh);
                break;
            }
            case 'c':
                if (v >= 32 && v < 127)
                    monitor_printf(mon, "'%c'", (int)v);
                else
                    monitor_printf(mon, "'\\x%02x'", (unsigned)v);
                break;
            default:
                monitor_printf(mon, "0x%0*" PRIx64, digits, v);
            }
        }
        monitor_printf(mon, "\n");
        addr += l;
        len -= l;
    }
}
