/*
 * test-device.c - device instances, properties and life cycle.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/chardev.h"
#include "emu-core/device.h"
#include "emu-core/machine.h"
#include "tests/unit/check.h"

struct toy {
    struct device dev;
    bool flag;
    uint32_t n;
    uint64_t size;
    char *label;
    struct chardev *chr;
    void *link;
    int realized_calls, reset_calls;
    bool fail_realize;
};

static int unrealize_calls;

static int toy_realize(struct device *dev)
{
    struct toy *t = DEVICE_STATE(dev, struct toy);
    t->realized_calls++;
    return t->fail_realize ? -EINVAL : 0;
}

static void toy_reset(struct device *dev)
{
    DEVICE_STATE(dev, struct toy)->reset_calls++;
}

static void toy_unrealize(struct device *dev)
{
    (void)dev;
    unrealize_calls++;
}

static const struct device_prop toy_props[] = {
    {.name = "flag", .type = PROP_BOOL, .offset = offsetof(struct toy, flag), .defval = 1},
    {.name = "n", .type = PROP_U32, .offset = offsetof(struct toy, n), .defval = 7},
    {.name = "size", .type = PROP_U64, .offset = offsetof(struct toy, size), .defval = 4096},
    {.name = "label", .type = PROP_STR, .offset = offsetof(struct toy, label), .defstr = "toy"},
    {.name = "chardev", .type = PROP_CHARDEV, .offset = offsetof(struct toy, chr)},
    {.name = "link", .type = PROP_LINK, .offset = offsetof(struct toy, link)},
    {.type = PROP_END},
};

static const struct device_type toy_type = {
    .name = "test-toy",
    .desc = "a device for unit tests",
    .state_size = sizeof(struct toy),
    .props = toy_props,
    .realize = toy_realize,
    .reset = toy_reset,
    .unrealize = toy_unrealize,
    .user_creatable = true,
};
DEVICE_TYPE_REGISTER(toy_type);

static void test_props(void)
{
    struct device *dev = device_new(NULL, &toy_type, "toy0");
    CHECK(dev != NULL);
    if (!dev)
        return;
    struct toy *t = DEVICE_STATE(dev, struct toy);
    CHECK(!strcmp(dev->id, "toy0"));
    CHECK_EQ(t->flag, 1);
    CHECK_EQ(t->n, 7);
    CHECK_EQ(t->size, 4096);
    CHECK(t->label && !strcmp(t->label, "toy"));

    /* bool spellings */
    static const char *const offs[] = {"off", "no", "false"}, *const ons[] = {"on", "yes", "true"};
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(device_prop_parse(dev, "flag", offs[i]), 0);
        CHECK_EQ(t->flag, 0);
        CHECK_EQ(device_prop_parse(dev, "flag", ons[i]), 0);
        CHECK_EQ(t->flag, 1);
    }
    CHECK_EQ(device_prop_parse(dev, "flag", "1x"), -EINVAL);
    CHECK_EQ(device_prop_parse(dev, "flag", ""), -EINVAL);
    CHECK_EQ(device_prop_parse(dev, "flag", "off"), 0);
    CHECK_EQ(device_prop_parse(dev, "flag", NULL), 0);
    CHECK_EQ(t->flag, 1);
    CHECK_EQ(device_prop_parse(dev, "n", NULL), -EINVAL);

    /* u32: plain numbers only, in range */
    CHECK_EQ(device_prop_parse(dev, "n", "0x10"), 0);
    CHECK_EQ(t->n, 16);
    CHECK_EQ(device_prop_parse(dev, "n", "4294967295"), 0);
    CHECK_EQ(t->n, 0xffffffffu);
    CHECK_EQ(device_prop_parse(dev, "n", "4294967296"), -EINVAL);
    CHECK_EQ(device_prop_parse(dev, "n", "-1"), -EINVAL);
    CHECK_EQ(device_prop_parse(dev, "n", " 5"), -EINVAL);
    CHECK_EQ(device_prop_parse(dev, "n", "4k"), -EINVAL);
    CHECK_EQ(t->n, 0xffffffffu);

    /* u64 with size suffixes */
    CHECK_EQ(device_prop_parse(dev, "size", "4k"), 0);
    CHECK_EQ(t->size, 4096);
    CHECK_EQ(device_prop_parse(dev, "size", "256M"), 0);
    CHECK_EQ(t->size, 256ull << 20);
    CHECK_EQ(device_prop_parse(dev, "size", "2G"), 0);
    CHECK_EQ(t->size, 2ull << 30);
    CHECK_EQ(device_prop_parse(dev, "size", "1T"), 0);
    CHECK_EQ(t->size, 1ull << 40);
    CHECK_EQ(device_prop_parse(dev, "size", "123"), 0);
    CHECK_EQ(t->size, 123);
    CHECK_EQ(device_prop_parse(dev, "size", "99999999999999999999"), -EINVAL);
    CHECK_EQ(device_prop_parse(dev, "size", "17179869184G"), -EINVAL); /* 2^64 */
    CHECK_EQ(device_prop_parse(dev, "size", "4q"), -EINVAL);
    CHECK_EQ(device_prop_parse(dev, "size", "k"), -EINVAL);
    CHECK_EQ(t->size, 123);

    /* strings are copied */
    char buf[8] = "abc";
    CHECK_EQ(device_prop_parse(dev, "label", buf), 0);
    buf[0] = 'x';
    CHECK(!strcmp(t->label, "abc"));
    CHECK_EQ(device_prop_set_str(dev, "label", "def"), 0);
    CHECK(!strcmp(t->label, "def"));

    /* chardev by id; links only from C */
    static struct chardev chr;
    chardev_register(&chr, "ser0", NULL, NULL);
    CHECK_EQ(device_prop_parse(dev, "chardev", "ser0"), 0);
    CHECK(t->chr == &chr);
    CHECK_EQ(device_prop_parse(dev, "chardev", "nope"), -EINVAL);
    CHECK_EQ(device_prop_parse(dev, "link", "x"), -EINVAL);
    int dummy;
    CHECK_EQ(device_prop_set_link(dev, "link", &dummy), 0);
    CHECK(t->link == &dummy);
    CHECK_EQ(device_prop_set_link(dev, "n", &dummy), -EINVAL);

    CHECK_EQ(device_prop_set_u64(dev, "n", 5), 0);
    CHECK_EQ(t->n, 5);
    CHECK_EQ(device_prop_set_u64(dev, "n", 1ull << 32), -EINVAL);
    CHECK_EQ(device_prop_set_u64(dev, "size", 1ull << 40), 0);
    CHECK_EQ(device_prop_set_u64(dev, "label", 1), -EINVAL);
    CHECK_EQ(device_prop_parse(dev, "bogus", "1"), -ENOENT);
    CHECK_EQ(device_prop_set_u64(dev, "bogus", 1), -ENOENT);

    /* realize, then properties are frozen */
    CHECK_EQ(device_realize(dev), 0);
    CHECK(dev->realized);
    CHECK_EQ(device_realize(dev), -EBUSY);
    CHECK_EQ(t->realized_calls, 1);
    CHECK_EQ(device_prop_parse(dev, "n", "1"), -EBUSY);
    CHECK_EQ(device_prop_set_u64(dev, "n", 1), -EBUSY);
    CHECK_EQ(device_prop_set_str(dev, "label", "z"), -EBUSY);
    CHECK_EQ(t->n, 5);
    device_reset(dev);
    CHECK_EQ(t->reset_calls, 1);
    unrealize_calls = 0;
    device_destroy(dev);
    CHECK_EQ(unrealize_calls, 1);
}

static void test_machine_list(void)
{
    struct machine m;
    memset(&m, 0, sizeof(m));
    struct device *a = device_new(&m, &toy_type, NULL);
    struct device *b = device_new(&m, &toy_type, "b");
    struct device *c = device_new(&m, &toy_type, "c");
    CHECK(a && b && c);
    CHECK(m.devices == a && a->next == b && b->next == c && !c->next);
    CHECK(a->machine == &m && !a->id);

    /* A failing realize leaves the device unrealized. */
    DEVICE_STATE(b, struct toy)->fail_realize = true;
    CHECK_EQ(device_realize(b), -EINVAL);
    CHECK(!b->realized);
    unrealize_calls = 0;
    device_destroy(b); /* never realized: no unrealize */
    CHECK_EQ(unrealize_calls, 0);
    CHECK(m.devices == a && a->next == c);
    device_destroy(a);
    CHECK(m.devices == c);
    device_destroy(c);
    CHECK(!m.devices);
}

static void test_registry(void)
{
    CHECK(device_type_find("test-toy") == &toy_type);
    CHECK(device_type_find("no-such-device") == NULL);
}

int main(void)
{
    test_props();
    test_machine_list();
    test_registry();
    return check_summary("device");
}
