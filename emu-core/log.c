/*
 * log.c - diagnostics on the platform's diagnostic stream.
 *
 * Guest-triggered categories are rate-limited with a token bucket: a burst of
 * LOG_BURST lines, then one per second, and a note of how many were dropped
 * once lines flow again. A guest stuck in a loop touching a bad address must
 * not drown the console (or slow the emulator to the console's speed).
 */
#include "emu-core/log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "emu-core/platform.h"

#define LOG_BURST 20
#define LOG_REFILL_NS 1000000000ull

uint32_t log_enabled = LOG_GUEST_ERROR;

static const struct {
    const char *name;
    uint32_t mask;
    const char *help;
} log_items[] = {
    {"guest_errors", LOG_GUEST_ERROR, "invalid guest accesses (on by default, rate-limited)"},
    {"unimp", LOG_UNIMP, "guest use of features that are not modelled"},
    {"int", LOG_INT, "traps and interrupts"},
    {"exec", LOG_EXEC, "every translated block executed"},
    {"mmu", LOG_MMU, "page table walks"},
};

#define LOG_NITEMS (sizeof(log_items) / sizeof(log_items[0]))

/* Format into buf, always ending in exactly the newline the caller may have left out. */
static size_t log_format(char *buf, size_t cap, const char *prefix, const char *fmt, va_list ap)
{
    int p = snprintf(buf, cap, "%s", prefix);
    int n = vsnprintf(buf + p, cap - p, fmt, ap);
    size_t len = (size_t)p + (n < 0 ? 0 : (size_t)n);
    if (len > cap - 2)
        len = cap - 2; /* truncated: keep room for the newline */
    if (len == 0 || buf[len - 1] != '\n')
        buf[len++] = '\n';
    buf[len] = '\0';
    return len;
}

static void diag_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag_printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    size_t len = log_format(buf, sizeof(buf), "", fmt, ap);
    va_end(ap);
    plat_diag_write(buf, len);
}

int log_parse_mask(const char *list)
{
    uint32_t mask = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == 4 && !strncmp(p, "help", 4)) {
            diag_printf("Log items (comma separated):");
            for (size_t i = 0; i < LOG_NITEMS; i++)
                diag_printf("%-14s %s", log_items[i].name, log_items[i].help);
        } else if (n) {
            size_t i;
            for (i = 0; i < LOG_NITEMS; i++)
                if (strlen(log_items[i].name) == n && !strncmp(p, log_items[i].name, n))
                    break;
            if (i == LOG_NITEMS) {
                diag_printf("baremu: -d: unknown log item '%.*s' (try -d help)", (int)n, p);
                return -EINVAL;
            }
            mask |= log_items[i].mask;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    /* Additive: guest errors are on by default and -d only adds categories to them. */
    log_enabled |= mask;
    return 0;
}

static void report(const char *prefix, const char *fmt, va_list ap)
{
    char buf[1024];
    size_t len = log_format(buf, sizeof(buf), prefix, fmt, ap);
    plat_diag_write(buf, len);
}

void error_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report("baremu: ", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report("baremu: warning: ", fmt, ap);
    va_end(ap);
}

_Noreturn void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report("baremu: ", fmt, ap);
    va_end(ap);
    plat_exit(1);
}

struct log_bucket {
    bool started;
    unsigned tokens;
    uint64_t last_refill;
    uint64_t suppressed;
};

static struct log_bucket log_buckets[2]; /* GUEST_ERROR, UNIMP */

/* Whether a rate-limited line may go out now; reports what was dropped before it. */
static bool log_rate_ok(struct log_bucket *b)
{
    uint64_t now = plat_clock_ns();
    if (!b->started) {
        b->started = true;
        b->tokens = LOG_BURST;
        b->last_refill = now;
    }
    uint64_t elapsed = now - b->last_refill;
    if (elapsed >= LOG_REFILL_NS) {
        uint64_t add = elapsed / LOG_REFILL_NS;
        b->tokens = add >= LOG_BURST - b->tokens ? LOG_BURST : b->tokens + (unsigned)add;
        b->last_refill += add * LOG_REFILL_NS;
    }
    if (!b->tokens) {
        b->suppressed++;
        return false;
    }
    b->tokens--;
    if (b->suppressed) {
        diag_printf("(%llu similar messages suppressed)", (unsigned long long)b->suppressed);
        b->suppressed = 0;
    }
    return true;
}

void log_mask(uint32_t mask, const char *fmt, ...)
{
    if (!(log_enabled & mask))
        return;
    if (mask & LOG_GUEST_ERROR) {
        if (!log_rate_ok(&log_buckets[0]))
            return;
    } else if (mask & LOG_UNIMP) {
        if (!log_rate_ok(&log_buckets[1]))
            return;
    }
    va_list ap;
    va_start(ap, fmt);
    report("", fmt, ap);
    va_end(ap);
}
