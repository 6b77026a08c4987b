/*
 * hmp.c - the human monitor's commands. Each either calls a QMP command
 * through monitor_call() and prints the result as QEMU's HMP does, or
 * prints machine state (info mtree/qtree/registers, x/xp) directly.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/chardev.h"
#include "emu-core/config.h"
#include "emu-core/device.h"
#include "emu-core/dump.h"
#include "emu-core/machine.h"
#include "emu-core/memory.h"
#include "emu-core/monitor.h"
#include "net/net.h"

struct hmp_cmd {
    const char *names; /* "cont|c" */
    const char *params;
    const char *help;
    void (*fn)(struct monitor *mon, const char *args);
};

/* Run a QMP command, print its error as HMP does; returns the result or NULL. */
static bool hmp_qmp(struct monitor *mon, const char *name, struct json_value *args,
                    struct json_value **ret)
{
    struct monitor_error err;
    struct json_value *r = NULL;
    int rc = monitor_call(mon, name, args, &r, &err);

    json_free(args);
    if (rc < 0) {
        monitor_printf(mon, "Error: %s\n", err.desc);
        return false;
    }
    if (ret)
        *ret = r;
    else
        json_free(r);
    return true;
}

static void hmp_simple(struct monitor *mon, const char *name)
{
    hmp_qmp(mon, name, NULL, NULL);
}

static void hmp_stop(struct monitor *mon, const char *a)
{
    (void)a;
    hmp_simple(mon, "stop");
}
static void hmp_cont(struct monitor *mon, const char *a)
{
    (void)a;
    hmp_simple(mon, "cont");
}
static void hmp_system_reset(struct monitor *mon, const char *a)
{
    (void)a;
    hmp_simple(mon, "system_reset");
}
static void hmp_system_powerdown(struct monitor *mon, const char *a)
{
    (void)a;
    hmp_simple(mon, "system_powerdown");
}
static void hmp_quit(struct monitor *mon, const char *a)
{
    (void)a;
    hmp_simple(mon, "quit");
}

static void hmp_nmi(struct monitor *mon, const char *a)
{
    (void)a;
    hmp_simple(mon, "inject-nmi");
}

static void info_status(struct monitor *mon)
{
    struct json_value *r;

    if (!hmp_qmp(mon, "query-status", NULL, &r))
        return;
    const char *s = json_object_get(r, "status")->str.s;
    if (!strcmp(s, "running"))
        monitor_printf(mon, "VM status: running\n");
    else if (!strcmp(s, "paused"))
        monitor_printf(mon, "VM status: paused\n");
    else
        monitor_printf(mon, "VM status: paused (%s)\n", s);
    json_free(r);
}

static void info_version(struct monitor *mon)
{
    monitor_printf(mon, "%s (baremu-%s)\n", BAREMU_VERSION, BAREMU_VERSION);
}

static void info_chardev(struct monitor *mon)
{
    struct json_value *r;

    if (!hmp_qmp(mon, "query-chardev", NULL, &r))
        return;
    for (size_t i = 0; i < r->arr.n; i++)
        monitor_printf(mon, "%s: filename=%s\n", json_object_get(r->arr.items[i], "label")->str.s,
                       json_object_get(r->arr.items[i], "filename")->str.s);
    json_free(r);
}

static const char *cache_mode_name(const struct json_value *c)
{
    const struct json_value *wb = json_object_get(c, "writeback"),
                            *direct = json_object_get(c, "direct"),
                            *nf = json_object_get(c, "no-flush");
    bool w = wb && wb->b, d = direct && direct->b, n = nf && nf->b;

    if (n)
        return "writeback, ignore flushes";
    if (d)
        return w ? "writeback, direct" : "writethrough, direct";
    return w ? "writeback" : "writethrough";
}

/* QEMU's layout: "dev (node): file (fmt[, read-only])", then indented details. */
static void info_block(struct monitor *mon)
{
    struct json_value *r;

    if (!hmp_qmp(mon, "query-block", NULL, &r))
        return;
    for (size_t i = 0; i < r->arr.n; i++) {
        const struct json_value *d = r->arr.items[i], *ins = json_object_get(d, "inserted");
        const struct json_value *rem = json_object_get(d, "removable");
        if (i)
            monitor_printf(mon, "\n");
        if (!ins) {
            monitor_printf(mon, "%s: [not inserted]\n", json_object_get(d, "device")->str.s);
            continue;
        }
        const struct json_value *ro = json_object_get(ins, "ro");
        monitor_printf(mon, "%s (%s): %s (%s%s)\n", json_object_get(d, "device")->str.s,
                       json_object_get(ins, "node-name")->str.s,
                       json_object_get(ins, "file")->str.s, json_object_get(ins, "drv")->str.s,
                       ro && ro->b ? ", read-only" : "");
        if (rem && rem->b)
            monitor_printf(mon, "    Removable device: not locked, tray closed\n");
        monitor_printf(mon, "    Cache mode:       %s\n",
                       cache_mode_name(json_object_get(ins, "cache")));
    }
    json_free(r);
}

static void info_registers(struct monitor *mon, const char *args)
{
    struct machine *m = current_machine;
    const struct dump_arch *arch = m ? dump_arch_of(m) : NULL;
    bool all = args && strstr(args, "-a");

    if (!m || !m->ncpus) {
        monitor_printf(mon, "No CPU available\n");
        return;
    }
    if (!arch || !arch->print_regs) {
        monitor_printf(mon, "Error: no register layout known for this CPU\n");
        return;
    }
    if (!all) {
        arch->print_regs(mon, monitor_cpu(mon));
        return;
    }
    for (int i = 0; i < m->ncpus; i++) {
        monitor_printf(mon, "\nCPU#%d\n", i);
        arch->print_regs(mon, m->cpus[i]);
    }
}

static const char *mr_kind_name(const struct mem_region *mr)
{
    switch (mr->kind) {
    case MR_RAM:
        return "ram";
    case MR_ROM:
        return "rom";
    default:
        return "i/o";
    }
}

static void mtree_print(struct monitor *mon, const struct mem_region *mr, uint64_t base, int prio,
                        int depth)
{
    /* A container sized UINT64_MAX stands for the whole 2^64 space, as QEMU's "system". */
    uint64_t end = mr->size == UINT64_MAX ? UINT64_MAX : mr->size ? base + mr->size - 1 : base;

    if (depth > 32)
        return; /* a region tree deeper than this is a loop, not a machine */
    if (mr->kind == MR_ALIAS) {
        monitor_printf(mon, "%*s%016llx-%016llx (prio %d, %s): alias %s @%s %016llx-%016llx\n",
                       depth * 2, "", (unsigned long long)base, (unsigned long long)end, prio,
                       mr_kind_name(mr->alias), mr->name ? mr->name : "",
                       mr->alias->name ? mr->alias->name : "", (unsigned long long)mr->alias_offset,
                       (unsigned long long)(mr->alias_offset + mr->size - 1));
        return;
    }
    monitor_printf(mon, "%*s%016llx-%016llx (prio %d, %s): %s\n", depth * 2, "",
                   (unsigned long long)base, (unsigned long long)end, prio, mr_kind_name(mr),
                   mr->name ? mr->name : "");
    if (mr->kind != MR_CONTAINER)
        return;
    /* By address, as QEMU lists them. */
    uint64_t last = 0;
    bool first = true;
    for (;;) {
        const struct mem_subregion *best = NULL;
        for (const struct mem_subregion *s = mr->children; s; s = s->next)
            if ((first || s->addr > last) && (!best || s->addr < best->addr))
                best = s;
        if (!best)
            break;
        for (const struct mem_subregion *s = mr->children; s; s = s->next)
            if (s->addr == best->addr)
                mtree_print(mon, s->mr, base + s->addr, s->priority, depth + 1);
        last = best->addr;
        first = false;
    }
}

static void info_mtree(struct monitor *mon)
{
    struct machine *m = current_machine;

    if (!m)
        return;
    monitor_printf(mon, "address-space: memory\n");
    mtree_print(mon, m->as.root, 0, 0, 1);
    if (m->as_io.root && m->as_io.root->children) {
        monitor_printf(mon, "\naddress-space: I/O\n");
        mtree_print(mon, m->as_io.root, 0, 0, 1);
    }
}

static void info_qtree(struct monitor *mon)
{
    struct machine *m = current_machine;

    if (!m)
        return;
    monitor_printf(mon, "bus: main-system-bus\n  type System\n");
    for (struct device *d = m->devices; d; d = d->next) {
        monitor_printf(mon, "  dev: %s, id \"%s\"\n", d->type->name, d->id ? d->id : "");
        for (const struct device_prop *p = d->type->props; p && p->type != PROP_END; p++) {
            const char *base = (const char *)d + p->offset;
            switch (p->type) {
            case PROP_BOOL:
                monitor_printf(mon, "    %s = %s\n", p->name,
                               *(const bool *)base ? "true" : "false");
                break;
            case PROP_U32:
                monitor_printf(mon, "    %s = %u (0x%x)\n", p->name, *(const uint32_t *)base,
                               *(const uint32_t *)base);
                break;
            case PROP_U64:
                monitor_printf(mon, "    %s = %llu (0x%llx)\n", p->name,
                               (unsigned long long)*(const uint64_t *)base,
                               (unsigned long long)*(const uint64_t *)base);
                break;
            case PROP_STR: {
                const char *s = *(char *const *)base;
                monitor_printf(mon, "    %s = \"%s\"\n", p->name, s ? s : "");
                break;
            }
            case PROP_CHARDEV: {
                const struct chardev *c = *(struct chardev *const *)base;
                monitor_printf(mon, "    %s = \"%s\"\n", p->name, c && c->id ? c->id : "");
                break;
            }
            default:
                break; /* links are wiring, not settings */
            }
        }
    }
}

static void info_network_line(void *opaque, const char *line)
{
    monitor_printf(opaque, "%s\n", line);
}

static const char *const info_names[] = {"status", "version", "block",   "registers",
                                         "mtree",  "qtree",   "chardev", "network"};

static void hmp_info(struct monitor *mon, const char *args)
{
    char what[32] = "";

    sscanf(args, "%31s", what);
    const char *rest = args + strspn(args, " ");
    rest += strcspn(rest, " ");
    if (!strcmp(what, "status"))
        info_status(mon);
    else if (!strcmp(what, "version"))
        info_version(mon);
    else if (!strcmp(what, "block"))
        info_block(mon);
    else if (!strcmp(what, "registers"))
        info_registers(mon, rest);
    else if (!strcmp(what, "mtree"))
        info_mtree(mon);
    else if (!strcmp(what, "qtree"))
        info_qtree(mon);
    else if (!strcmp(what, "chardev"))
        info_chardev(mon);
    else if (!strcmp(what, "network"))
        net_info(info_network_line, mon);
    else {
        if (what[0])
            monitor_printf(mon, "info: unknown subcommand '%s'\n", what);
        for (size_t i = 0; i < sizeof(info_names) / sizeof(info_names[0]); i++)
            monitor_printf(mon, "info %s\n", info_names[i]);
    }
}

void hmp_memory_dump(struct monitor *mon, const char *args, bool physical);

static void hmp_x(struct monitor *mon, const char *args)
{
    hmp_memory_dump(mon, args, false);
}
static void hmp_xp(struct monitor *mon, const char *args)
{
    hmp_memory_dump(mon, args, true);
}

static void hmp_dump_guest_memory(struct monitor *mon, const char *args)
{
    char *copy = strdup(args), *tok[4], *save = NULL;
    int n = 0;
    bool paging = false;
    struct json_value *a = json_object();

    if (!copy || !a)
        goto out;
    for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        if (!strcmp(t, "-p"))
            paging = true;
        else if (n < 4)
            tok[n++] = t;
    }
    if (n != 1 && n != 3) {
        monitor_printf(mon, "usage: dump-guest-memory [-p] filename [begin length]\n");
        goto out;
    }
    char proto[4096];
    snprintf(proto, sizeof(proto), "file:%s", tok[0]);
    json_object_set(a, "paging", json_bool(paging));
    json_object_set(a, "protocol", json_string(proto));
    if (n == 3) {
        json_object_set(a, "begin", json_int((int64_t)strtoull(tok[1], NULL, 0)));
        json_object_set(a, "length", json_int((int64_t)strtoull(tok[2], NULL, 0)));
    }
    hmp_qmp(mon, "dump-guest-memory", a, NULL);
    a = NULL;
out:
    json_free(a);
    free(copy);
}

static void hmp_help(struct monitor *mon, const char *args);

static void hmp_cpu(struct monitor *mon, const char *args)
{
    char *end;
    long n = strtol(args, &end, 10);

    if (end == args || !current_machine || n < 0 || n >= current_machine->ncpus) {
        monitor_printf(mon, "invalid CPU index\n");
        return;
    }
    mon->cpu_index = (int)n;
}

static const struct hmp_cmd hmp_cmds[] = {
    {"help|?", "[cmd]", "show the help", hmp_help},
    {"info", "[subcommand]", "show various information about the system state", hmp_info},
    {"cpu", "index", "set the default CPU", hmp_cpu},
    {"stop", "", "stop emulation", hmp_stop},
    {"cont|c", "", "resume emulation", hmp_cont},
    {"system_reset", "", "reset the system", hmp_system_reset},
    {"system_powerdown", "", "send system power down event", hmp_system_powerdown},
    {"quit|q", "", "quit the emulator", hmp_quit},
    {"nmi", "", "inject an NMI", hmp_nmi},
    {"x", "/fmt addr", "virtual memory dump starting at 'addr'", hmp_x},
    {"xp", "/fmt addr", "physical memory dump starting at 'addr'", hmp_xp},
    {"dump-guest-memory", "[-p] filename [begin length]",
     "dump guest memory into file 'filename' (ELF core)", hmp_dump_guest_memory},
};

static bool hmp_name_matches(const char *names, const char *name, size_t len)
{
    while (*names) {
        size_t n = strcspn(names, "|");
        if (n == len && !strncmp(names, name, len))
            return true;
        names += n + (names[n] == '|');
    }
    return false;
}

static void hmp_help(struct monitor *mon, const char *args)
{
    size_t len = strcspn(args, " ");

    for (size_t i = 0; i < sizeof(hmp_cmds) / sizeof(hmp_cmds[0]); i++) {
        if (len && !hmp_name_matches(hmp_cmds[i].names, args, len))
            continue;
        monitor_printf(mon, "%s %s -- %s\n", hmp_cmds[i].names, hmp_cmds[i].params,
                       hmp_cmds[i].help);
    }
}

void hmp_banner(struct monitor *mon)
{
    monitor_printf(mon,
                   "baremu %s monitor (QEMU-compatible HMP) - type 'help' for more "
                   "information\n",
                   BAREMU_VERSION);
}

void hmp_execute(struct monitor *mon, const char *line)
{
    const char *p = line;

    while (isspace((unsigned char)*p))
        p++;
    if (!*p)
        return;
    /* As QEMU: a name ends at a space or '/', so "x/4xw addr" works. */
    size_t len = strcspn(p, " \t/");
    const char *args = p + len;
    while (*args == ' ' || *args == '\t')
        args++;
    for (size_t i = 0; i < sizeof(hmp_cmds) / sizeof(hmp_cmds[0]); i++) {
        if (hmp_name_matches(hmp_cmds[i].names, p, len)) {
            hmp_cmds[i].fn(mon, args);
            return;
        }
    }
    monitor_printf(mon, "unknown command: '%.*s'\n", (int)len, p);
}
