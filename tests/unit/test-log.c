/*
 * test-log.c - -d parsing, message format and rate limiting. The
 * diagnostic stream is stderr on the hosted platform; it is captured in a
 * temporary file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emu-core/log.h"
#include "emu-core/platform.h"
#include "tests/unit/check.h"

static FILE *cap;
static int saved_fd;

static void capture_start(void)
{
    fflush(stderr);
    cap = tmpfile();
    saved_fd = dup(2);
    dup2(fileno(cap), 2);
}

/* Stop capturing; returns what was written (malloc'd). */
static char *capture_end(void)
{
    fflush(stderr);
    dup2(saved_fd, 2);
    close(saved_fd);
    long n = ftell(cap);
    if (n < 0)
        n = 0;
    char *s = calloc(1, (size_t)n + 1);
    rewind(cap);
    if (fread(s, 1, (size_t)n, cap) != (size_t)n)
        s[0] = '\0';
    fclose(cap);
    return s;
}

static int count_lines(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

int main(void)
{
    CHECK_EQ(log_enabled, LOG_GUEST_ERROR);

    capture_start();
    int r_bad = log_parse_mask("unimp,bogus");
    int r_help = log_parse_mask("help");
    char *out = capture_end();
    CHECK_EQ(r_bad, -EINVAL);
    CHECK_EQ(r_help, 0);
    CHECK_EQ(log_enabled, LOG_GUEST_ERROR); /* a bad list changes nothing */
    CHECK(strstr(out, "bogus") != NULL);
    CHECK(strstr(out, "guest_errors") && strstr(out, "mmu") && strstr(out, "exec"));
    free(out);
    CHECK_EQ(log_parse_mask("int,unimp"), 0);
    CHECK_EQ(log_enabled, LOG_GUEST_ERROR | LOG_INT | LOG_UNIMP);

    capture_start();
    error_report("bad %s %d", "thing", 5);
    warn_report("careful\n");
    log_mask(LOG_EXEC, "not enabled");
    for (int i = 0; i < 30; i++)
        log_mask(LOG_INT, "irq %d", i); /* not rate-limited */
    out = capture_end();
    CHECK(strstr(out, "baremu: bad thing 5\nbaremu: warning: careful\n") == out);
    CHECK(!strstr(out, "not enabled"));
    CHECK_EQ(count_lines(out, "irq "), 30);
    free(out);

    /* A flood is cut to the burst (plus one a second, if this host is slow). */
    capture_start();
    uint64_t t0 = plat_clock_ns();
    for (int i = 0; i < 1000; i++)
        log_guest_error("flood %d", i);
    uint64_t secs = (plat_clock_ns() - t0) / 1000000000ull;
    struct timespec ts = {1, 100000000};
    nanosleep(&ts, NULL);
    log_guest_error("after the pause");
    out = capture_end();
    int n = count_lines(out, "flood ");
    CHECK(n >= 20 && (uint64_t)n <= 20 + secs + 1);
    CHECK(strstr(out, "similar messages suppressed") != NULL);
    CHECK(strstr(out, "after the pause") != NULL);
    free(out);

    return check_summary("log");
}
