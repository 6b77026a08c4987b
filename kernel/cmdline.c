/*
 * cmdline.c - the kernel command line into argv, with the shell's quoting
 * rules kept small: '...' and "..." group words, a backslash escapes the
 * next character. Newlines count as spaces (baremu.cfg may span lines) and
 * a '#' starting a word comments out the rest of its line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"

#define CMDLINE_MAX_ARGS 256

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int kern_cmdline_split(const char *line, bool has_argv0, char ***argv_out)
{
    size_t len = strlen(line);
    char *buf = malloc(len + 1), **argv = calloc(CMDLINE_MAX_ARGS + 2, sizeof(char *));
    const char *p = line;
    char *o = buf;
    int argc = 0;

    if (!buf || !argv) {
        free(buf);
        free(argv);
        return -ENOMEM;
    }
    if (!has_argv0)
        argv[argc++] = "baremu";
    for (;;) {
        while (is_space(*p))
            p++;
        if (!*p)
            break;
        if (*p == '#') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (argc >= CMDLINE_MAX_ARGS)
            goto too_big;
        argv[argc++] = o;
        char quote = 0;
        for (; *p && (quote || !is_space(*p)); p++) {
            if (quote && *p == quote) {
                quote = 0;
            } else if (!quote && (*p == '\'' || *p == '"')) {
                quote = *p;
            } else if (*p == '\\' && p[1] && quote != '\'') {
                *o++ = *++p;
            } else {
                *o++ = *p;
            }
        }
        if (quote) {
            free(buf);
            free(argv);
            return -EINVAL;
        }
        *o++ = 0;
    }
    if (has_argv0 && argc == 0)
        argv[argc++] = "baremu";
    argv[argc] = NULL;
    *argv_out = argv;
    return argc;

too_big:
    free(buf);
    free(argv);
    return -E2BIG;
}
