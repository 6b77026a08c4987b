/*
 * net.h - guest networks: -netdev back ends (hosted: "user", QEMU's slirp
 * network) and the NIC models that use them (virtio-net).
 *
 * A back end is created from its -netdev option string and registered under
 * its id; one NIC claims it (netdev=ID) and becomes its front end. Frames are
 * whole Ethernet frames without FCS. Back end to NIC: net_receive() delivers
 * at once when the NIC has a buffer, else queues up to NET_QUEUE_MAX frames
 * (more are dropped, as a real link does: the guest's TCP retransmits) until
 * the NIC calls net_flush_queue(). Everything runs on the main loop's thread.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_config;
struct opts;

#define NET_FRAME_MAX 65536 /* largest frame carried (no TSO offered: 1514 in practice) */
#define NET_QUEUE_MAX 256   /* frames held for a NIC without receive buffers */

struct net_frontend {
    /* Whether the NIC can take one frame now. */
    bool (*can_receive)(void *opaque);
    /* Take one frame (called only after can_receive said yes). */
    void (*receive)(void *opaque, const uint8_t *frame, size_t len);
    void *opaque;
    /* For "info network": the NIC's device name and model, and its MAC (live). */
    const char *name, *model;
    const uint8_t *mac;
};

struct net_backend;

struct net_backend_ops {
    /* A frame from the guest. 0, or -errno (the frame is dropped). */
    int (*send)(struct net_backend *nb, const uint8_t *frame, size_t len);
    void (*close)(struct net_backend *nb);
};

struct net_queued;

struct net_backend {
    char *id;
    const char *type; /* "user" */
    const struct net_backend_ops *ops;
    void *opaque; /* back end's */
    struct net_frontend fe;
    bool has_fe;
    struct net_queued *q_head, *q_tail;
    unsigned q_len;
    uint64_t dropped; /* frames lost because the NIC had no buffers */
    char info[96];    /* the back end's settings for "info network" ("net=10.0.2.0,...") */
    struct net_backend *next;
};

/*
 * A -netdev type. create() makes a back end from id and the parsed options
 * (raw is the whole option string, for options that may repeat such as
 * hostfwd=) and registers it with net_backend_register(). 0 or -errno with
 * the reason in err.
 */
struct net_backend_type {
    const char *name;
    const char *desc;
    int (*create)(const char *id, const struct opts *o, const char *raw, char *err, size_t errlen);
};
#define NET_BACKEND_TYPE_REGISTER(t)                                                               \
    static const struct net_backend_type *const __net_backend_type_ptr_##t                         \
        __attribute__((used, section("baremu_netdev_types"))) = &(t)

/* Register nb (zeroed except what the back end set) under id. 0, -EEXIST, -ENOMEM. */
int net_backend_register(struct net_backend *nb, const char *id, const char *type,
                         const struct net_backend_ops *ops, void *opaque);

/*
 * Create the back ends of every -netdev in cfg. 0, or -errno after
 * error_report() naming the option (unknown type, missing id, duplicate id,
 * the back end's own errors).
 */
int net_create_all(const struct emu_config *cfg);

/*
 * QEMU's -nic shorthand: each "-nic TYPE[,model=M][,mac=A][,romfile=R][,BACKEND-OPTS]"
 * in cfg becomes "-netdev TYPE,id=nicN,BACKEND-OPTS" and
 * "-device M,netdev=nicN[,mac=A][,romfile=R]" (M defaults to default_model); "-nic none"
 * adds nothing. 0 or -errno after error_report().
 */
int net_expand_nics(struct emu_config *cfg, const char *default_model);

/* The back end registered as id, or NULL. */
struct net_backend *net_backend_find(const char *id);
/* Iterate the back ends (NULL starts). */
struct net_backend *net_backend_next(struct net_backend *prev);

/*
 * A NIC takes back end id: NULL after error_report() if there is none or
 * another NIC has it already. fe is copied.
 */
struct net_backend *net_backend_claim(const char *id, const struct net_frontend *fe);

/* NIC to back end. 0 or -errno (-EINVAL for a frame shorter than a header or too long). */
int net_send(struct net_backend *nb, const uint8_t *frame, size_t len);

/* Back end to NIC: deliver or queue (see above). Returns 0, or -ENOBUFS if dropped. */
int net_receive(struct net_backend *nb, const uint8_t *frame, size_t len);

/* The NIC has receive buffers again: deliver what is queued while it can take it. */
void net_flush_queue(struct net_backend *nb);

/*
 * "info network" as QEMU prints it: each NIC with its back end, then back
 * ends no NIC uses. Calls out(opaque, line) per line (no newline).
 */
void net_info(void (*out)(void *opaque, const char *line), void *opaque);

/* Close and free every back end (process exit, tests). */
void net_destroy_all(void);

/* -netdev help: the types on stdout. */
void net_backend_type_list(void);

/*
 * A MAC address "52:54:00:12:34:56" into mac; 0 or -EINVAL (also for a
 * multicast address, which a NIC cannot have).
 */
int net_parse_mac(const char *s, uint8_t mac[6]);
/* QEMU's default for the n-th NIC without mac=: 52:54:00:12:34:56 + n. */
void net_default_mac(unsigned n, uint8_t mac[6]);

#endif
