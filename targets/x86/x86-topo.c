/*
 * x86-topo.c - the CPU topology an x86 guest sees: sockets, cores and
 * threads from -smp (resolved as QEMU does), APIC IDs built from them as
 * QEMU builds them (thread, core and socket in bit fields of the smallest
 * width that holds each count: Intel SDM vol. 3A 9.9.1 "Hierarchical
 * Mapping of Shared Resources"), and the CPUID leaves that describe it
 * (Intel: leaves 1, 4 and 0xB; AMD: 0x80000001 CmpLegacy and 0x80000008).
 */
#include "targets/x86/x86.h"

#include "emu-core/config.h"

/* Width of a field that holds values 0..n-1. */
static unsigned x86_topo_bits(unsigned n)
{
    unsigned b = 0;

    while ((1u << b) < n)
        b++;
    return b;
}

void x86_topo_from_config(struct x86_topo *t, const struct emu_config *cfg, int ncpus)
{
    if (cfg->smp_sockets > 0 && cfg->smp_cores > 0 && cfg->smp_threads > 0) {
        t->sockets = (unsigned)cfg->smp_sockets;
        t->cores = (unsigned)cfg->smp_cores;
        t->threads = (unsigned)cfg->smp_threads;
    } else { /* no -smp: QEMU's default, one socket of ncpus cores */
        t->sockets = 1;
        t->cores = ncpus > 0 ? (unsigned)ncpus : 1;
        t->threads = 1;
    }
    t->thread_bits = x86_topo_bits(t->threads);
    t->core_bits = x86_topo_bits(t->cores);
}

void x86_topo_place(const struct x86_topo *t, int index, unsigned *socket, unsigned *core,
                    unsigned *thread)
{
    unsigned i = (unsigned)index;

    *thread = i % t->threads;
    *core = i / t->threads % t->cores;
    *socket = i / (t->threads * t->cores);
}

uint32_t x86_topo_apic_id(const struct x86_topo *t, int index)
{
    unsigned socket, core, thread;

    x86_topo_place(t, index, &socket, &core, &thread);
    return socket << (t->core_bits + t->thread_bits) | core << t->thread_bits | thread;
}

void x86_topo_cpuid(const struct x86_topo *t, uint32_t apic_id, uint32_t leaf, uint32_t sub,
                    uint32_t r[4])
{
    unsigned per_pkg = t->cores * t->threads, pkg_bits = t->core_bits + t->thread_bits;

    switch (leaf) {
    case 1: /* EBX: initial APIC ID, logical processors per package; EDX.HTT */
        r[1] = (r[1] & 0xffff) | (per_pkg & 0xff) << 16 | apic_id << 24;
        if (per_pkg > 1)
            r[3] |= 1u << 28;
        else
            r[3] &= ~(1u << 28);
        break;
    case 4: /* deterministic cache parameters: cores per package, threads per cache */
        if (r[0] & 0x1f) {
            unsigned level = r[0] >> 5 & 7;
            unsigned sharing = level <= 2 ? 1u << t->thread_bits : 1u << pkg_bits;
            r[0] = (r[0] & 0x3fff) | ((1u << t->core_bits) - 1) << 26 | (sharing - 1) << 14;
        }
        break;
    case 0xB:
    case 0x1F: /* extended topology: the SMT level, then the core level */
        if (sub == 0) {
            r[0] = t->thread_bits;
            r[1] = t->threads;
            r[2] = 1u << 8;
        } else if (sub == 1) {
            r[0] = pkg_bits;
            r[1] = per_pkg;
            r[2] = 2u << 8 | 1;
        } else {
            r[0] = r[1] = 0;
            r[2] = sub & 0xff;
        }
        r[3] = apic_id;
        break;
    case 0x80000001: /* CmpLegacy with several cores or threads; no TOPOEXT leaves */
        if (per_pkg > 1)
            r[2] |= 1u << 1;
        else
            r[2] &= ~(1u << 1);
        r[2] &= ~(1u << 22);
        break;
    case 0x80000008: /* ECX: APIC ID bits per package, logical processors per package - 1 */
        r[2] = (r[2] & ~0xf0ffu) | pkg_bits << 12 | ((per_pkg - 1) & 0xff);
        break;
    default:
        break;
    }
}
