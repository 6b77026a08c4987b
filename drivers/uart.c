/*
 * uart.c - 16550 UART driver for the console (see uart.h).
 */
#include "drivers/uart.h"

#include <errno.h>

#include "kernel/kernel.h"

#define UART_RBR 0 /* receive buffer (read) / transmit holding (write) */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define UART_DLL 0 /* with LCR.DLAB */
#define UART_DLM 1

#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT2 0x08 /* gates the IRQ line on PCs */
#define IER_RDA 0x01

#define UART_RING 4096

static uint16_t uart_base;
static uint8_t uart_ring[UART_RING];
static unsigned uart_head, uart_len;
#define UART_TXBUF 4096
static uint8_t tx_buf[UART_TXBUF];
static size_t tx_len;

int uart_init(uint16_t base)
{
    /* The scratch register holds what we write only if a UART is there. */
    outb(base + UART_SCR, 0x5A);
    if (inb(base + UART_SCR) != 0x5A)
        return -ENODEV;
    outb(base + UART_IER, 0);
    outb(base + UART_LCR, LCR_DLAB);
    outb(base + UART_DLL, 1); /* 115200 baud from the 1.8432 MHz clock */
    outb(base + UART_DLM, 0);
    outb(base + UART_LCR, 0x03); /* 8N1 */
    outb(base + UART_FCR, 0x07); /* enable and clear FIFOs, trigger at 1 byte */
    outb(base + UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
    uart_base = base;
    return 0;
}

bool uart_present(void)
{
    return uart_base != 0;
}

/* Ring 0 (or no ring 3 yet): to the FIFO, polling for room. */
void uart_put_direct(const void *buf, size_t len)
{
    const uint8_t *p = buf;

    for (size_t i = 0; i < len; i++) {
        /* A missing or wedged UART must not hang us: give up after ~10 ms. */
        for (int spin = 0; spin < 100000 && !(inb(uart_base + UART_LSR) & LSR_THRE); spin++)
            __asm__ volatile("pause");
        outb(uart_base + UART_RBR, p[i]);
    }
}

void uart_flush(void)
{
    size_t n = tx_len;

    if (!n)
        return;
    tx_len = 0; /* first: ring 0 (a report) may flush again while this is out */
    if (kern_user_mode())
        kern_syscall(KERN_SYS_UART_WRITE, (uint64_t)(uintptr_t)tx_buf, n, 0);
    else
        uart_put_direct(tx_buf, n);
}

void uart_write(const void *buf, size_t len)
{
    const uint8_t *p = buf;

    if (!uart_base)
        return;
    if (!kern_user_mode()) {
        uart_flush(); /* what ring 3 left comes first */
        uart_put_direct(p, len);
        return;
    }
    /* From ring 3 each trap costs much more than a byte: collect, then flush. */
    while (len) {
        size_t n = UART_TXBUF - tx_len < len ? UART_TXBUF - tx_len : len;
        for (size_t i = 0; i < n; i++)
            tx_buf[tx_len + i] = p[i];
        tx_len += n;
        p += n;
        len -= n;
        if (tx_len == UART_TXBUF)
            uart_flush();
    }
}

void uart_drain_rx(void)
{
    if (!uart_base)
        return;
    if (kern_user_mode()) {
        kern_syscall(KERN_SYS_UART_DRAIN, 0, 0, 0);
        return;
    }
    while (inb(uart_base + UART_LSR) & LSR_DR) {
        uint8_t c = inb(uart_base + UART_RBR);
        /* A full ring drops new input, as a full FIFO would. */
        if (uart_len < UART_RING) {
            uart_ring[(uart_head + uart_len) % UART_RING] = c;
            uart_len++;
        }
    }
}

size_t uart_read(void *buf, size_t len)
{
    uart_drain_rx();
    return uart_take(buf, len);
}

size_t uart_take(void *buf, size_t len)
{
    uint8_t *p = buf;
    size_t n = 0;

    while (n < len && uart_len) {
        p[n++] = uart_ring[uart_head];
        uart_head = (uart_head + 1) % UART_RING;
        uart_len--;
    }
    return n;
}

bool uart_rx_pending(void)
{
    uart_drain_rx();
    return uart_len != 0;
}

void uart_enable_rx_irq(void)
{
    if (uart_base)
        outb(uart_base + UART_IER, IER_RDA);
}
