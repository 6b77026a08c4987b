/*
 * device.c - device instances, their properties and life cycle, and the
 * -device type registry.
 */
#include "emu-core/device.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/chardev.h"
#include "emu-core/log.h"
#include "emu-core/machine.h"

static const struct device_prop *prop_find(const struct device *dev, const char *name)
{
    for (const struct device_prop *p = dev->type->props; p && p->type != PROP_END; p++)
        if (!strcmp(p->name, name))
            return p;
    return NULL;
}

static void *prop_ptr(struct device *dev, const struct device_prop *p)
{
    return (uint8_t *)dev + p->offset;
}

static void prop_free_strings(struct device *dev)
{
    for (const struct device_prop *p = dev->type->props; p && p->type != PROP_END; p++) {
        if (p->type == PROP_STR) {
            char **s = prop_ptr(dev, p);
            free(*s);
            *s = NULL;
        }
    }
}

struct device *device_new(struct machine *m, const struct device_type *type, const char *id)
{
    if (type->state_size < sizeof(struct device))
        return NULL; /* the type is broken; callers see it like allocation failure */
    struct device *dev = calloc(1, type->state_size);
    if (!dev)
        return NULL;
    dev->type = type;
    dev->machine = m;
    if (id && !(dev->id = strdup(id)))
        goto fail;
    for (const struct device_prop *p = type->props; p && p->type != PROP_END; p++) {
        void *ptr = prop_ptr(dev, p);
        switch (p->type) {
        case PROP_BOOL:
            *(bool *)ptr = p->defval != 0;
            break;
        case PROP_U32:
            *(uint32_t *)ptr = (uint32_t)p->defval;
            break;
        case PROP_U64:
            *(uint64_t *)ptr = p->defval;
            break;
        case PROP_STR:
            if (p->defstr && !(*(char **)ptr = strdup(p->defstr)))
                goto fail;
            break;
        case PROP_CHARDEV:
        case PROP_LINK:
        case PROP_END:
            break; /* NULL from calloc */
        }
    }
    if (m) {
        struct device **pp = &m->devices;
        while (*pp)
            pp = &(*pp)->next;
        *pp = dev;
    }
    return dev;

fail:
    prop_free_strings(dev);
    free(dev->id);
    free(dev);
    return NULL;
}

static int parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"on", "yes", "true"}, *const no[] = {"off", "no", "false"};
    for (int i = 0; i < 3; i++) {
        if (!strcmp(s, yes[i])) {
            *out = true;
            return 0;
        }
        if (!strcmp(s, no[i])) {
            *out = false;
            return 0;
        }
    }
    return -EINVAL;
}

/*
 * A number (decimal, 0x hex or 0 octal as strtoull takes it), optionally with
 * a binary size suffix. Kept here rather than using config's parse_size so
 * the device core depends on nothing but libc.
 */
static int parse_number(const char *s, bool suffixes, uint64_t *out)
{
    if (!*s || *s < '0' || *s > '9')
        return -EINVAL; /* strtoull would accept spaces, signs and "-1" */
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno)
        return -EINVAL;
    if (*end && suffixes) {
        static const char units[] = "KMGTPE";
        const char *u = strchr(units, *end >= 'a' ? *end - 'a' + 'A' : *end);
        if (!u)
            return -EINVAL;
        unsigned shift = 10 * (unsigned)(u - units + 1);
        if (v > (UINT64_MAX >> shift))
            return -EINVAL;
        v <<= shift;
        end++;
        if (*end == 'B' || *end == 'b' || *end == 'i') /* "4KiB", "4KB" */
            end += (*end == 'i' && (end[1] == 'B' || end[1] == 'b')) ? 2 : 1;
    }
    if (*end)
        return -EINVAL;
    *out = v;
    return 0;
}

static int prop_set_str(struct device *dev, const struct device_prop *p, const char *s)
{
    char *copy = NULL;
    if (s && !(copy = strdup(s)))
        return -ENOMEM;
    char **dst = prop_ptr(dev, p);
    free(*dst);
    *dst = copy;
    return 0;
}

int device_prop_parse(struct device *dev, const char *name, const char *value)
{
    const struct device_prop *p = prop_find(dev, name);
    if (!p)
        return -ENOENT;
    if (dev->realized)
        return -EBUSY;
    void *ptr = prop_ptr(dev, p);
    uint64_t v;
    if (!value) {
        /* "-device x,flag" names a bool without a value, meaning on, as in QEMU. */
        if (p->type != PROP_BOOL)
            return -EINVAL;
        *(bool *)ptr = true;
        return 0;
    }
    switch (p->type) {
    case PROP_BOOL: {
        bool b;
        if (parse_bool(value, &b) < 0)
            return -EINVAL;
        *(bool *)ptr = b;
        return 0;
    }
    case PROP_U32:
        if (parse_number(value, false, &v) < 0 || v > UINT32_MAX)
            return -EINVAL;
        *(uint32_t *)ptr = (uint32_t)v;
        return 0;
    case PROP_U64:
        if (parse_number(value, true, &v) < 0)
            return -EINVAL;
        *(uint64_t *)ptr = v;
        return 0;
    case PROP_STR:
        return prop_set_str(dev, p, value);
    case PROP_CHARDEV: {
        struct chardev *chr = chardev_find(value);
        if (!chr)
            return -EINVAL;
        *(struct chardev **)ptr = chr;
        return 0;
    }
    case PROP_LINK:
    case PROP_END:
        break;
    }
    return -EINVAL; /* links are wired by boards, not typed by users */
}

int device_prop_set_u64(struct device *dev, const char *name, uint64_t v)
{
    const struct device_prop *p = prop_find(dev, name);
    if (!p)
        return -ENOENT;
    if (dev->realized)
        return -EBUSY;
    void *ptr = prop_ptr(dev, p);
    switch (p->type) {
    case PROP_BOOL:
        if (v > 1)
            return -EINVAL;
        *(bool *)ptr = v;
        return 0;
    case PROP_U32:
        if (v > UINT32_MAX)
            return -EINVAL;
        *(uint32_t *)ptr = (uint32_t)v;
        return 0;
    case PROP_U64:
        *(uint64_t *)ptr = v;
        return 0;
    default:
        return -EINVAL;
    }
}

int device_prop_set_link(struct device *dev, const char *name, void *link)
{
    const struct device_prop *p = prop_find(dev, name);
    if (!p)
        return -ENOENT;
    if (dev->realized)
        return -EBUSY;
    if (p->type != PROP_LINK && p->type != PROP_CHARDEV)
        return -EINVAL;
    *(void **)prop_ptr(dev, p) = link;
    return 0;
}

int device_prop_set_str(struct device *dev, const char *name, const char *s)
{
    const struct device_prop *p = prop_find(dev, name);
    if (!p)
        return -ENOENT;
    if (dev->realized)
        return -EBUSY;
    if (p->type != PROP_STR)
        return -EINVAL;
    return prop_set_str(dev, p, s);
}

int device_realize(struct device *dev)
{
    if (dev->realized)
        return -EBUSY;
    if (dev->type->realize) {
        int ret = dev->type->realize(dev);
        if (ret < 0)
            return ret;
    }
    dev->realized = true;
    return 0;
}

void device_reset(struct device *dev)
{
    if (dev->type->reset)
        dev->type->reset(dev);
}

void device_destroy(struct device *dev)
{
    if (!dev)
        return;
    if (dev->realized && dev->type->unrealize)
        dev->type->unrealize(dev);
    dev->realized = false;
    if (dev->machine) {
        for (struct device **pp = &dev->machine->devices; *pp; pp = &(*pp)->next) {
            if (*pp == dev) {
                *pp = dev->next;
                break;
            }
        }
    }
    prop_free_strings(dev);
    free(dev->id);
    free(dev);
}

/* Weak, so a program without any registered type still links (the section is absent). */
extern const struct device_type *const __start_baremu_device_types[] __attribute__((weak));
extern const struct device_type *const __stop_baremu_device_types[] __attribute__((weak));

const struct device_type *device_type_find(const char *name)
{
    for (const struct device_type *const *t = __start_baremu_device_types;
         t && t < __stop_baremu_device_types; t++)
        if (*t && !strcmp((*t)->name, name))
            return *t;
    return NULL;
}

void device_type_list(void)
{
    printf("Available devices:\n");
    for (const struct device_type *const *t = __start_baremu_device_types;
         t && t < __stop_baremu_device_types; t++)
        if (*t && (*t)->user_creatable)
            printf("%-20s %s\n", (*t)->name, (*t)->desc ? (*t)->desc : "");
}
