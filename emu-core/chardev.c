/*
 * chardev.c - the chardev registry and the input buffer between a back end
 * and a front end that cannot always take what arrives (a UART with a full
 * FIFO): input is held here rather than lost, and flows again when the
 * front end calls chardev_accept_input().
 */
#include "emu-core/chardev.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct chardev *chardev_list;

void chardev_register(struct chardev *chr, const char *id, const struct chardev_ops *ops,
                      void *opaque)
{
    struct chardev **pp;

    chr->id = id ? strdup(id) : NULL;
    chr->ops = ops;
    chr->opaque = opaque;
    chr->in_head = chr->in_len = 0;
    chr->next = NULL;
    /* Keep creation order so query-chardev lists them as the user gave them. */
    for (pp = &chardev_list; *pp; pp = &(*pp)->next)
        ;
    *pp = chr;
}

void chardev_unregister(struct chardev *chr)
{
    for (struct chardev **pp = &chardev_list; *pp; pp = &(*pp)->next) {
        if (*pp == chr) {
            *pp = chr->next;
            break;
        }
    }
    chr->next = NULL;
    if (chr->ops && chr->ops->close)
        chr->ops->close(chr);
    free(chr->id);
    chr->id = NULL;
}

struct chardev *chardev_find(const char *id)
{
    for (struct chardev *c = chardev_list; c; c = c->next)
        if (c->id && !strcmp(c->id, id))
            return c;
    return NULL;
}

struct chardev *chardev_next(struct chardev *prev)
{
    return prev ? prev->next : chardev_list;
}

/* Hand buf to the front end in the pieces it accepts; returns how much it took. */
static size_t chardev_deliver(struct chardev *chr, const uint8_t *buf, size_t len)
{
    size_t done = 0;

    while (done < len && chr->has_fe) {
        int room = chr->fe.can_receive ? chr->fe.can_receive(chr->fe.opaque) : (int)(len - done);
        if (room <= 0)
            break;
        size_t n = (size_t)room < len - done ? (size_t)room : len - done;
        chr->fe.receive(chr->fe.opaque, buf + done, n);
        done += n;
    }
    return done;
}

/* Deliver the buffered bytes the front end will take, oldest first. */
static void chardev_drain(struct chardev *chr)
{
    uint8_t tmp[256];

    while (chr->in_len && chr->has_fe) {
        int room = chr->fe.can_receive ? chr->fe.can_receive(chr->fe.opaque) : (int)chr->in_len;
        if (room <= 0)
            return;
        size_t n = chr->in_len;
        if (n > (size_t)room)
            n = room;
        if (n > sizeof(tmp))
            n = sizeof(tmp);
        if (n > CHARDEV_INBUF - chr->in_head)
            n = CHARDEV_INBUF - chr->in_head;
        /*
         * Take the bytes out before calling receive(): a front end may call
         * chardev_accept_input() from inside it, and must then see the rest.
         */
        memcpy(tmp, chr->inbuf + chr->in_head, n);
        chr->in_head = (chr->in_head + n) % CHARDEV_INBUF;
        chr->in_len -= n;
        if (!chr->in_len)
            chr->in_head = 0;
        chr->fe.receive(chr->fe.opaque, tmp, n);
    }
}

size_t chardev_input(struct chardev *chr, const uint8_t *buf, size_t len)
{
    size_t done = 0;

    /* Older bytes first: new input may only bypass an empty buffer. */
    if (chr->in_len)
        chardev_drain(chr);
    if (!chr->in_len)
        done = chardev_deliver(chr, buf, len);
    while (done < len && chr->in_len < CHARDEV_INBUF) {
        size_t tail = (chr->in_head + chr->in_len) % CHARDEV_INBUF;
        size_t n = len - done;
        if (n > CHARDEV_INBUF - chr->in_len)
            n = CHARDEV_INBUF - chr->in_len;
        if (n > CHARDEV_INBUF - tail)
            n = CHARDEV_INBUF - tail;
        memcpy(chr->inbuf + tail, buf + done, n);
        chr->in_len += n;
        done += n;
    }
    return done;
}

int chardev_write(struct chardev *chr, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t done = 0;

    if (!chr->ops || !chr->ops->write)
        return (int)len; /* nowhere to go, like QEMU's null back end */
    while (done < len) {
        int n = chr->ops->write(chr, p + done, len - done);
        if (n < 0)
            return n;
        if (n == 0)
            return -EAGAIN; /* retrying a back end that takes nothing would hang the loop */
        done += n;
    }
    return (int)len;
}

void chardev_set_frontend(struct chardev *chr, const struct chardev_frontend *fe)
{
    if (fe) {
        chr->fe = *fe;
        chr->has_fe = 1;
        chardev_accept_input(chr);
    } else {
        memset(&chr->fe, 0, sizeof(chr->fe));
        chr->has_fe = 0;
    }
}

void chardev_accept_input(struct chardev *chr)
{
    chardev_drain(chr);
    if (!chr->in_len && chr->ops && chr->ops->accept_input)
        chr->ops->accept_input(chr);
}

void chardev_send_event(struct chardev *chr, enum chardev_event ev)
{
    if (chr->has_fe && chr->fe.event)
        chr->fe.event(chr->fe.opaque, ev);
}
