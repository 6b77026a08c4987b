/*
 * test-secret.c - -object secret (values, formats, errors that never show
 * the value) and QMP sessions with a secret: silence before
 * authentication, one error then hang-up for anything else, the greeting
 * after the right secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu-core/chardev.h"
#include "emu-core/config.h"
#include "net/qmp-server.h"
#include "tests/unit/check.h"

/* ---- -object secret ---- */

static int obj(const char *arg, char *err, size_t errlen)
{
    err[0] = 0;
    return config_object_add(arg, err, errlen);
}

static void test_secrets(void)
{
    char err[300], path[] = "/tmp/baremu-secret-XXXXXX";

    config_secrets_clear();
    CHECK_EQ(obj("secret,id=a,data=s3cr3t", err, sizeof(err)), 0);
    CHECK(config_secret_lookup("a") && !strcmp(config_secret_lookup("a"), "s3cr3t"));
    CHECK(config_secret_lookup("b") == NULL);
    /* "aGVsbG8gd29ybGQ=" is base64 for "hello world"; ",," is a literal comma. */
    CHECK_EQ(obj("secret,id=b,data=aGVsbG8gd29ybGQ=,format=base64", err, sizeof(err)), 0);
    CHECK(!strcmp(config_secret_lookup("b"), "hello world"));
    CHECK_EQ(obj("secret,id=c,data=x,,y,format=raw", err, sizeof(err)), 0);
    CHECK(!strcmp(config_secret_lookup("c"), "x,y"));
    /* file=: read whole, newline kept (as QEMU). */
    int fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, "from-file\n", 10) == 10);
    close(fd);
    char arg[200];
    snprintf(arg, sizeof(arg), "secret,id=d,file=%s", path);
    CHECK_EQ(obj(arg, err, sizeof(err)), 0);
    CHECK(!strcmp(config_secret_lookup("d"), "from-file\n"));
    unlink(path);

    /* Errors: QEMU's wording, and never the value. */
    struct {
        const char *arg, *want;
    } bad[] = {
        {"secret,id=a,data=TOPSECRET", "Duplicate ID 'a' for object"},
        {"secret,id=e,data=TOPSECRET,bogus=1", "Invalid parameter 'bogus'"},
        {"secret,id=e,data=TOPSECRET,format=hex", "'format' does not accept value 'hex'"},
        {"secret,id=e,data=TOPSECRET@,format=base64", "Base64 data contains invalid"},
        {"secret,id=e,data=TOPSECRET,file=/x", "'file' and 'data' are mutually exclusive"},
        {"secret,id=e", "Either 'file' or 'data' must be provided"},
        {"secret,data=TOPSECRET", "Parameter 'id' is missing"},
        {"secret,id=9e,data=TOPSECRET", "expects an identifier"},
        {"secret,id=e,data=TOPSECRET,keyid=k", "encrypted secrets"},
        {"secret,id=e,data=", "the secret is empty"},
        {"secret,id=e,data=AA==,format=base64", "NUL"},
        {"frob,id=e,data=TOPSECRET", "Parameter 'qom-type' does not accept value 'frob'"},
        {"iothread,id=e", "not supported by baremu"},
        {"secret,id=e,=TOPSECRET", "malformed"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int r = obj(bad[i].arg, err, sizeof(err));
        CHECK(r < 0);
        if (!strstr(err, bad[i].want) || strstr(err, "TOPSECRET"))
            fprintf(stderr, "-object %s: got '%s'\n", bad[i].arg, err);
        CHECK(strstr(err, bad[i].want) != NULL);
        CHECK(strstr(err, "TOPSECRET") == NULL);
    }
    CHECK(config_secret_lookup("e") == NULL);

    /* config_parse takes -object in order and starts afresh each time. */
    struct emu_config cfg;
    int info;
    char *argv[] = {"baremu", "-object", "secret,id=q,data=v1", NULL};
    CHECK_EQ(config_parse(&cfg, 3, argv, err, sizeof(err), &info), 0);
    CHECK(!strcmp(config_secret_lookup("q"), "v1"));
    CHECK(config_secret_lookup("a") == NULL);
    char *argv2[] = {"baremu", "-object", "secret,id=q,data=TOPSECRET,format=x", NULL};
    CHECK(config_parse(&cfg, 3, argv2, err, sizeof(err), &info) < 0);
    CHECK(strstr(err, "-object secret,id=q") && !strstr(err, "TOPSECRET"));
    config_secrets_clear();
}

/* ---- QMP sessions with a secret ---- */

static char out[8192];
static size_t out_len;
static int hangups, auth_failures;

static int be_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
    (void)chr;
    if (out_len + len < sizeof(out)) {
        memcpy(out + out_len, buf, len);
        out_len += len;
        out[out_len] = 0;
    }
    return (int)len;
}

static const struct chardev_ops be_ops = {.write = be_write};

static void hangup(struct chardev *chr, bool auth_failed)
{
    (void)chr;
    hangups++;
    auth_failures += auth_failed;
}

static void send_str(struct chardev *c, const char *s)
{
    chardev_input(c, (const uint8_t *)s, strlen(s));
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* A fresh connection: a new chardev with a per-connection session on it. */
static void conn_open(struct chardev *c, const char *secret)
{
    memset(c, 0, sizeof(*c));
    chardev_register(c, NULL, &be_ops, NULL);
    out_len = 0;
    out[0] = 0;
    hangups = auth_failures = 0;
    CHECK_EQ(
        qmp_session_attach_secret(c, QMP_SESSION_GREET_NOW | QMP_SESSION_PER_CONNECTION, secret),
        0);
}

static void conn_close(struct chardev *c)
{
    chardev_send_event(c, CHR_EVENT_CLOSED);
    chardev_unregister(c);
}

static void test_auth(void)
{
    struct chardev c;
    const char *good = "{\"execute\": \"baremu-authenticate\", \"arguments\": "
                       "{\"secret\": \"open sesame\"}}\n";

    qmp_hangup_hook = hangup;

    /* Nothing at all before the client speaks, not even the greeting. */
    conn_open(&c, "open sesame");
    CHECK_EQ(out_len, 0);
    /* The right secret: the greeting, then QMP as usual. */
    send_str(&c, good);
    CHECK(strstr(out, "{\"QMP\": {\"version\"") == out);
    CHECK_EQ(hangups, 0);
    send_str(&c, "{\"execute\": \"qmp_capabilities\"}\n{\"execute\": \"query-version\"}\n");
    CHECK(strstr(out, "{\"return\": {}}") != NULL);
    CHECK(strstr(out, "\"package\": \"baremu-") != NULL);
    conn_close(&c);

    /* Wrong secret, another command, bad JSON, a prefix of the secret, a longer one,
     * the wrong type: exactly one error line, then the hang-up and silence. */
    const char *bad[] = {
        "{\"execute\": \"baremu-authenticate\", \"arguments\": {\"secret\": \"open sesamE\"}}\n",
        "{\"execute\": \"baremu-authenticate\", \"arguments\": {\"secret\": \"open\"}}\n",
        "{\"execute\": \"baremu-authenticate\", \"arguments\": {\"secret\": \"open sesame!\"}}\n",
        "{\"execute\": \"baremu-authenticate\", \"arguments\": {\"secret\": 1}}\n",
        "{\"execute\": \"baremu-authenticate\", \"arguments\": \"open sesame\"}\n",
        "{\"execute\": \"baremu-authenticate\"}\n",
        "{\"execute\": \"qmp_capabilities\"}\n",
        "{\"execute\": \"quit\"}\n",
        "[1, 2]\n",
        "\"open sesame\"\n",
        "}}}\n",
        "{\"execute\": 'x'\n}\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        conn_open(&c, "open sesame");
        send_str(&c, bad[i]);
        /* Whatever follows, the good secret included, is ignored. */
        send_str(&c, good);
        send_str(&c, "{\"execute\": \"qmp_capabilities\"}\n");
        if (count_lines(out) != 1)
            fprintf(stderr, "after %s got: %s\n", bad[i], out);
        CHECK_EQ(count_lines(out), 1);
        CHECK(strstr(out, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Authentic") ==
              out);
        CHECK(strstr(out, "open sesame") == NULL);
        CHECK_EQ(hangups, 1);
        CHECK_EQ(auth_failures, 1);
        conn_close(&c);
    }

    /* A first message longer than the pre-authentication limit is refused early. */
    conn_open(&c, "open sesame");
    char *big = malloc(QMP_AUTH_MAX_MESSAGE * 2);
    memset(big, ' ', QMP_AUTH_MAX_MESSAGE * 2);
    memcpy(big, "{\"execute\": \"baremu-authenticate\", \"arguments\": {\"secret\": \"", 60);
    for (size_t off = 0; off < QMP_AUTH_MAX_MESSAGE * 2; off += 1024)
        chardev_input(&c, (const uint8_t *)big + off, 1024);
    free(big);
    CHECK_EQ(count_lines(out), 1);
    CHECK_EQ(hangups, 1);
    conn_close(&c);

    /* Without a secret: today's behaviour, greeting at once. */
    conn_open(&c, NULL);
    CHECK(strstr(out, "{\"QMP\"") == out);
    send_str(&c, good);
    CHECK(strstr(out, "CommandNotFound") != NULL);
    CHECK_EQ(hangups, 0);
    conn_close(&c);
    qmp_hangup_hook = NULL;
}

int main(void)
{
    test_secrets();
    test_auth();
    return check_summary("secret");
}
