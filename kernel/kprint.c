/*
 * kprint.c - the kernel's own output, straight to the UART: boot messages,
 * fatal errors and exception reports, usable before malloc and the chardev
 * layer exist and after they broke.
 */
#include <stdio.h>
#include <string.h>

#include "drivers/uart.h"
#include "emu-core/platform.h"
#include "kernel/kernel.h"

void kern_puts(const char *s)
{
    uart_write(s, strlen(s));
}

void kern_vprintf(const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);

    if (n > 0)
        uart_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void kern_printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    kern_vprintf(fmt, ap);
    va_end(ap);
}

_Noreturn void kern_halt(void)
{
    uart_flush();
    if (kern_user_mode())
        kern_syscall(KERN_SYS_HALT, 0, 0, 0);
    for (;;)
        __asm__ volatile("cli; hlt");
}

_Noreturn void kern_panic(const char *fmt, ...)
{
    va_list ap;

    kern_puts("baremu: ");
    va_start(ap, fmt);
    kern_vprintf(fmt, ap);
    va_end(ap);
    kern_puts("\r\n");
    plat_exit(1);
}
