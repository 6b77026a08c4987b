/*
 * uart.h - the PC's 16550 serial port (COM1), the appliance's console.
 * Output is polled (the FIFO drains at line rate) and, from ring 3, batched; input is drained into
 * a ring by the receive interrupt and by uart_read() itself, so nothing is lost whether or not the
 * IRQ reaches us.
 */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART_COM1 0x3F8
#define UART_COM1_IRQ 4

/* Program 115200 8N1 with FIFOs. Returns 0, or -ENODEV if no UART answers. */
int uart_init(uint16_t base);
bool uart_present(void);
/*
 * From ring 3 output is collected and sent by uart_flush() (or when 4 KiB
 * are waiting): the main loop flushes between vCPU slices and before
 * sleeping. From ring 0 it goes out at once, after anything collected.
 */
void uart_write(const void *buf, size_t len);
void uart_flush(void);
/* Ring 0 only: straight to the FIFO, nothing collected first. */
void uart_put_direct(const void *buf, size_t len);
/* Move received bytes into the ring; called from the IRQ and from uart_read. */
void uart_drain_rx(void);
/* Drain, then take up to len buffered bytes; returns how many. */
size_t uart_read(void *buf, size_t len);
/* Take only what the ring holds already (no device access). */
size_t uart_take(void *buf, size_t len);
bool uart_rx_pending(void);
/* Raise IRQ 4 on received data (the PIC must route it). */
void uart_enable_rx_irq(void);

#endif
