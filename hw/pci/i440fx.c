/*
 * i440fx.c - PCI configuration access on bus 0 and the 440FX host bridge's
 * own registers. Only what firmware and OSes touch is writable: the
 * command register's memory/I/O/master bits, latency timer, PAM and SMRAM.
 */
#include "hw/pci/i440fx.h"

#include <stddef.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/vmstate.h"

#define CFG_ENABLE 0x80000000u
#define I440FX_SMRAM 0x72

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* Which bits of each config byte the guest may change. */
static uint8_t i440fx_wmask(unsigned off)
{
    if (off == 0x04)
        return 0x07; /* I/O, memory, bus master */
    if (off == 0x0d)
        return 0xff; /* latency timer */
    if (off >= I440FX_PAM0 && off < I440FX_PAM0 + I440FX_NPAM)
        return off == I440FX_PAM0 ? 0x30 : 0x33;
    if (off == I440FX_SMRAM)
        return 0x78; /* open/close/lock bits are kept, D_OPEN has no effect: no SMM */
    return 0;
}

/* The device at bus/devfn of the current address, or -1 if nothing answers there. */
static int i440fx_target(const struct i440fx *s)
{
    if (!(s->config_addr & CFG_ENABLE))
        return -1;
    unsigned bus = (s->config_addr >> 16) & 0xff, devfn = (s->config_addr >> 8) & 0xff;
    return bus == 0 && devfn == 0 ? 0 : -1;
}

static uint64_t i440fx_data_read(void *opaque, uint64_t off, unsigned size)
{
    struct i440fx *s = opaque;
    unsigned reg = (s->config_addr & 0xfc) + (unsigned)off;
    uint64_t v = 0;

    if (i440fx_target(s) < 0)
        return (1ull << (8 * size)) - 1;
    for (unsigned i = 0; i < size && reg + i < 256; i++)
        v |= (uint64_t)s->config[reg + i] << (8 * i);
    return v;
}

static void i440fx_data_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct i440fx *s = opaque;
    unsigned reg = (s->config_addr & 0xfc) + (unsigned)off;
    bool pam = false;

    if (i440fx_target(s) < 0)
        return;
    for (unsigned i = 0; i < size && reg + i < 256; i++) {
        uint8_t m = i440fx_wmask(reg + i), b = (uint8_t)(v >> (8 * i));
        uint8_t old = s->config[reg + i];
        s->config[reg + i] = (old & ~m) | (b & m);
        if (reg + i >= I440FX_PAM0 && reg + i < I440FX_PAM0 + I440FX_NPAM &&
            s->config[reg + i] != old)
            pam = true;
    }
    if (pam && s->pam_changed)
        s->pam_changed(s->pam_opaque, &s->config[I440FX_PAM0]);
}

static uint64_t i440fx_addr_read(void *opaque, uint64_t off, unsigned size)
{
    struct i440fx *s = opaque;

    if (off == 0 && size == 4)
        return s->config_addr;
    if (off == 1 && size == 1)
        return s->rcr;
    return (1ull << (8 * size)) - 1;
}

static void i440fx_addr_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct i440fx *s = opaque;

    if (off == 0 && size == 4) {
        s->config_addr = (uint32_t)v & 0x80fffffc;
    } else if (off == 1 && size == 1) {
        /* Reset control (PIIX): RST_CPU (bit 2) resets the machine. */
        s->rcr = v & 0x02;
        if ((v & 0x04) && s->dev.machine)
            machine_request_shutdown(s->dev.machine, SHUTDOWN_GUEST_RESET, 0);
    } else {
        log_guest_error("pci: %u-byte write at 0xcf8+%llu ignored", size, (unsigned long long)off);
    }
}

static const struct mem_region_ops i440fx_addr_ops = {
    .read = i440fx_addr_read, .write = i440fx_addr_write, .min_access = 1, .max_access = 4};
static const struct mem_region_ops i440fx_data_ops = {
    .read = i440fx_data_read, .write = i440fx_data_write, .min_access = 1, .max_access = 4};

static void i440fx_reset(struct device *dev)
{
    struct i440fx *s = (struct i440fx *)dev;
    uint8_t *c = s->config;

    memset(c, 0, sizeof(s->config));
    put16(c + 0x00, 0x8086);
    put16(c + 0x02, 0x1237);
    c[0x08] = 0x02;          /* revision */
    put16(c + 0x0a, 0x0600); /* host bridge */
    put16(c + 0x2c, 0x1af4); /* subsystem: QEMU's, so firmware knows what it runs on */
    put16(c + 0x2e, 0x1100);
    c[I440FX_SMRAM] = 0x02;
    s->config_addr = 0;
    s->rcr = 0;
    if (s->pam_changed)
        s->pam_changed(s->pam_opaque, &c[I440FX_PAM0]);
}

static int i440fx_realize(struct device *dev)
{
    struct i440fx *s = (struct i440fx *)dev;

    mem_region_init_io(&s->addr_io, "pci-conf-idx", &i440fx_addr_ops, s, 4);
    mem_region_init_io(&s->data_io, "pci-conf-data", &i440fx_data_ops, s, 4);
    i440fx_reset(dev);
    return 0;
}

void i440fx_set_pam_hook(struct device *dev, void (*fn)(void *opaque, const uint8_t *pam),
                         void *opaque)
{
    struct i440fx *s = (struct i440fx *)dev;

    s->pam_changed = fn;
    s->pam_opaque = opaque;
    if (fn)
        fn(opaque, &s->config[I440FX_PAM0]);
}

static int i440fx_post_load(void *opaque, int version_id)
{
    struct i440fx *s = opaque;

    (void)version_id;
    if (s->pam_changed)
        s->pam_changed(s->pam_opaque, &s->config[I440FX_PAM0]);
    return 0;
}

static const struct vmstate_field i440fx_fields[] = {
    {.name = "config_addr", .type = VMS_U32, .offset = offsetof(struct i440fx, config_addr)},
    {.name = "config", .type = VMS_BUFFER, .offset = offsetof(struct i440fx, config), .size = 256},
    {.name = "rcr", .type = VMS_U8, .offset = offsetof(struct i440fx, rcr)},
    {.type = VMS_END},
};
static const struct vmstate_desc i440fx_vmstate = {.name = "i440fx",
                                                   .version_id = 1,
                                                   .minimum_version_id = 1,
                                                   .fields = i440fx_fields,
                                                   .post_load = i440fx_post_load};

const struct device_type i440fx_type = {
    .name = "i440FX-pcihost",
    .desc = "PCI host bridge (i440FX-like) with PAM and reset control",
    .state_size = sizeof(struct i440fx),
    .realize = i440fx_realize,
    .reset = i440fx_reset,
    .vmsd = &i440fx_vmstate,
};
