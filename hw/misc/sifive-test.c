/*
 * sifive-test.c - SiFive test finisher. It has no state: writes at offset 0
 * end or reset the run through the machine's requests, so the main loop
 * stops the vCPUs cleanly; everything else is a logged no-op.
 */
#include "hw/misc/sifive-test.h"

#include <stddef.h>

#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/vmstate.h"

static uint64_t sifive_test_read(void *opaque, uint64_t offset, unsigned size)
{
    (void)opaque;
    (void)offset;
    (void)size;
    return 0;
}

static void sifive_test_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct sifive_test *s = opaque;
    struct machine *m = s->dev.machine;
    uint32_t status = value & 0xffff, code = (value >> 16) & 0xffff;

    if (offset != 0) {
        log_guest_error("sifive-test: write of %u bytes at 0x%llx ignored", size,
                        (unsigned long long)offset);
        return;
    }
    switch (status) {
    case SIFIVE_TEST_FAIL:
        if (m)
            machine_request_shutdown(m, SHUTDOWN_GUEST_POWEROFF, (int)code);
        return;
    case SIFIVE_TEST_PASS:
        if (m)
            machine_request_shutdown(m, SHUTDOWN_GUEST_POWEROFF, 0);
        return;
    case SIFIVE_TEST_RESET:
        if (m)
            machine_request_shutdown(m, SHUTDOWN_GUEST_RESET, 0);
        return;
    default:
        log_guest_error("sifive-test: unknown command 0x%x", status);
    }
}

static const struct mem_region_ops sifive_test_ops = {
    .read = sifive_test_read,
    .write = sifive_test_write,
    .min_access = 2,
    .max_access = 4,
};

static int sifive_test_realize(struct device *dev)
{
    struct sifive_test *s = (struct sifive_test *)dev;

    mem_region_init_io(&s->mmio, "riscv.sifive.test", &sifive_test_ops, s, SIFIVE_TEST_MMIO_SIZE);
    return 0;
}

static const struct vmstate_field sifive_test_vmstate_fields[] = {
    {.type = VMS_END},
};

static const struct vmstate_desc sifive_test_vmstate = {
    .name = "sifive-test",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = sifive_test_vmstate_fields,
};

const struct device_type sifive_test_type = {
    .name = "sifive-test",
    .desc = "SiFive test finisher (poweroff/reset)",
    .state_size = sizeof(struct sifive_test),
    .realize = sifive_test_realize,
    .vmsd = &sifive_test_vmstate,
};
