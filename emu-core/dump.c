/*
 * dump.c - dump-guest-memory as an ELF core (dump.h), laid out as QEMU's
 * paging=false dumps so the same tools read both: one PT_NOTE with an
 * NT_PRSTATUS per CPU, then a PT_LOAD per guest RAM/ROM range whose vaddr
 * and paddr are the guest-physical address.
 */
#include "emu-core/dump.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/machine.h"
#include "emu-core/memory.h"
#include "emu-core/monitor.h"

extern const struct dump_arch *const __start_baremu_dump_arch[] __attribute__((weak));
extern const struct dump_arch *const __stop_baremu_dump_arch[] __attribute__((weak));

const struct dump_arch *dump_arch_of(const struct machine *m)
{
    for (const struct dump_arch *const *p = __start_baremu_dump_arch;
         p && p < __stop_baremu_dump_arch; p++)
        if ((*p)->match(m))
            return *p;
    return NULL;
}

static const struct dump_file_ops *file_ops;
static struct dump_state state;

void dump_set_file_ops(const struct dump_file_ops *ops)
{
    file_ops = ops;
}

const struct dump_state *dump_query(void)
{
    return &state;
}

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define PRSTATUS_REG_OFF 112
#define NOTE_NAME "CORE"
#define NOTE_NAME_PAD 8 /* "CORE\0" padded to 4 */
#define NT_PRSTATUS 1
#define MAX_LOADS 64

struct dump_load {
    uint64_t addr, size;
    const uint8_t *host;
};

static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2); /* the hosts we build for are little-endian, as ELFDATA2LSB says */
}
static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
static void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

/* Guest RAM and ROM as contiguous host-backed pieces, clipped to [lo, hi). */
static int dump_collect(struct machine *m, uint64_t lo, uint64_t hi, struct dump_load *loads)
{
    int n = 0;

    for (size_t i = 0; i < m->as.nranges; i++) {
        const struct flat_range *r = &m->as.ranges[i];
        if (r->mr->kind != MR_RAM && r->mr->kind != MR_ROM)
            continue;
        uint64_t s = r->start, e = r->start + r->size;
        if (s < lo)
            s = lo;
        if (e > hi || e < s)
            e = hi;
        if (s >= e)
            continue;
        const uint8_t *host = mem_region_host(r->mr) + r->offset + (s - r->start);
        if (n && loads[n - 1].addr + loads[n - 1].size == s &&
            loads[n - 1].host + loads[n - 1].size == host) {
            loads[n - 1].size += e - s;
            continue;
        }
        if (n == MAX_LOADS)
            return -E2BIG;
        loads[n++] = (struct dump_load){s, e - s, host};
    }
    return n;
}

static int dump_build_headers(struct machine *m, const struct dump_arch *arch,
                              const struct dump_load *loads, int nloads, uint8_t **out,
                              size_t *outlen)
{
    size_t desc = PRSTATUS_REG_OFF + (size_t)arch->nregs * 8 + 8;
    size_t note1 = 12 + NOTE_NAME_PAD + ((desc + 3) & ~(size_t)3);
    size_t notes = note1 * (size_t)m->ncpus;
    size_t phoff = EHDR_SIZE, noteoff = phoff + (size_t)(1 + nloads) * PHDR_SIZE;
    size_t dataoff = (noteoff + notes + 4095) & ~(size_t)4095;
    uint8_t *h = calloc(1, dataoff);
    uint64_t regs[64];

    if (!h)
        return -ENOMEM;
    if (arch->nregs > 64) {
        free(h);
        return -EINVAL;
    }
    memcpy(h,
           "\x7f"
           "ELF\x02\x01\x01",
           7);        /* ELFCLASS64, LSB, EV_CURRENT */
    put16(h + 16, 4); /* ET_CORE */
    put16(h + 18, arch->e_machine);
    put32(h + 20, 1);
    put64(h + 32, phoff);
    put32(h + 48, arch->e_flags);
    put16(h + 52, EHDR_SIZE);
    put16(h + 54, PHDR_SIZE);
    put16(h + 56, (uint16_t)(1 + nloads));

    uint8_t *ph = h + phoff;
    put32(ph, 4); /* PT_NOTE */
    put64(ph + 8, noteoff);
    put64(ph + 32, notes);
    put64(ph + 40, notes);
    put64(ph + 48, 4);
    uint64_t off = dataoff;
    for (int i = 0; i < nloads; i++) {
        ph = h + phoff + (size_t)(1 + i) * PHDR_SIZE;
        put32(ph, 1);     /* PT_LOAD */
        put32(ph + 4, 7); /* RWX: guest memory is all of these */
        put64(ph + 8, off);
        put64(ph + 16, loads[i].addr);
        put64(ph + 24, loads[i].addr);
        put64(ph + 32, loads[i].size);
        put64(ph + 40, loads[i].size);
        put64(ph + 48, 0);
        off += loads[i].size;
    }
    for (int c = 0; c < m->ncpus; c++) {
        uint8_t *n = h + noteoff + (size_t)c * note1, *d = n + 12 + NOTE_NAME_PAD;
        put32(n, 5);
        put32(n + 4, (uint32_t)desc);
        put32(n + 8, NT_PRSTATUS);
        memcpy(n + 12, NOTE_NAME, 5);
        put32(d + 32, (uint32_t)c + 1); /* pr_pid: gdb shows CPUs as threads, as QEMU's dumps */
        memset(regs, 0, sizeof(regs));
        int r = arch->prstatus_regs(m->cpus[c], regs);
        if (r < 0) {
            free(h);
            return r;
        }
        memcpy(d + PRSTATUS_REG_OFF, regs, (size_t)arch->nregs * 8);
    }
    *out = h;
    *outlen = dataoff;
    return 0;
}

static void dump_send_event(const char *error)
{
    struct json_value *d = json_object(), *r = json_object();
    static const char *const names[] = {"none", "active", "completed", "failed"};

    if (!d || !r || json_object_set(r, "total", json_int((int64_t)state.total)) < 0 ||
        json_object_set(r, "status", json_string(names[state.status])) < 0 ||
        json_object_set(r, "completed", json_int((int64_t)state.completed)) < 0 ||
        json_object_set(d, "result", r) < 0) {
        json_free(d);
        return;
    }
    if (error && json_object_set(d, "error", json_string(error)) < 0) {
        json_free(d);
        return;
    }
    monitor_event("DUMP_COMPLETED", d);
}

int dump_guest_memory(struct machine *m, const char *file, uint64_t begin, uint64_t length,
                      char *err, size_t errlen)
{
    const struct dump_arch *arch = dump_arch_of(m);
    struct dump_load loads[MAX_LOADS];
    uint8_t *hdr = NULL;
    size_t hdrlen = 0;
    void *fh = NULL;
    int ret, n;
    bool was_running = m->state == RUN_STATE_RUNNING;

    if (state.status == DUMP_STATUS_ACTIVE) {
        snprintf(err, errlen, "Dump not allowed: a dump is already running");
        return -EBUSY;
    }
    if (!arch) {
        snprintf(err, errlen, "dump-guest-memory: no ELF core layout for this machine's CPUs");
        return -ENOTSUP;
    }
    if (!file_ops) {
        snprintf(err, errlen, "dump-guest-memory: this platform cannot write files");
        return -ENOTSUP;
    }
    uint64_t hi = length ? begin + length : UINT64_MAX;
    if (length && hi < begin) {
        snprintf(err, errlen, "Invalid parameter 'length'");
        return -EINVAL;
    }
    n = dump_collect(m, begin, hi, loads);
    if (n < 0) {
        snprintf(err, errlen, "dump-guest-memory: too many memory ranges");
        return n;
    }
    if (n == 0 && length) {
        snprintf(err, errlen, "Invalid parameter 'begin'");
        return -EINVAL;
    }
    ret = file_ops->open(file, &fh);
    if (ret < 0) {
        snprintf(err, errlen, "Could not open '%s': %s", file, strerror(-ret));
        return ret;
    }
    /* QEMU stops the guest for a consistent image, then resumes it. */
    if (was_running)
        machine_pause(m);
    state = (struct dump_state){.status = DUMP_STATUS_ACTIVE};
    for (int i = 0; i < n; i++)
        state.total += loads[i].size;
    ret = dump_build_headers(m, arch, loads, n, &hdr, &hdrlen);
    if (ret == 0)
        ret = file_ops->write(fh, hdr, hdrlen);
    for (int i = 0; i < n && ret == 0; i++) {
        for (uint64_t o = 0; o < loads[i].size && ret == 0;) {
            size_t chunk = loads[i].size - o > (1u << 20) ? 1u << 20 : loads[i].size - o;
            ret = file_ops->write(fh, loads[i].host + o, chunk);
            o += chunk;
            if (ret == 0)
                state.completed += chunk;
        }
    }
    int cr = file_ops->close(fh);
    if (ret == 0)
        ret = cr;
    free(hdr);
    state.status = ret == 0 ? DUMP_STATUS_COMPLETED : DUMP_STATUS_FAILED;
    if (ret < 0)
        snprintf(err, errlen, "dump-guest-memory: writing '%s': %s", file, strerror(-ret));
    dump_send_event(ret < 0 ? err : NULL);
    if (was_running)
        machine_resume(m);
    return ret;
}
