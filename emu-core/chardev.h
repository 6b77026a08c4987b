/*
 * chardev.h - character devices: a back end (stdio, file, socket, the
 * appliance's UART; created by the platform) feeding one front end (a UART
 * model, a monitor, or the console mux which itself fans out to several).
 */
#ifndef EMU_CHARDEV_H
#define EMU_CHARDEV_H

#include <stddef.h>
#include <stdint.h>

enum chardev_event {
    CHR_EVENT_OPENED,
    CHR_EVENT_CLOSED,
    CHR_EVENT_BREAK, /* Ctrl-A b, or a serial break */
    CHR_EVENT_MUX_IN,
    CHR_EVENT_MUX_OUT,
};

struct chardev_frontend {
    /* How many bytes the front end can take now (0: hold input back). */
    int (*can_receive)(void *opaque);
    void (*receive)(void *opaque, const uint8_t *buf, size_t len);
    void (*event)(void *opaque, enum chardev_event ev); /* may be NULL */
    void *opaque;
};

struct chardev;

struct chardev_ops {
    /* Write len bytes; returns bytes taken (may block briefly) or -errno. */
    int (*write)(struct chardev *chr, const uint8_t *buf, size_t len);
    void (*close)(struct chardev *chr);
    /*
     * May be NULL. Called by chardev_accept_input() once the chardev's own
     * buffer has drained, so a back end that holds input back itself (the
     * console mux, a socket) can pass more on.
     */
    void (*accept_input)(struct chardev *chr);
};

#define CHARDEV_INBUF 4096

struct chardev {
    char *id;
    const struct chardev_ops *ops;
    void *opaque; /* back end's */
    struct chardev_frontend fe;
    int has_fe;
    /* Input the front end could not take yet; drained by chardev_accept_input(). */
    uint8_t inbuf[CHARDEV_INBUF];
    size_t in_head, in_len;
    struct chardev *next;
};

/* Back ends: register a chardev under id (NULL: anonymous). */
void chardev_register(struct chardev *chr, const char *id, const struct chardev_ops *ops, void *opaque);
struct chardev *chardev_find(const char *id);
/* Remove from the registry and call ops->close (if any). */
void chardev_unregister(struct chardev *chr);
/* Iterate registered chardevs (query-chardev); NULL starts. */
struct chardev *chardev_next(struct chardev *prev);

/*
 * Back end → front end. Delivers as much as the front end can take now and
 * buffers the rest (up to CHARDEV_INBUF; beyond that input is dropped and
 * the count returned is short). Returns bytes accepted into the chardev.
 */
size_t chardev_input(struct chardev *chr, const uint8_t *buf, size_t len);

/* Front end → back end. Returns len, or -errno (-EAGAIN if the back end takes nothing). */
int chardev_write(struct chardev *chr, const void *buf, size_t len);

/* Attach (fe != NULL; input buffered so far is delivered) or detach a front end. */
void chardev_set_frontend(struct chardev *chr, const struct chardev_frontend *fe);

/* A front end that refused input has room again: deliver what is buffered. */
void chardev_accept_input(struct chardev *chr);

void chardev_send_event(struct chardev *chr, enum chardev_event ev);

#endif
