/*
 * i440fx.c - PCI configuration access on bus 0, the 440FX host bridge's
 * PAM and SMRAM registers, and the PIIX3's PIRQ routing.
 */
#include "hw/pci/i440fx.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "emu-core/irq.h"
#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/vmstate.h"
#include "hw/intc/i8259.h"

#define CFG_ENABLE 0x80000000u
#define I440FX_SMRAM 0x72

static struct pci_function *i440fx_target(struct i440fx *s, unsigned *reg, uint64_t off)
{
    if (!(s->config_addr & CFG_ENABLE) || ((s->config_addr >> 16) & 0xff) != 0)
        return NULL;
    *reg = (s->config_addr & 0xfc) + (unsigned)off;
    return s->bus.fn[(s->config_addr >> 8) & 0xff];
}

static uint64_t i440fx_data_read(void *opaque, uint64_t off, unsigned size)
{
    unsigned reg;
    struct pci_function *f = i440fx_target(opaque, &reg, off);

    if (!f)
        return (1ull << (8 * size)) - 1; /* nothing there: master abort reads all-ones */
    return pci_config_read(f, reg, size);
}

static void i440fx_data_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    unsigned reg;
    struct pci_function *f = i440fx_target(opaque, &reg, off);

    if (f)
        pci_config_write(f, reg, (uint32_t)v, size);
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

static void i440fx_host_written(struct pci_function *f, unsigned off, unsigned size)
{
    struct i440fx *s = f->opaque;

    if (off < I440FX_PAM0 + I440FX_NPAM && off + size > I440FX_PAM0 && s->pam_changed)
        s->pam_changed(s->pam_opaque, &f->config[I440FX_PAM0]);
}

/* Drive each PIC input that some asserted PIRQ line is routed to. */
static void piix3_update_irqs(struct i440fx *s)
{
    uint16_t levels = 0;

    for (int p = 0; p < 4; p++) {
        uint8_t route = s->isa.config[PIIX3_PIRQRC + p];
        if (s->pirq_count[p] && !(route & 0x80) && (route & 15) >= 3)
            levels |= 1u << (route & 15);
    }
    uint16_t changed = levels ^ s->isa_levels;
    s->isa_levels = levels;
    for (int i = 0; i < 16 && (s->pic || s->isa_irqs); i++) {
        if (changed & (1u << i))
            irq_set(s->isa_irqs ? &s->isa_irqs[i] : pic_irq(s->pic, i), (levels >> i) & 1);
    }
}

static void i440fx_set_irq(void *opaque, uint8_t devfn, int pin, int level)
{
    struct i440fx *s = opaque;
    /* The PIIX's rotating INTx swizzle, slot 1 INTA on PIRQA (as QEMU and SeaBIOS's $PIR). */
    int pirq = ((devfn >> 3) - 1 + pin - 1) & 3;

    if (level)
        s->pirq_count[pirq]++;
    else if (s->pirq_count[pirq])
        s->pirq_count[pirq]--;
    piix3_update_irqs(s);
}

static void piix3_written(struct pci_function *f, unsigned off, unsigned size)
{
    if (off < PIIX3_PIRQRC + 4 && off + size > PIIX3_PIRQRC)
        piix3_update_irqs(f->opaque);
}

static void i440fx_reset(struct device *dev)
{
    struct i440fx *s = (struct i440fx *)dev;

    memset(s->host.config + 0x40, 0, 0xc0);
    s->host.config[I440FX_SMRAM] = 0x02;
    pci_function_reset(&s->host);
    for (int i = 0; i < 4; i++)
        s->isa.config[PIIX3_PIRQRC + i] = 0x80; /* routing disabled */
    pci_function_reset(&s->isa);
    s->config_addr = 0;
    s->rcr = 0;
    piix3_update_irqs(s);
    if (s->pam_changed)
        s->pam_changed(s->pam_opaque, &s->host.config[I440FX_PAM0]);
}

static int i440fx_realize(struct device *dev)
{
    struct i440fx *s = (struct i440fx *)dev;

    s->bus.set_irq = i440fx_set_irq;
    s->bus.irq_opaque = s;
    pci_function_init(&s->host, 0x8086, 0x1237, 0x060000, 0x02, 0x1af4, 0x1100);
    for (int i = 0; i < I440FX_NPAM; i++)
        s->host.wmask[I440FX_PAM0 + i] = i == 0 ? 0x30 : 0x33;
    s->host.wmask[I440FX_SMRAM] = 0x78; /* kept, without effect: there is no SMM */
    s->host.config_written = i440fx_host_written;
    s->host.opaque = s;
    pci_function_init(&s->isa, 0x8086, 0x7000, 0x060100, 0x00, 0x1af4, 0x1100);
    s->isa.config[PCI_HEADER_TYPE] = 0x80; /* multi-function, as the PIIX3 */
    for (int i = 0; i < 4; i++)
        s->isa.wmask[PIIX3_PIRQRC + i] = 0x8f;
    s->isa.config_written = piix3_written;
    s->isa.opaque = s;
    pci_bus_attach(&s->bus, &s->host, PCI_DEVFN(0, 0));
    pci_bus_attach(&s->bus, &s->isa, PCI_DEVFN(1, 0));
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
        fn(opaque, &s->host.config[I440FX_PAM0]);
}

struct pci_bus *i440fx_bus(struct device *dev, struct mem_region *mem, struct mem_region *io)
{
    struct i440fx *s = (struct i440fx *)dev;

    s->bus.mem = mem;
    s->bus.io = io;
    return &s->bus;
}

static int i440fx_post_load(void *opaque, int version_id)
{
    struct i440fx *s = opaque;

    (void)version_id;
    memset(s->pirq_count, 0, sizeof(s->pirq_count)); /* devices re-assert on their load */
    for (int i = 0; i < 256; i++) {
        if (s->bus.fn[i])
            pci_function_update_mappings(s->bus.fn[i]);
    }
    if (s->pam_changed)
        s->pam_changed(s->pam_opaque, &s->host.config[I440FX_PAM0]);
    return 0;
}

static const struct vmstate_field i440fx_fields[] = {
    {.name = "config_addr", .type = VMS_U32, .offset = offsetof(struct i440fx, config_addr)},
    {.name = "host",
     .type = VMS_BUFFER,
     .offset = offsetof(struct i440fx, host.config),
     .size = 256},
    {.name = "isa", .type = VMS_BUFFER, .offset = offsetof(struct i440fx, isa.config), .size = 256},
    {.name = "rcr", .type = VMS_U8, .offset = offsetof(struct i440fx, rcr)},
    {.type = VMS_END},
};
static const struct vmstate_desc i440fx_vmstate = {.name = "i440fx",
                                                   .version_id = 1,
                                                   .minimum_version_id = 1,
                                                   .fields = i440fx_fields,
                                                   .post_load = i440fx_post_load};

static const struct device_prop i440fx_props[] = {
    {"pic", PROP_LINK, offsetof(struct i440fx, pic), 0, NULL},
    {"isa-irqs", PROP_LINK, offsetof(struct i440fx, isa_irqs), 0, NULL},
    {NULL, PROP_END, 0, 0, NULL},
};

const struct device_type i440fx_type = {
    .name = "i440FX-pcihost",
    .desc = "PCI host bridge (i440FX) with PIIX3 ISA bridge: PAM, PIRQ routing, reset control",
    .state_size = sizeof(struct i440fx),
    .props = i440fx_props,
    .realize = i440fx_realize,
    .reset = i440fx_reset,
    .vmsd = &i440fx_vmstate,
};
