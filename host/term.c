/*
 * term.c - the controlling terminal and termination signals. Whatever way
 * the process ends (plat_exit, exit, SIGTERM, a second Ctrl-C), the user's
 * shell must get its terminal back in cooked mode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "emu-core/machine.h"
#include "emu-core/platform.h"
#include "host/host.h"

static struct termios term_saved;
static volatile sig_atomic_t term_is_raw;

void host_term_restore(void)
{
    /* tcsetattr is async-signal-safe, so this also serves the signal handler. */
    if (term_is_raw) {
        tcsetattr(STDIN_FILENO, TCSANOW, &term_saved);
        term_is_raw = 0;
    }
}

void host_term_raw(bool allow_signals)
{
    static bool atexit_done;
    struct termios t;

    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &term_saved) < 0)
        return;
    t = term_saved;
    /* As QEMU's stdio: raw input, but keep output processing so "\n" still returns the carriage. */
    t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_oflag |= OPOST;
    t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    if (!allow_signals)
        t.c_lflag &= ~ISIG;
    t.c_cflag &= ~(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0)
        return;
    term_is_raw = 1;
    if (!atexit_done) {
        atexit(host_term_restore);
        atexit_done = true;
    }
}

/* ---- termination signals, through a self-pipe into the main loop ---- */

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t sig_pending;

static void host_signal_handler(int sig)
{
    unsigned char s = (unsigned char)sig;

    if (sig_pending) {
        /* The loop did not act on the first one: it may be stuck, so leave now. */
        host_term_restore();
        _exit(1);
    }
    sig_pending = 1;
    int saved = errno;
    if (write(sig_pipe[1], &s, 1) < 0) {
        /* The pipe holds at most a few bytes and is never full; nothing to do. */
    }
    errno = saved;
}

static void host_signal_read(void *opaque)
{
    unsigned char s = 0;

    (void)opaque;
    if (read(sig_pipe[0], &s, 1) != 1)
        return;
    host_term_restore();
    fprintf(stderr, "baremu: terminating on signal %d\n", s);
    if (current_machine)
        machine_request_shutdown(current_machine, SHUTDOWN_HOST_QUIT, 0);
    else
        plat_exit(0);
}

int host_signals_init(void)
{
    struct sigaction sa;

    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        return -errno;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = host_signal_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* A reader that went away must not kill us: writes fail with EPIPE instead, as in QEMU. */
    signal(SIGPIPE, SIG_IGN);
    return host_fd_watch(sig_pipe[0], NULL, host_signal_read, NULL);
}
