/*
 * hmp-readline.c - HMP on a chardev (the console mux's monitor port,
 * -monitor stdio, -mon on a socket) with a line editor: cursor keys,
 * Home/End, Backspace/Delete, Ctrl-U/K/W, and a history on Up/Down, as
 * QEMU's readline gives on a serial console.
 */
#include "console/console.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/chardev.h"
#include "emu-core/monitor.h"

#define HMP_LINE_MAX 1024
#define HMP_HISTORY 32
#define HMP_PROMPT "(qemu) "

struct hmp_console {
    struct monitor mon;
    struct chardev *chr;
    char line[HMP_LINE_MAX + 1];
    int len, pos;
    char *history[HMP_HISTORY]; /* oldest first */
    int nhist, hist_pos;        /* hist_pos == nhist: editing a new line */
    int esc;                    /* 0, 1 after ESC, 2 after ESC [ or ESC O */
    int esc_num;
    bool last_cr;
    bool greeted;
    bool per_connection;
};

static void hmp_out(struct monitor *mon, const char *buf, size_t len)
{
    struct hmp_console *h = mon->opaque;

    chardev_write(h->chr, buf, len);
}

static void hmp_raw(struct hmp_console *h, const char *s, size_t len)
{
    chardev_write(h->chr, s, len);
}

static void hmp_puts(struct hmp_console *h, const char *s)
{
    hmp_raw(h, s, strlen(s));
}

/* Redraw from the prompt: simple and correct on any VT100-ish terminal. */
static void hmp_redraw(struct hmp_console *h)
{
    char seq[16];

    hmp_puts(h, "\r" HMP_PROMPT);
    hmp_raw(h, h->line, h->len);
    hmp_puts(h, "\033[K");
    if (h->len > h->pos) {
        snprintf(seq, sizeof(seq), "\033[%dD", h->len - h->pos);
        hmp_puts(h, seq);
    }
}

static void hmp_set_line(struct hmp_console *h, const char *s)
{
    size_t n = strlen(s);

    if (n > HMP_LINE_MAX)
        n = HMP_LINE_MAX;
    memcpy(h->line, s, n);
    h->len = h->pos = (int)n;
    hmp_redraw(h);
}

static void hmp_history_add(struct hmp_console *h, const char *s)
{
    if (!*s || (h->nhist && !strcmp(h->history[h->nhist - 1], s)))
        return;
    char *c = strdup(s);
    if (!c)
        return;
    if (h->nhist == HMP_HISTORY) {
        free(h->history[0]);
        memmove(h->history, h->history + 1, (HMP_HISTORY - 1) * sizeof(h->history[0]));
        h->nhist--;
    }
    h->history[h->nhist++] = c;
}

static void hmp_enter(struct hmp_console *h)
{
    h->line[h->len] = 0;
    hmp_puts(h, "\r\n");
    hmp_history_add(h, h->line);
    h->hist_pos = h->nhist;
    char cmd[HMP_LINE_MAX + 1];
    memcpy(cmd, h->line, (size_t)h->len + 1);
    h->len = h->pos = 0;
    hmp_execute(&h->mon, cmd);
    hmp_puts(h, HMP_PROMPT);
}

static void hmp_insert(struct hmp_console *h, char c)
{
    if (h->len >= HMP_LINE_MAX)
        return;
    memmove(h->line + h->pos + 1, h->line + h->pos, (size_t)(h->len - h->pos));
    h->line[h->pos++] = c;
    h->len++;
    if (h->pos == h->len)
        hmp_raw(h, &c, 1); /* typing at the end: just echo */
    else
        hmp_redraw(h);
}

static void hmp_delete_at(struct hmp_console *h, int at, int n)
{
    if (at < 0 || n <= 0 || at + n > h->len)
        return;
    memmove(h->line + at, h->line + at + n, (size_t)(h->len - at - n));
    h->len -= n;
    if (h->pos > at)
        h->pos = h->pos - n < at ? at : h->pos - n;
    hmp_redraw(h);
}

static void hmp_history_move(struct hmp_console *h, int dir)
{
    int p = h->hist_pos + dir;

    if (p < 0 || p > h->nhist)
        return;
    h->hist_pos = p;
    hmp_set_line(h, p == h->nhist ? "" : h->history[p]);
}

static void hmp_escape(struct hmp_console *h, char c)
{
    if (h->esc == 1) {
        h->esc = (c == '[' || c == 'O') ? 2 : 0;
        h->esc_num = 0;
        return;
    }
    if (c >= '0' && c <= '9') {
        h->esc_num = h->esc_num * 10 + (c - '0');
        return;
    }
    h->esc = 0;
    switch (c) {
    case 'A':
        hmp_history_move(h, -1);
        break;
    case 'B':
        hmp_history_move(h, 1);
        break;
    case 'C':
        if (h->pos < h->len) {
            h->pos++;
            hmp_puts(h, "\033[C");
        }
        break;
    case 'D':
        if (h->pos > 0) {
            h->pos--;
            hmp_puts(h, "\033[D");
        }
        break;
    case 'H':
        h->pos = 0;
        hmp_redraw(h);
        break;
    case 'F':
        h->pos = h->len;
        hmp_redraw(h);
        break;
    case '~':
        if (h->esc_num == 3) /* Delete */
            hmp_delete_at(h, h->pos, 1);
        else if (h->esc_num == 1 || h->esc_num == 7)
            h->pos = 0, hmp_redraw(h);
        else if (h->esc_num == 4 || h->esc_num == 8)
            h->pos = h->len, hmp_redraw(h);
        break;
    default:
        break;
    }
}

static void hmp_key(struct hmp_console *h, char c)
{
    if (h->esc) {
        hmp_escape(h, c);
        return;
    }
    bool was_cr = h->last_cr;
    h->last_cr = c == '\r';
    switch (c) {
    case '\r':
        hmp_enter(h);
        break;
    case '\n':
        if (!was_cr) /* CR LF is one Enter */
            hmp_enter(h);
        break;
    case 0x1b:
        h->esc = 1;
        break;
    case 0x7f:
    case 0x08:
        hmp_delete_at(h, h->pos - 1, 1);
        break;
    case 0x01: /* Ctrl-A (reaches us only as Ctrl-A Ctrl-A under the mux) */
        h->pos = 0;
        hmp_redraw(h);
        break;
    case 0x05: /* Ctrl-E */
        h->pos = h->len;
        hmp_redraw(h);
        break;
    case 0x15: /* Ctrl-U */
        hmp_delete_at(h, 0, h->pos);
        break;
    case 0x0b: /* Ctrl-K */
        hmp_delete_at(h, h->pos, h->len - h->pos);
        break;
    case 0x17: { /* Ctrl-W: the word before the cursor */
        int p = h->pos;
        while (p > 0 && h->line[p - 1] == ' ')
            p--;
        while (p > 0 && h->line[p - 1] != ' ')
            p--;
        hmp_delete_at(h, p, h->pos - p);
        break;
    }
    default:
        if ((unsigned char)c >= 0x20)
            hmp_insert(h, c);
        break;
    }
}

static int hmp_can_receive(void *opaque)
{
    (void)opaque;
    return HMP_LINE_MAX;
}

static void hmp_receive(void *opaque, const uint8_t *buf, size_t len)
{
    struct hmp_console *h = opaque;

    for (size_t i = 0; i < len; i++)
        hmp_key(h, (char)buf[i]);
}

static void hmp_greet(struct hmp_console *h)
{
    if (!h->greeted) {
        hmp_puts(h, "\r\n");
        hmp_banner(&h->mon);
        h->greeted = true;
    }
    hmp_redraw(h);
}

static void hmp_event(void *opaque, enum chardev_event ev)
{
    struct hmp_console *h = opaque;

    switch (ev) {
    case CHR_EVENT_OPENED:
        h->greeted = false;
        h->len = h->pos = 0;
        hmp_greet(h);
        break;
    case CHR_EVENT_MUX_IN:
        hmp_greet(h);
        break;
    case CHR_EVENT_CLOSED:
        if (h->per_connection) {
            /* The back end frees the chardev after this returns. */
            chardev_set_frontend(h->chr, NULL);
            monitor_destroy(&h->mon);
            for (int i = 0; i < h->nhist; i++)
                free(h->history[i]);
            free(h);
        }
        break;
    default:
        break;
    }
}

int hmp_console_attach(struct chardev *chr, unsigned flags)
{
    struct hmp_console *h = calloc(1, sizeof(*h));
    struct chardev_frontend fe = {
        .can_receive = hmp_can_receive,
        .receive = hmp_receive,
        .event = hmp_event,
    };

    if (!h)
        return -ENOMEM;
    h->chr = chr;
    h->per_connection = flags & HMP_CONSOLE_PER_CONNECTION;
    monitor_init(&h->mon, MONITOR_HMP, hmp_out, h);
    fe.opaque = h;
    chardev_set_frontend(chr, &fe);
    if (flags & HMP_CONSOLE_GREET_NOW)
        hmp_greet(h);
    return 0;
}

const char *hmp_console_free_id(void)
{
    static char id[32];

    for (int i = 0;; i++) {
        snprintf(id, sizeof(id), "compat_monitor%d", i);
        if (!chardev_find(id))
            return id;
    }
}

int hmp_console_attach_mux(const char *serial_id)
{
    struct chardev *s = chardev_find(serial_id);
    struct console_mux *mux = s ? console_mux_of(s) : NULL;

    if (!mux)
        return 0;
    struct chardev *port = console_mux_add_port(mux, hmp_console_free_id());
    if (!port)
        return -ENOMEM;
    monitor_chardev_describe(port, "mux");
    return hmp_console_attach(port, 0);
}
