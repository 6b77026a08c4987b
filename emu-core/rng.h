/*
 * rng.h - entropy back ends for virtio-rng, QEMU's -object rng-*:
 *   -object rng-builtin,id=ID                  the platform's source (plat_entropy)
 *   -object rng-random,id=ID[,filename=PATH]   a file or device, default /dev/urandom
 * A device without rng= uses the platform's source, as QEMU's virtio-rng
 * does with its implicit rng-builtin. rng-egd (a chardev speaking EGD) is
 * not supported.
 */
#ifndef EMU_RNG_H
#define EMU_RNG_H

#include <stddef.h>

struct opts;
struct rng_backend;

/*
 * Create the back end of type "rng-builtin" or "rng-random" from o (keys
 * qom-type, id, filename). Returns 0, or -EINVAL/-ENOMEM/-errno of the open
 * with a message in err. On the appliance, which has no device files,
 * rng-random of /dev/urandom or /dev/random (the default) is the platform's
 * source too; any other filename is refused.
 */
int rng_backend_add(const char *type, const struct opts *o, char *err, size_t errlen);

/* The back end with this id, or NULL. */
struct rng_backend *rng_backend_find(const char *id);

/*
 * Up to len bytes of entropy from b (NULL: the platform's source). Returns
 * the bytes filled (1..len), 0 if the source has none right now (ask again
 * later), or a negative errno if it failed.
 */
int rng_backend_read(struct rng_backend *b, void *buf, size_t len);

/* Close and forget every back end (config_parse starts with this). */
void rng_backends_clear(void);

#endif
