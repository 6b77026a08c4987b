/*
 * test-monitor.c - QMP framing, negotiation, dispatch and argument checks
 * with QEMU's error classes and wording, HMP parsing and the line editor,
 * without a machine (commands that need one say so).
 */
#include <stdlib.h>
#include <string.h>

#include "console/console.h"
#include "emu-core/chardev.h"
#include "emu-core/monitor.h"
#include "net/qmp-server.h"
#include "tests/unit/check.h"

/* ---- splitter ---- */

static char msgs[16][256];
static int nmsgs;

static void collect(void *opaque, const char *msg, size_t len, const char *error)
{
    (void)opaque;
    if (nmsgs >= 16)
        return;
    if (error)
        snprintf(msgs[nmsgs++], sizeof(msgs[0]), "ERR:%s", error);
    else
        snprintf(msgs[nmsgs++], sizeof(msgs[0]), "%.*s", (int)len, msg);
}

static void feed(struct qmp_splitter *s, const char *str)
{
    qmp_splitter_feed(s, str, strlen(str), collect, NULL);
}

static void test_splitter(void)
{
    struct qmp_splitter s = {0};

    nmsgs = 0;
    /* A message in pieces, braces inside strings, two messages in one read. */
    feed(&s, "{\"execute\": \"a}{\"");
    CHECK_EQ(nmsgs, 0);
    feed(&s, ", \"x\": 'q\\'}'}{\"b\":[1]}  \r\n");
    CHECK_EQ(nmsgs, 2);
    CHECK(!strcmp(msgs[0], "{\"execute\": \"a}{\", \"x\": 'q\\'}'}"));
    CHECK(!strcmp(msgs[1], "{\"b\":[1]}"));
    /* Top-level scalars end at whitespace; a stray closer is an error. */
    nmsgs = 0;
    feed(&s, "123 foo\n} [");
    CHECK_EQ(nmsgs, 3);
    CHECK(!strcmp(msgs[0], "123"));
    CHECK(!strcmp(msgs[1], "foo"));
    CHECK(!strcmp(msgs[2], "ERR:JSON parse error, expecting value"));
    feed(&s, "]");
    CHECK_EQ(nmsgs, 4);
    CHECK(!strcmp(msgs[3], "[]"));
    qmp_splitter_reset(&s);

    /* Too large: one error, the rest of that message skipped, the next one fine. */
    nmsgs = 0;
    feed(&s, "{\"a\": \"");
    char *big = malloc(QMP_MAX_MESSAGE + 10);
    memset(big, 'x', QMP_MAX_MESSAGE + 9);
    big[QMP_MAX_MESSAGE + 9] = 0;
    feed(&s, big);
    free(big);
    feed(&s, "\"}{\"ok\":1}");
    CHECK_EQ(nmsgs, 2);
    CHECK(!strcmp(msgs[0], "ERR:JSON parse error, message too large"));
    CHECK(!strcmp(msgs[1], "{\"ok\":1}"));
    qmp_splitter_reset(&s);
}

/* ---- a QMP session on a fake chardev ---- */

static char out[65536];
static size_t outlen;

static int be_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    (void)chr;
    if (outlen + len < sizeof(out)) {
        memcpy(out + outlen, buf, len);
        outlen += len;
        out[outlen] = 0;
    }
    return (int)len;
}

static const struct chardev_ops be_ops = {.write = be_write};

static void send_str(struct chardev *c, const char *s)
{
    outlen = 0;
    out[0] = 0;
    chardev_input(c, (const uint8_t *)s, strlen(s));
}

static bool out_is(const char *want)
{
    bool ok = !strcmp(out, want);

    if (!ok)
        fprintf(stderr, "  want: %s  got:  %s\n", want, out);
    return ok;
}

static void test_qmp(void)
{
    static struct chardev c;

    chardev_register(&c, "qmp-test", &be_ops, NULL);
    outlen = 0;
    CHECK(qmp_session_attach(&c, QMP_SESSION_GREET_NOW) == 0);
    CHECK(out_is("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 1, \"major\": 0}, "
                 "\"package\": \"baremu-0.1.0\"}, \"capabilities\": []}}\r\n"));
    send_str(&c, "{\"execute\": \"query-version\"}");
    CHECK(out_is("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Expecting capabilities "
                 "negotiation with 'qmp_capabilities'\"}}\r\n"));
    send_str(&c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}");
    CHECK(out_is("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Capability 'oob' not "
                 "available\"}}\r\n"));
    send_str(&c, "{\"execute\": \"qmp_capabilities\", \"id\": 7}");
    CHECK(out_is("{\"return\": {}, \"id\": 7}\r\n"));
    send_str(&c, "{\"execute\": \"qmp_capabilities\"}");
    CHECK(out_is("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Capabilities "
                 "negotiation is already complete, command ignored\"}}\r\n"));
    send_str(&c, "{\"execute\": \"nope\", \"id\": \"x\"}");
    /* QEMU's QDict order: "id" before "error" (and after "return"). */
    CHECK(out_is(
        "{\"id\": \"x\", \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command "
        "nope has not been found\"}}\r\n"));
    send_str(&c, "{\"execute\": \"query-version\"}");
    CHECK(out_is("{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 1, \"major\": 0}, "
                 "\"package\": \"baremu-0.1.0\"}}\r\n"));
    send_str(&c, "[1]");
    CHECK(out_is("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input must be a JSON "
                 "object\"}}\r\n"));
    send_str(&c, "{\"arguments\": {}}");
    CHECK(out_is("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input lacks member "
                 "'execute'\"}}\r\n"));
    send_str(&c, "{\"execute\": 1}");
    CHECK(out_is("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member "
                 "'execute' must be a string\"}}\r\n"));
    send_str(&c, "{\"execute\": \"stop\", \"arguments\": []}");
    CHECK(out_is("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member "
                 "'arguments' must be an object\"}}\r\n"));
    send_str(&c, "{\"execute\": \"stop\", \"arguments\": {\"a\": 1}}");
    CHECK(out_is("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'a' is "
                 "unexpected\"}}\r\n"));
    send_str(&c, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": 1}}");
    CHECK(out_is("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type "
                 "for 'command-line', expected: string\"}}\r\n"));
    send_str(&c, "{\"execute\": \"dump-guest-memory\", \"arguments\": {\"paging\": false}}");
    CHECK(out_is("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'protocol' is "
                 "missing\"}}\r\n"));
    send_str(&c, "{\"execute\": \"query-status\"}");
    CHECK(out_is("{\"error\": {\"class\": \"GenericError\", \"desc\": \"no machine is "
                 "running\"}}\r\n"));
    send_str(&c, "{\"execute\": ");
    CHECK(out_is(""));
    send_str(&c, "}");
    CHECK(out_is("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, "
                 "expecting value\"}}\r\n"));
    /* HMP through QMP: help lists the commands; unknown ones are named. */
    send_str(&c, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": "
                 "\"help\"}}");
    CHECK(strstr(out, "info [subcommand] -- show various") != NULL);
    CHECK(strstr(out, "xp /fmt addr") != NULL);
    send_str(&c, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": "
                 "\"frob x\"}}");
    CHECK(out_is("{\"return\": \"unknown command: 'frob'\\r\\n\"}\r\n"));
    send_str(&c, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": "
                 "\"info version\"}}");
    CHECK(out_is("{\"return\": \"0.1.0 (baremu-0.1.0)\\r\\n\"}\r\n"));
    /* Events reach a negotiated session, with a timestamp. */
    outlen = 0;
    monitor_event("POWERDOWN", NULL);
    CHECK(strstr(out, "{\"timestamp\": {\"seconds\": ") == out);
    CHECK(strstr(out, "}, \"event\": \"POWERDOWN\"}\r\n") != NULL);
    /* A closed and reopened stream starts over: greeting, negotiation. */
    chardev_send_event(&c, CHR_EVENT_CLOSED);
    outlen = 0;
    chardev_send_event(&c, CHR_EVENT_OPENED);
    CHECK(strstr(out, "{\"QMP\": ") == out);
    send_str(&c, "{\"execute\": \"query-version\"}");
    CHECK(strstr(out, "Expecting capabilities negotiation") != NULL);
}

/* ---- HMP line editor ---- */

static void test_hmp_readline(void)
{
    static struct chardev c;

    chardev_register(&c, "hmp-test", &be_ops, NULL);
    outlen = 0;
    CHECK(hmp_console_attach(&c, HMP_CONSOLE_GREET_NOW) == 0);
    CHECK(strstr(out, "(qemu) ") != NULL);
    /* Type "info versoin", fix it with Left, Backspace, Delete and insert, then Enter. */
    send_str(&c, "info versoin\033[D\033[D\x7f\033[3~io\r");
    CHECK(strstr(out, "0.1.0 (baremu-0.1.0)\r\n(qemu) ") != NULL);
    /* Up recalls it; Ctrl-U clears; history survives. */
    send_str(&c, "\033[A");
    CHECK(strstr(out, "info version") != NULL);
    send_str(&c, "\x15help quit\r");
    CHECK(strstr(out, "quit|q  -- quit the emulator") != NULL);
    send_str(&c, "\033[A\033[A\r");
    CHECK(strstr(out, "0.1.0 (baremu-0.1.0)") != NULL);
}

int main(void)
{
    test_splitter();
    test_qmp();
    test_hmp_readline();
    return check_summary("monitor");
}
