/*
 * device.h - device life cycle: a const type descriptor, an instance whose
 * state begins with struct device, typed properties set before realize.
 */
#ifndef EMU_DEVICE_H
#define EMU_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct device;
struct vmstate_desc;
struct chardev;

enum device_prop_type {
    PROP_END = 0,
    PROP_BOOL,
    PROP_U32,
    PROP_U64, /* accepts size suffixes k/M/G/T as QEMU does */
    PROP_STR, /* char *, owned by the device */
    PROP_CHARDEV, /* struct chardev *, by chardev id */
    PROP_LINK, /* void *, set only from C by the board */
};

struct device_prop {
    const char *name;
    enum device_prop_type type;
    size_t offset; /* in the device's state struct */
    uint64_t defval; /* PROP_BOOL/U32/U64 */
    const char *defstr; /* PROP_STR */
};

struct device_type {
    const char *name;
    const char *desc;
    size_t state_size; /* includes the leading struct device */
    const struct device_prop *props; /* ends with PROP_END; may be NULL */
    /* Set up after properties. Returns 0 or -errno after error_report(). */
    int (*realize)(struct device *dev);
    void (*reset)(struct device *dev);
    void (*unrealize)(struct device *dev);
    const struct vmstate_desc *vmsd;
    bool user_creatable; /* may be named with -device */
};

struct device {
    const struct device_type *type;
    char *id;
    struct machine *machine;
    bool realized;
    struct device *next; /* machine's list, in creation order */
};

/*
 * Allocate a zeroed instance of type, apply property defaults and add it to
 * m's device list (m may be NULL in unit tests). Returns NULL on ENOMEM.
 */
struct device *device_new(struct machine *m, const struct device_type *type, const char *id);

/*
 * Set a property from text (the -device/-global syntax). Returns 0,
 * -ENOENT (no such property), -EINVAL (bad value) or -EBUSY (realized).
 */
int device_prop_parse(struct device *dev, const char *name, const char *value);
int device_prop_set_u64(struct device *dev, const char *name, uint64_t v);
int device_prop_set_link(struct device *dev, const char *name, void *p);
int device_prop_set_str(struct device *dev, const char *name, const char *s);

int device_realize(struct device *dev);
void device_reset(struct device *dev);
/* Unrealize (if realized), unlink and free. */
void device_destroy(struct device *dev);

/* -device registry: types placed with DEVICE_TYPE_REGISTER(). */
const struct device_type *device_type_find(const char *name);
/* -device help: the user-creatable types with their descriptions, on stdout. */
void device_type_list(void);
#define DEVICE_TYPE_REGISTER(t)                                                                    \
    static const struct device_type *const __device_type_ptr_##t                                  \
        __attribute__((used, section("baremu_device_types"))) = &(t)

#define DEVICE_STATE(dev, type) ((type *)(dev))

#endif
