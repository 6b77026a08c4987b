/*
 * fuzz-qmp.c - libFuzzer target: bytes from a client through the whole QMP
 * path (framing, JSON parser, request checks, dispatch, HMP parsing) on a
 * session with no machine, so every command runs its checks and none acts.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "emu-core/chardev.h"
#include "net/qmp-server.h"

static size_t out_bytes;

static int fuzz_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    (void)chr, (void)buf;
    out_bytes += len;
    return (int)len;
}

static const struct chardev_ops fuzz_ops = {.write = fuzz_write};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct chardev chr;
    static int ready;

    if (!ready) {
        chardev_register(&chr, "fuzz", &fuzz_ops, NULL);
        qmp_session_attach(&chr, QMP_SESSION_GREET_NOW);
        ready = 1;
    }
    /* Each input is a fresh connection: greeting, then the bytes in two reads. */
    chardev_send_event(&chr, CHR_EVENT_OPENED);
    if (size && data[0] & 1) {
        static const char neg[] = "{\"execute\": \"qmp_capabilities\"}";
        chardev_input(&chr, (const uint8_t *)neg, sizeof(neg) - 1);
    }
    chardev_input(&chr, data, size / 2);
    chardev_input(&chr, data + size / 2, size - size / 2);
    chardev_send_event(&chr, CHR_EVENT_CLOSED);
    return 0;
}
