/*
 * log.h - diagnostics. Guest misbehaviour is logged, rate-limited, and never
 * fatal; configuration errors at start-up are fatal with a message.
 */
#ifndef EMU_LOG_H
#define EMU_LOG_H

#include <stdarg.h>
#include <stdint.h>

enum log_mask {
    LOG_GUEST_ERROR = 1u << 0, /* a guest did something invalid (-d guest_errors) */
    LOG_UNIMP = 1u << 1,       /* a guest used a feature we do not model (-d unimp) */
    LOG_INT = 1u << 2,         /* traps and interrupts (-d int) */
    LOG_EXEC = 1u << 3,        /* per-block execution trace (-d exec) */
    LOG_MMU = 1u << 4,         /* page walks (-d mmu) */
};

/* Enabled categories; set from -d. Guest errors are on by default but rate-limited. */
extern uint32_t log_enabled;

/*
 * Parse a QEMU-style -d list ("guest_errors,unimp"). Returns 0 or -EINVAL
 * (and names the bad item on the diagnostic stream).
 */
int log_parse_mask(const char *list);

/* Unconditional message to the diagnostic stream, "baremu: " prefixed. */
void error_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print a configuration error and exit(1). Only before the machine runs. */
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Log in a category if enabled. Categories LOG_GUEST_ERROR and LOG_UNIMP are
 * rate-limited (a burst, then one line in a while saying how many were
 * dropped), so a guest hammering a bad address cannot flood the console.
 */
void log_mask(uint32_t mask, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_guest_error(...) log_mask(LOG_GUEST_ERROR, __VA_ARGS__)
#define log_unimp(...) log_mask(LOG_UNIMP, __VA_ARGS__)
#define log_enabled_for(m) ((log_enabled & (m)) != 0)

#endif
