/*
 * i8042.c - keyboard controller and a keyless PS/2 keyboard. Bytes for the
 * guest wait in one output queue; the output-buffer-full status bit and
 * IRQ 1 follow its head.
 */
#include "hw/input/i8042.h"

#include <errno.h>
#include <stddef.h>

#include "emu-core/irq.h"
#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/vmstate.h"

#define STAT_OBF 0x01
#define STAT_SYS 0x04
#define STAT_CMD 0x08
#define STAT_UNLOCKED 0x10
#define MODE_KBD_INT 0x01
#define MODE_SYS 0x04
#define MODE_DISABLE_KBD 0x10
#define MODE_DISABLE_AUX 0x20
#define MODE_TRANSLATE 0x40
#define OUT_RESET 0x01 /* active low */
#define OUT_A20 0x02
#define KBD_ACK 0xfa

static void i8042_update(struct i8042 *s)
{
    if (s->qcount)
        s->status |= STAT_OBF;
    else
        s->status &= ~STAT_OBF;
    irq_set(s->irq, s->qcount && (s->mode & MODE_KBD_INT));
}

static void i8042_queue(struct i8042 *s, uint8_t b)
{
    if (s->qcount == I8042_QUEUE) {
        log_guest_error("i8042: output queue full, byte 0x%02x dropped", b);
        return;
    }
    s->queue[(s->qhead + s->qcount++) % I8042_QUEUE] = b;
    i8042_update(s);
}

static void i8042_system_reset(struct i8042 *s)
{
    if (s->dev.machine)
        machine_request_shutdown(s->dev.machine, SHUTDOWN_GUEST_RESET, 0);
}

static void i8042_write_outport(struct i8042 *s, uint8_t v)
{
    s->outport = v;
    if (!(v & OUT_A20))
        log_unimp("i8042: A20 gate disabled (A20 stays on)");
    if (!(v & OUT_RESET))
        i8042_system_reset(s);
}

/* A byte for the keyboard (port 0x60 with no controller command pending). */
static void kbd_write(struct i8042 *s, uint8_t v)
{
    if (s->kbd_pending) {
        /* The argument of 0xed (LEDs), 0xf3 (typematic) or 0xf0 (scan set). */
        uint8_t cmd = s->kbd_pending;
        s->kbd_pending = 0;
        i8042_queue(s, KBD_ACK);
        if (cmd == 0xf0 && v == 0)
            i8042_queue(s, 2); /* scan set 2 */
        return;
    }
    switch (v) {
    case 0xff: /* reset and self-test */
        s->kbd_enabled = true;
        i8042_queue(s, KBD_ACK);
        i8042_queue(s, 0xaa);
        break;
    case 0xf2: /* identify: an MF2 keyboard, translated as the controller says */
        i8042_queue(s, KBD_ACK);
        i8042_queue(s, 0xab);
        i8042_queue(s, (s->mode & MODE_TRANSLATE) ? 0x41 : 0x83);
        break;
    case 0xf4:
        s->kbd_enabled = true;
        i8042_queue(s, KBD_ACK);
        break;
    case 0xf5:
        s->kbd_enabled = false;
        i8042_queue(s, KBD_ACK);
        break;
    case 0xee: /* echo */
        i8042_queue(s, 0xee);
        break;
    case 0xed:
    case 0xf3:
    case 0xf0:
        s->kbd_pending = v;
        i8042_queue(s, KBD_ACK);
        break;
    default:
        i8042_queue(s, KBD_ACK);
        break;
    }
}

static void i8042_command(struct i8042 *s, uint8_t cmd)
{
    switch (cmd) {
    case 0x20:
        i8042_queue(s, s->mode);
        break;
    case 0x60: /* write mode */
    case 0xd1: /* write output port */
    case 0xd2: /* write keyboard output buffer */
    case 0xd3: /* write aux output buffer */
    case 0xd4: /* write to aux device */
        s->pending_cmd = cmd;
        break;
    case 0xa7:
        s->mode |= MODE_DISABLE_AUX;
        break;
    case 0xa8:
        s->mode &= ~MODE_DISABLE_AUX;
        break;
    case 0xa9: /* aux interface test: no aux device, but the lines test fine */
    case 0xab: /* keyboard interface test */
        i8042_queue(s, 0x00);
        break;
    case 0xaa: /* controller self-test */
        s->status |= STAT_SYS;
        i8042_queue(s, 0x55);
        break;
    case 0xad:
        s->mode |= MODE_DISABLE_KBD;
        break;
    case 0xae:
        s->mode &= ~MODE_DISABLE_KBD;
        break;
    case 0xc0: /* input port */
        i8042_queue(s, 0x00);
        break;
    case 0xd0:
        i8042_queue(s, s->outport);
        break;
    case 0xdd:
        i8042_write_outport(s, s->outport & ~OUT_A20);
        break;
    case 0xdf:
        i8042_write_outport(s, s->outport | OUT_A20);
        break;
    default:
        if (cmd >= 0xf0) { /* pulse output lines low: bit 0 is the reset line */
            if (!(cmd & 1))
                i8042_system_reset(s);
        } else {
            log_unimp("i8042: controller command 0x%02x", cmd);
        }
        break;
    }
}

static uint64_t i8042_data_read(void *opaque, uint64_t off, unsigned size)
{
    struct i8042 *s = opaque;
    uint8_t v;

    (void)off;
    (void)size;
    if (!s->qcount)
        return s->queue[(s->qhead + I8042_QUEUE - 1) % I8042_QUEUE]; /* the last byte again */
    v = s->queue[s->qhead];
    s->qhead = (s->qhead + 1) % I8042_QUEUE;
    s->qcount--;
    i8042_update(s);
    return v;
}

static void i8042_data_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct i8042 *s = opaque;
    uint8_t v = (uint8_t)val, cmd = s->pending_cmd;

    (void)off;
    (void)size;
    s->status &= ~STAT_CMD;
    s->pending_cmd = 0;
    switch (cmd) {
    case 0x60:
        s->mode = v;
        s->status = (s->status & ~STAT_SYS) | (v & MODE_SYS);
        i8042_update(s);
        break;
    case 0xd1:
        i8042_write_outport(s, v);
        break;
    case 0xd2:
    case 0xd3:
        i8042_queue(s, v);
        break;
    case 0xd4:
        break; /* no mouse: the byte goes nowhere and nothing answers, as with none plugged */
    default:
        kbd_write(s, v);
        break;
    }
}

static uint64_t i8042_cmd_read(void *opaque, uint64_t off, unsigned size)
{
    (void)off;
    (void)size;
    return ((struct i8042 *)opaque)->status;
}

static void i8042_cmd_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct i8042 *s = opaque;

    (void)off;
    (void)size;
    s->status |= STAT_CMD;
    i8042_command(s, (uint8_t)val);
}

static const struct mem_region_ops i8042_data_ops = {
    .read = i8042_data_read, .write = i8042_data_write, .min_access = 1, .max_access = 1};
static const struct mem_region_ops i8042_cmd_ops = {
    .read = i8042_cmd_read, .write = i8042_cmd_write, .min_access = 1, .max_access = 1};

static void i8042_reset(struct device *dev)
{
    struct i8042 *s = (struct i8042 *)dev;

    s->status = STAT_CMD | STAT_UNLOCKED;
    s->mode = MODE_KBD_INT | MODE_TRANSLATE;
    s->outport = OUT_RESET | OUT_A20;
    s->pending_cmd = s->kbd_pending = 0;
    s->kbd_enabled = true;
    s->qhead = s->qcount = 0;
    i8042_update(s);
}

static int i8042_realize(struct device *dev)
{
    struct i8042 *s = (struct i8042 *)dev;

    mem_region_init_io(&s->data_io, "i8042-data", &i8042_data_ops, s, 1);
    mem_region_init_io(&s->cmd_io, "i8042-cmd", &i8042_cmd_ops, s, 1);
    i8042_reset(dev);
    return 0;
}

static int i8042_post_load(void *opaque, int version_id)
{
    struct i8042 *s = opaque;

    (void)version_id;
    if (s->qhead >= I8042_QUEUE || s->qcount > I8042_QUEUE)
        return -EINVAL;
    i8042_update(s);
    return 0;
}

#define I8042_F(f, t)                                                                              \
    {                                                                                              \
#f, t, offsetof(struct i8042, f), 0, 0, NULL, 0, false, 0                                  \
    }
static const struct vmstate_field i8042_fields[] = {
    I8042_F(status, VMS_U8),
    I8042_F(mode, VMS_U8),
    I8042_F(outport, VMS_U8),
    I8042_F(pending_cmd, VMS_U8),
    I8042_F(kbd_pending, VMS_U8),
    I8042_F(kbd_enabled, VMS_BOOL),
    {.name = "queue",
     .type = VMS_BUFFER,
     .offset = offsetof(struct i8042, queue),
     .size = I8042_QUEUE},
    I8042_F(qhead, VMS_U8),
    I8042_F(qcount, VMS_U8),
    {.type = VMS_END},
};
static const struct vmstate_desc i8042_vmstate = {.name = "i8042",
                                                  .version_id = 1,
                                                  .minimum_version_id = 1,
                                                  .fields = i8042_fields,
                                                  .post_load = i8042_post_load};

static const struct device_prop i8042_props[] = {
    {"irq", PROP_LINK, offsetof(struct i8042, irq), 0, NULL},
    {NULL, PROP_END, 0, 0, NULL},
};

const struct device_type i8042_type = {
    .name = "i8042",
    .desc = "PS/2 keyboard controller (reset line, A20, a keyless keyboard)",
    .state_size = sizeof(struct i8042),
    .props = i8042_props,
    .realize = i8042_realize,
    .reset = i8042_reset,
    .vmsd = &i8042_vmstate,
};
