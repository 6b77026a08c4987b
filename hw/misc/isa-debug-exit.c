/*
 * isa-debug-exit.c - ends the run with the written value, as QEMU's
 * isa-debug-exit does, so test guests report a status without ACPI.
 */
#include "hw/misc/isa-debug-exit.h"

#include <errno.h>
#include <stddef.h>

#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/vmstate.h"

static uint64_t isa_debug_exit_read(void *opaque, uint64_t offset, unsigned size)
{
    (void)opaque;
    (void)offset;
    (void)size;
    return 0; /* QEMU's reads as 0 too */
}

static void isa_debug_exit_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct isa_debug_exit *s = opaque;

    (void)offset;
    (void)size;
    if (s->dev.machine)
        machine_request_shutdown(s->dev.machine, SHUTDOWN_GUEST_POWEROFF, (int)((value << 1) | 1));
}

static const struct mem_region_ops isa_debug_exit_ops = {
    .read = isa_debug_exit_read,
    .write = isa_debug_exit_write,
    .min_access = 1,
    .max_access = 4,
};

static int isa_debug_exit_realize(struct device *dev)
{
    struct isa_debug_exit *s = (struct isa_debug_exit *)dev;

    if (s->iosize < 1 || s->iosize > 4 || s->iobase + s->iosize > 0x10000) {
        error_report("isa-debug-exit: iobase 0x%x/iosize %u do not fit the I/O space", s->iobase,
                     s->iosize);
        return -EINVAL;
    }
    mem_region_init_io(&s->io, "isa-debug-exit", &isa_debug_exit_ops, s, s->iosize);
    return 0;
}

static const struct device_prop isa_debug_exit_props[] = {
    {"iobase", PROP_U32, offsetof(struct isa_debug_exit, iobase), 0xf4, NULL},
    {"iosize", PROP_U32, offsetof(struct isa_debug_exit, iosize), 4, NULL},
    {NULL, PROP_END, 0, 0, NULL},
};

static const struct vmstate_field isa_debug_exit_fields[] = {{.type = VMS_END}};
static const struct vmstate_desc isa_debug_exit_vmstate = {
    .name = "isa-debug-exit",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = isa_debug_exit_fields,
};

const struct device_type isa_debug_exit_type = {
    .name = "isa-debug-exit",
    .desc = "ends the run with status (value << 1) | 1",
    .state_size = sizeof(struct isa_debug_exit),
    .props = isa_debug_exit_props,
    .realize = isa_debug_exit_realize,
    .vmsd = &isa_debug_exit_vmstate,
};
