/*
 * uart16550.c - NS16550A UART.
 *
 * Transmission is instantaneous as in QEMU: a byte written to THR goes to
 * the back end (or, in loopback, to the receive FIFO) at once and THRE/TEMT
 * are set again. Reception honours the chardev's flow control: can_receive
 * reports FIFO space and reading RBR asks the chardev for more, so input
 * is held rather than overrun.
 */
#include "hw/char/uart16550.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "emu-core/chardev.h"
#include "emu-core/irq.h"
#include "emu-core/log.h"
#include "emu-core/vmstate.h"

/* Registers (offsets with DLAB in LCR giving DLL/DLM at 0/1). */
enum { UART_RBR = 0, UART_IER = 1, UART_IIR = 2, UART_LCR = 3, UART_MCR = 4, UART_LSR = 5,
       UART_MSR = 6, UART_SCR = 7 };

#define IER_RDI 0x01
#define IER_THRI 0x02
#define IER_RLSI 0x04
#define IER_MSI 0x08

#define IIR_NO_INT 0x01
#define IIR_MSI 0x00
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_CTI 0x0C
#define IIR_FIFO_ON 0xC0

#define FCR_FE 0x01
#define FCR_RFR 0x02
#define FCR_XFR 0x04

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_BI 0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define LSR_INT_ANY 0x1E

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80
#define MSR_ANY_DELTA 0x0F

/* QEMU's virt passes this baud base to its serial_mm model; it only times the FIFO timeout. */
#define UART16550_DEFAULT_BAUDBASE 399193

static unsigned uart_rx_capacity(const struct uart16550 *s)
{
    return (s->fcr & FCR_FE) ? UART16550_FIFO_SIZE : 1;
}

static unsigned uart_rx_trigger(const struct uart16550 *s)
{
    static const unsigned levels[4] = {1, 4, 8, 14};
    return levels[s->fcr >> 6];
}

static uint8_t uart_compute_iir(const struct uart16550 *s)
{
    if ((s->ier & IER_RLSI) && (s->lsr & LSR_INT_ANY))
        return IIR_RLSI;
    if ((s->ier & IER_RDI) && s->timeout_ipending)
        return IIR_CTI;
    if ((s->ier & IER_RDI) && (s->lsr & LSR_DR) &&
        (!(s->fcr & FCR_FE) || s->rx_count >= uart_rx_trigger(s)))
        return IIR_RDI;
    if ((s->ier & IER_THRI) && s->thr_ipending)
        return IIR_THRI;
    if ((s->ier & IER_MSI) && (s->msr & MSR_ANY_DELTA))
        return IIR_MSI;
    return IIR_NO_INT;
}

static void uart_update_irq(struct uart16550 *s)
{
    irq_set(s->irq, uart_compute_iir(s) != IIR_NO_INT);
}

/* Time of 4 characters at the programmed rate, the 16550's receive timeout. */
static uint64_t uart_timeout_ns(const struct uart16550 *s)
{
    unsigned bits = 1 + 5 + (s->lcr & 3) + ((s->lcr & 0x08) ? 1 : 0) + ((s->lcr & 0x04) ? 2 : 1);
    uint64_t divider = s->divider ? s->divider : 1;
    uint64_t speed = s->baudbase / divider;

    if (!speed)
        speed = 1;
    return 4 * (1000000000ull / speed) * bits;
}

static void uart_arm_timeout(struct uart16550 *s)
{
    if (!(s->fcr & FCR_FE) || !s->rx_count)
        return;
    if (!s->clock) {
        /* Nothing to time it with: report data below the trigger level at once. */
        s->timeout_ipending = true;
        return;
    }
    timer_mod(&s->rx_timeout, vclock_ns(s->clock) + uart_timeout_ns(s));
}

static void uart_rx_timeout_cb(void *opaque)
{
    struct uart16550 *s = opaque;

    if (s->rx_count) {
        s->timeout_ipending = true;
        uart_update_irq(s);
    }
}

static void uart_rx_clear(struct uart16550 *s)
{
    s->rx_head = s->rx_count = 0;
    s->lsr &= ~(LSR_DR | LSR_BI);
    s->timeout_ipending = false;
    if (s->clock)
        timer_del(&s->rx_timeout);
}

/* One received byte into the FIFO (or the holding register); overrun when full. */
static void uart_rx_push(struct uart16550 *s, uint8_t b)
{
    if (s->rx_count >= uart_rx_capacity(s)) {
        s->lsr |= LSR_OE;
        return;
    }
    s->rx_fifo[(s->rx_head + s->rx_count) % UART16550_FIFO_SIZE] = b;
    s->rx_count++;
    s->lsr |= LSR_DR;
}

static void uart_rx_bytes(struct uart16550 *s, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        uart_rx_push(s, buf[i]);
    s->timeout_ipending = false;
    uart_arm_timeout(s);
    uart_update_irq(s);
}

/* MSR from MCR in loopback; fixed DCD/DSR/CTS otherwise (no modem lines behind us). */
static void uart_update_msr(struct uart16550 *s)
{
    uint8_t lines;

    if (s->mcr & MCR_LOOP) {
        lines = ((s->mcr & MCR_RTS) ? MSR_CTS : 0) | ((s->mcr & MCR_DTR) ? MSR_DSR : 0) |
                ((s->mcr & MCR_OUT1) ? MSR_RI : 0) | ((s->mcr & MCR_OUT2) ? MSR_DCD : 0);
    } else {
        lines = MSR_DCD | MSR_DSR | MSR_CTS;
    }
    uint8_t changed = (s->msr ^ lines) & 0xF0;
    uint8_t delta = s->msr & MSR_ANY_DELTA;
    if (changed & MSR_CTS)
        delta |= MSR_DCTS;
    if (changed & MSR_DSR)
        delta |= MSR_DDSR;
    if ((changed & MSR_RI) && !(lines & MSR_RI))
        delta |= MSR_TERI;
    if (changed & MSR_DCD)
        delta |= MSR_DDCD;
    s->msr = lines | delta;
}

static void uart_transmit(struct uart16550 *s, uint8_t b)
{
    if (s->mcr & MCR_LOOP) {
        uart_rx_bytes(s, &b, 1);
    } else if (s->chr) {
        chardev_write(s->chr, &b, 1);
    }
    s->lsr |= LSR_THRE | LSR_TEMT;
    s->thr_ipending = true;
}

static uint64_t uart_read(void *opaque, uint64_t offset, unsigned size)
{
    struct uart16550 *s = opaque;
    uint8_t ret = 0;

    (void)size;
    switch (offset) {
    case UART_RBR:
        if (s->lcr & LCR_DLAB)
            return s->divider & 0xff;
        if (s->rx_count) {
            ret = s->rx_fifo[s->rx_head];
            s->rx_head = (s->rx_head + 1) % UART16550_FIFO_SIZE;
            s->rx_count--;
        }
        s->timeout_ipending = false;
        if (!s->rx_count) {
            s->lsr &= ~(LSR_DR | LSR_BI);
            if (s->clock)
                timer_del(&s->rx_timeout);
        } else {
            uart_arm_timeout(s);
        }
        uart_update_irq(s);
        if (s->chr && !(s->mcr & MCR_LOOP))
            chardev_accept_input(s->chr);
        return ret;
    case UART_IER:
        return (s->lcr & LCR_DLAB) ? s->divider >> 8 : s->ier;
    case UART_IIR:
        ret = uart_compute_iir(s);
        if (ret == IIR_THRI) {
            s->thr_ipending = false;
            uart_update_irq(s);
        }
        return ret | ((s->fcr & FCR_FE) ? IIR_FIFO_ON : 0);
    case UART_LCR:
        return s->lcr;
    case UART_MCR:
        return s->mcr;
    case UART_LSR:
        ret = s->lsr;
        if (s->lsr & (LSR_BI | LSR_OE)) {
            s->lsr &= ~(LSR_BI | LSR_OE);
            uart_update_irq(s);
        }
        return ret;
    case UART_MSR:
        ret = s->msr;
        if (s->msr & MSR_ANY_DELTA) {
            s->msr &= ~MSR_ANY_DELTA;
            uart_update_irq(s);
        }
        return ret;
    case UART_SCR:
        return s->scr;
    default:
        log_guest_error("uart16550: read at bad offset 0x%llx", (unsigned long long)offset);
        return 0;
    }
}

static void uart_write_fcr(struct uart16550 *s, uint8_t val)
{
    bool clear_rx = (val & FCR_RFR) || ((val ^ s->fcr) & FCR_FE);

    if (clear_rx)
        uart_rx_clear(s);
    /* The transmitter is always empty: TX FIFO reset has nothing to do. */
    s->fcr = (val & FCR_FE) ? (val & 0xC9) : 0;
    if (clear_rx && s->chr && !(s->mcr & MCR_LOOP))
        chardev_accept_input(s->chr);
}

static void uart_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct uart16550 *s = opaque;
    uint8_t val = (uint8_t)value;

    (void)size;
    switch (offset) {
    case UART_RBR:
        if (s->lcr & LCR_DLAB) {
            s->divider = (s->divider & 0xff00) | val;
            return;
        }
        s->thr_ipending = false;
        uart_transmit(s, val);
        break;
    case UART_IER:
        if (s->lcr & LCR_DLAB) {
            s->divider = (s->divider & 0x00ff) | (uint16_t)(val << 8);
            return;
        }
        /* Enabling THRE while the holder is empty raises it at once, as on a real 16550. */
        if ((val & IER_THRI) && !(s->ier & IER_THRI) && (s->lsr & LSR_THRE))
            s->thr_ipending = true;
        s->ier = val & 0x0F;
        break;
    case UART_IIR:
        uart_write_fcr(s, val);
        break;
    case UART_LCR:
        s->lcr = val;
        return;
    case UART_MCR: {
        bool was_loop = s->mcr & MCR_LOOP;
        s->mcr = val & 0x1F;
        uart_update_msr(s);
        if (was_loop && !(s->mcr & MCR_LOOP) && s->chr)
            chardev_accept_input(s->chr);
        break;
    }
    case UART_LSR:
    case UART_MSR:
        return; /* read-only; writes are ignored by the chip */
    case UART_SCR:
        s->scr = val;
        return;
    default:
        log_guest_error("uart16550: write at bad offset 0x%llx", (unsigned long long)offset);
        return;
    }
    uart_update_irq(s);
}

static const struct mem_region_ops uart_ops = {
    .read = uart_read,
    .write = uart_write,
    .min_access = 1,
    .max_access = 1,
};

static int uart_can_receive(void *opaque)
{
    struct uart16550 *s = opaque;

    if (s->mcr & MCR_LOOP)
        return 0; /* external input is cut off in loopback */
    return (int)(uart_rx_capacity(s) - s->rx_count);
}

static void uart_receive(void *opaque, const uint8_t *buf, size_t len)
{
    uart_rx_bytes(opaque, buf, len);
}

static void uart_event(void *opaque, enum chardev_event ev)
{
    struct uart16550 *s = opaque;

    if (ev != CHR_EVENT_BREAK)
        return;
    /* A break reads as a NUL with BI set, as QEMU's model delivers it. */
    uart_rx_push(s, 0);
    s->lsr |= LSR_BI | LSR_DR;
    uart_arm_timeout(s);
    uart_update_irq(s);
}

static void uart_reset(struct device *dev)
{
    struct uart16550 *s = (struct uart16550 *)dev;

    s->divider = 0;
    s->ier = 0;
    s->lcr = 0;
    s->mcr = MCR_OUT2;
    s->lsr = LSR_TEMT | LSR_THRE;
    s->msr = MSR_DCD | MSR_DSR | MSR_CTS;
    s->scr = 0;
    s->fcr = 0;
    s->thr_ipending = false;
    uart_rx_clear(s);
    uart_update_irq(s);
}

static int uart_realize(struct device *dev)
{
    struct uart16550 *s = (struct uart16550 *)dev;

    if (!s->baudbase)
        s->baudbase = UART16550_DEFAULT_BAUDBASE;
    mem_region_init_io(&s->mmio, "uart16550", &uart_ops, s, UART16550_MMIO_SIZE);
    if (s->clock)
        timer_init(&s->rx_timeout, s->clock, uart_rx_timeout_cb, s);
    uart_reset(dev);
    if (s->chr) {
        struct chardev_frontend fe = {
            .can_receive = uart_can_receive,
            .receive = uart_receive,
            .event = uart_event,
            .opaque = s,
        };
        chardev_set_frontend(s->chr, &fe);
    }
    return 0;
}

static void uart_unrealize(struct device *dev)
{
    struct uart16550 *s = (struct uart16550 *)dev;

    if (s->chr)
        chardev_set_frontend(s->chr, NULL);
    if (s->clock)
        timer_del(&s->rx_timeout);
}

static int uart_post_load(void *opaque, int version_id)
{
    struct uart16550 *s = opaque;

    (void)version_id;
    /* A hostile stream must not index outside the FIFO. */
    if (s->rx_head >= UART16550_FIFO_SIZE || s->rx_count > uart_rx_capacity(s))
        return -EINVAL;
    s->fcr &= 0xC9;
    s->ier &= 0x0F;
    s->mcr &= 0x1F;
    if (s->clock) {
        timer_del(&s->rx_timeout);
        if (s->rx_count && !s->timeout_ipending)
            uart_arm_timeout(s);
    }
    uart_update_irq(s);
    return 0;
}

#define F(field, t) {.name = #field, .type = t, .offset = offsetof(struct uart16550, field)}
static const struct vmstate_field uart_vmstate_fields[] = {
    F(divider, VMS_U16),
    F(ier, VMS_U8),
    F(lcr, VMS_U8),
    F(mcr, VMS_U8),
    F(lsr, VMS_U8),
    F(msr, VMS_U8),
    F(scr, VMS_U8),
    F(fcr, VMS_U8),
    F(thr_ipending, VMS_BOOL),
    F(timeout_ipending, VMS_BOOL),
    {.name = "rx_fifo", .type = VMS_BUFFER, .offset = offsetof(struct uart16550, rx_fifo),
     .size = UART16550_FIFO_SIZE},
    F(rx_head, VMS_U32),
    F(rx_count, VMS_U32),
    {.type = VMS_END},
};
#undef F

static const struct vmstate_desc uart_vmstate = {
    .name = "uart16550",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = uart_vmstate_fields,
    .post_load = uart_post_load,
};

static const struct device_prop uart_props[] = {
    {.name = "chardev", .type = PROP_CHARDEV, .offset = offsetof(struct uart16550, chr)},
    {.name = "irq", .type = PROP_LINK, .offset = offsetof(struct uart16550, irq)},
    {.name = "clock", .type = PROP_LINK, .offset = offsetof(struct uart16550, clock)},
    {.name = "baudbase", .type = PROP_U32, .offset = offsetof(struct uart16550, baudbase),
     .defval = UART16550_DEFAULT_BAUDBASE},
    {.type = PROP_END},
};

const struct device_type uart16550_type = {
    .name = "uart16550",
    .desc = "NS16550A UART",
    .state_size = sizeof(struct uart16550),
    .props = uart_props,
    .realize = uart_realize,
    .reset = uart_reset,
    .unrealize = uart_unrealize,
    .vmsd = &uart_vmstate,
};
