/*
 * acpi-pm.c - the ACPI fixed-hardware registers (ACPI 6.4, 4.8.3): PM1a
 * status/enable (4.8.3.1), PM1a control with the sleep request
 * (4.8.3.2, 7.4.2: writing SLP_TYP for S5 with SLP_EN turns the machine
 * off) and the PM timer (4.8.3.3).
 */
#include <errno.h>
#include <stddef.h>

#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/vmstate.h"
#include "hw/acpi/acpi.h"

/*
 * 4.8.3.1: TMR, BM, GBL, PWRBTN, SLPBTN, RTC and WAK status; the matching
 * enables are plain storage (an OS checks that they stick: ACPICA reports
 * "Could not enable GlobalLock event" otherwise). Nothing here raises GBL,
 * SLPBTN or RTC status.
 */
#define PM_STS_WRITABLE 0x8731
#define PM_EN_WRITABLE 0x0721
#define PM_CNT_SLP_TYP(v) ((v) >> 10 & 7)

static void acpi_pm_update_sci(struct acpi_pm *s)
{
    irq_set(s->sci, (s->sts & s->en) != 0);
}

/* 24-bit count at 3.579545 MHz since virtual time 0. */
static uint32_t acpi_pm_timer(const struct acpi_pm *s)
{
    unsigned __int128 t = (unsigned __int128)vclock_ns(s->clock) * ACPI_PM_TIMER_HZ;

    return (uint32_t)(t / 1000000000u) & 0xffffff;
}

static void acpi_pm_sleep(struct acpi_pm *s, uint16_t cnt)
{
    unsigned typ = PM_CNT_SLP_TYP(cnt);

    if (typ == ACPI_SLP_TYP_S5) {
        if (s->dev.machine)
            machine_request_shutdown(s->dev.machine, SHUTDOWN_GUEST_POWEROFF, 0);
        return;
    }
    log_unimp("acpi: sleep type %u requested (only S5, type %u, is offered)", typ, ACPI_SLP_TYP_S5);
}

static uint64_t acpi_pm_read(void *opaque, uint64_t off, unsigned size)
{
    struct acpi_pm *s = opaque;
    uint64_t v;

    /* Registers as bytes, so any access width within one register works. */
    uint8_t regs[12] = {0};
    uint32_t tmr = acpi_pm_timer(s);
    regs[0] = (uint8_t)s->sts;
    regs[1] = (uint8_t)(s->sts >> 8);
    regs[2] = (uint8_t)s->en;
    regs[3] = (uint8_t)(s->en >> 8);
    regs[4] = (uint8_t)s->cnt;
    regs[5] = (uint8_t)(s->cnt >> 8);
    for (int i = 0; i < 4; i++)
        regs[8 + i] = (uint8_t)(tmr >> (8 * i));
    v = 0;
    for (unsigned i = 0; i < size && off + i < sizeof(regs); i++)
        v |= (uint64_t)regs[off + i] << (8 * i);
    return v;
}

static void acpi_pm_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct acpi_pm *s = opaque;

    for (unsigned i = 0; i < size; i++) {
        uint64_t at = off + i;
        uint8_t b = (uint8_t)(v >> (8 * i));
        switch (at) {
        case 0: /* status: write 1 to clear */
        case 1:
            s->sts &= ~((uint16_t)b << (8 * at) & PM_STS_WRITABLE);
            break;
        case 2:
        case 3:
            s->en = (s->en & ~(0xff << (8 * (at - 2)))) | (uint16_t)(b << (8 * (at - 2)));
            s->en &= PM_EN_WRITABLE;
            break;
        case 4:
        case 5: {
            uint16_t nv = (s->cnt & ~(0xff << (8 * (at - 4)))) | (uint16_t)(b << (8 * (at - 4)));
            /* SCI_EN stays set (no SMI_CMD to leave ACPI mode); SLP_EN is write-only. */
            s->cnt = (nv & ~ACPI_PM1_CNT_SLP_EN) | ACPI_PM1_CNT_SCI_EN;
            if (at == 5 && (nv & ACPI_PM1_CNT_SLP_EN))
                acpi_pm_sleep(s, nv);
            break;
        }
        default:
            if (at < 12)
                break; /* the timer and the hole are read-only */
            log_guest_error("acpi: write beyond the PM registers at +0x%llx",
                            (unsigned long long)at);
            break;
        }
    }
    acpi_pm_update_sci(s);
}

/* min 1 / max 4: a 16-bit write to PM1a_CNT arrives whole, so SLP_EN sees its SLP_TYP. */
static const struct mem_region_ops acpi_pm_ops = {
    .read = acpi_pm_read, .write = acpi_pm_write, .min_access = 1, .max_access = 4};

void acpi_pm_power_button(struct device *dev)
{
    struct acpi_pm *s = (struct acpi_pm *)dev;

    s->sts |= ACPI_PM1_PWRBTN_STS;
    acpi_pm_update_sci(s);
}

struct mem_region *acpi_pm_io(struct device *dev)
{
    return &((struct acpi_pm *)dev)->io;
}

static void acpi_pm_reset(struct device *dev)
{
    struct acpi_pm *s = (struct acpi_pm *)dev;

    s->sts = s->en = 0;
    s->cnt = ACPI_PM1_CNT_SCI_EN;
    acpi_pm_update_sci(s);
}

static int acpi_pm_realize(struct device *dev)
{
    struct acpi_pm *s = (struct acpi_pm *)dev;

    if (!s->clock)
        return -EINVAL;
    mem_region_init_io(&s->io, "acpi-pm", &acpi_pm_ops, s, 12);
    acpi_pm_reset(dev);
    return 0;
}

static int acpi_pm_post_load(void *opaque, int version_id)
{
    struct acpi_pm *s = opaque;

    (void)version_id;
    s->sts &= PM_STS_WRITABLE;
    s->en &= PM_EN_WRITABLE;
    s->cnt = (s->cnt & ~ACPI_PM1_CNT_SLP_EN) | ACPI_PM1_CNT_SCI_EN;
    acpi_pm_update_sci(s);
    return 0;
}

static const struct vmstate_field acpi_pm_fields[] = {
    {.name = "sts", .type = VMS_U16, .offset = offsetof(struct acpi_pm, sts)},
    {.name = "en", .type = VMS_U16, .offset = offsetof(struct acpi_pm, en)},
    {.name = "cnt", .type = VMS_U16, .offset = offsetof(struct acpi_pm, cnt)},
    {.type = VMS_END},
};
static const struct vmstate_desc acpi_pm_vmstate = {.name = "acpi-pm",
                                                    .version_id = 1,
                                                    .minimum_version_id = 1,
                                                    .fields = acpi_pm_fields,
                                                    .post_load = acpi_pm_post_load};

static const struct device_prop acpi_pm_props[] = {
    {"clock", PROP_LINK, offsetof(struct acpi_pm, clock), 0, NULL},
    {"sci", PROP_LINK, offsetof(struct acpi_pm, sci), 0, NULL},
    {NULL, PROP_END, 0, 0, NULL},
};

const struct device_type acpi_pm_type = {
    .name = "acpi-pm",
    .desc = "ACPI fixed-hardware PM1a event/control registers and PM timer",
    .state_size = sizeof(struct acpi_pm),
    .props = acpi_pm_props,
    .realize = acpi_pm_realize,
    .reset = acpi_pm_reset,
    .vmsd = &acpi_pm_vmstate,
};
