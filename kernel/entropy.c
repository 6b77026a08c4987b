/*
 * entropy.c - emu-core/platform.h's entropy on bare metal, for virtio-rng.
 *
 * RDSEED first (the CPU's conditioned noise source: entropy for seeding),
 * then RDRAND (a DRBG the CPU reseeds from that source: what Linux's
 * random.c also takes), each only when CPUID lists it and each with the
 * bounded retries Intel's DRNG guide gives: a clear CF means "nothing this
 * time", not an error, and either instruction may run dry under load.
 *
 * Without them (CPUs before Ivy Bridge / AMD family 15h, or a hypervisor
 * that hides them) the fallback times a data-dependent loop with the TSC
 * and mixes the deltas. What that is worth depends on the machine: on real
 * hardware the low bits of each delta carry cache, DRAM refresh and
 * interrupt jitter (well under one bit per sample; 64 samples are hashed
 * into each 8 output bytes, so count on a few bits per word at best); under
 * an emulator whose TSC is deterministic it is worth close to nothing. It
 * is never cryptographic on its own: it is offered so a guest kernel that
 * mixes every input into its pool gets something, and the console says so
 * when the first guest asks.
 */
#include "emu-core/platform.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "kernel/kernel.h"

#define CPUID1_ECX_RDRAND (1u << 30)
#define CPUID7_EBX_RDSEED (1u << 18)
#define RDRAND_RETRIES 10 /* Intel: 10 failures in a row mean a broken DRNG */
#define RDSEED_RETRIES 100
#define JITTER_SAMPLES 64 /* TSC deltas mixed into each 64-bit output word */

enum ent_source { ENT_UNPROBED, ENT_RDSEED, ENT_RDRAND, ENT_JITTER };
static enum ent_source ent_src;
static bool ent_has_rdrand;
static uint64_t jitter_state, jitter_count;

static bool rdseed64(uint64_t *v)
{
    uint8_t ok;

    for (int i = 0; i < RDSEED_RETRIES; i++) {
        __asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok)::"cc");
        if (ok)
            return true;
        __asm__ volatile("pause");
    }
    return false;
}

static bool rdrand64(uint64_t *v)
{
    uint8_t ok;

    for (int i = 0; i < RDRAND_RETRIES; i++) {
        __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok)::"cc");
        if (ok)
            return true;
    }
    return false;
}

static uint64_t mix64(uint64_t x)
{
    /* MurmurHash3's finalizer: every input bit reaches every output bit. */
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

static uint64_t jitter64(void)
{
    static volatile uint8_t scratch[4096];
    uint64_t acc = jitter_state;

    for (int i = 0; i < JITTER_SAMPLES; i++) {
        uint64_t t0 = rdtsc();
        /* A walk whose addresses depend on the previous delta: cache timing varies. */
        for (unsigned j = 0, k = (unsigned)acc; j < 16; j++, k = k * 33 + 7)
            scratch[k % sizeof(scratch)] += (uint8_t)j;
        uint64_t d = rdtsc() - t0;
        acc = (acc << 7 | acc >> 57) ^ d;
        acc *= 0x9e3779b97f4a7c15ull;
    }
    /* The counter keeps outputs distinct even when the TSC gives nothing. */
    jitter_state = mix64(acc ^ ++jitter_count);
    return mix64(jitter_state ^ 0x5851f42d4c957f2dull);
}

static void ent_probe(void)
{
    uint32_t r[4];

    cpuid(0, 0, r);
    uint32_t max_leaf = r[0];
    cpuid(1, 0, r);
    ent_has_rdrand = r[2] & CPUID1_ECX_RDRAND;
    bool has_rdseed = false;
    if (max_leaf >= 7) {
        cpuid(7, 0, r);
        has_rdseed = r[1] & CPUID7_EBX_RDSEED;
    }
    ent_src = has_rdseed ? ENT_RDSEED : ent_has_rdrand ? ENT_RDRAND : ENT_JITTER;
    jitter_state = mix64(rdtsc());
    if (ent_src == ENT_JITTER)
        kern_printf("baremu: this CPU has neither RDSEED nor RDRAND: virtio-rng gets TSC "
                    "jitter (weak, not cryptographic)\n");
}

int plat_entropy(void *buf, size_t len)
{
    uint8_t *p = buf;
    size_t done = 0;

    if (ent_src == ENT_UNPROBED)
        ent_probe();
    if (len > 65536)
        len = 65536;
    while (done < len) {
        uint64_t v;
        bool ok;
        if (ent_src == ENT_RDSEED)
            ok = rdseed64(&v) || (ent_has_rdrand && rdrand64(&v));
        else if (ent_src == ENT_RDRAND)
            ok = rdrand64(&v);
        else
            ok = (v = jitter64(), true);
        if (!ok)
            break;
        size_t n = len - done < sizeof(v) ? len - done : sizeof(v);
        memcpy(p + done, &v, n);
        done += n;
    }
    if (done)
        return (int)done;
    return len ? -EIO : 0;
}

int plat_entropy_file_open(const char *name, struct plat_entropy_file **out)
{
    (void)name;
    (void)out;
    return -ENOTSUP; /* no host files to read: the default (plat_entropy) serves */
}

int plat_entropy_file_read(struct plat_entropy_file *f, void *buf, size_t len)
{
    (void)f;
    (void)buf;
    (void)len;
    return -ENOTSUP;
}

void plat_entropy_file_close(struct plat_entropy_file *f)
{
    (void)f;
}
