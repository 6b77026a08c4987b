/*
 * e1000.c - Intel 8254x (82540EM: QEMU's e1000) and 82574L (QEMU's e1000e)
 * Ethernet, polled, with legacy descriptors, which both keep by default.
 * Register layout and descriptor formats from Intel's 8254x and 82574
 * software developer's manuals. The NIC is trusted no more than the network:
 * lengths it writes back are checked before use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/netdev-pci.h"
#include "drivers/netdev.h"
#include "kernel/kernel.h"

#define E1000_CTRL 0x0000
#define E1000_STATUS 0x0008
#define E1000_EERD 0x0014
#define E1000_ICR 0x00C0
#define E1000_IMC 0x00D8
#define E1000_RCTL 0x0100
#define E1000_TCTL 0x0400
#define E1000_TIPG 0x0410
#define E1000_RDBAL 0x2800
#define E1000_RDBAH 0x2804
#define E1000_RDLEN 0x2808
#define E1000_RDH 0x2810
#define E1000_RDT 0x2818
#define E1000_TDBAL 0x3800
#define E1000_TDBAH 0x3804
#define E1000_TDLEN 0x3808
#define E1000_TDH 0x3810
#define E1000_TDT 0x3818
#define E1000_MTA 0x5200
#define E1000_RAL0 0x5400
#define E1000_RAH0 0x5404

#define CTRL_ASDE (1u << 5)
#define CTRL_SLU (1u << 6)
#define CTRL_RST (1u << 26)
#define STATUS_LU (1u << 1)
#define RCTL_EN (1u << 1)
#define RCTL_BAM (1u << 15)
#define RCTL_SECRC (1u << 26) /* BSIZE 00: 2048-byte buffers */
#define TCTL_EN (1u << 1)
#define TCTL_PSP (1u << 3)
#define TCTL_CT (0x0Fu << 4)
#define TCTL_COLD (0x40u << 12) /* full duplex */
#define TIPG_COPPER (10u | 8u << 10 | 6u << 20)
#define RAH_AV (1u << 31)

#define DESC_DD 0x01
#define RXD_EOP 0x02
#define TXD_CMD_EOP 0x01
#define TXD_CMD_IFCS 0x02
#define TXD_CMD_RS 0x08

#define RING 64 /* descriptors per ring: 64 * 16 bytes, a multiple of 128 as required */
#define BUF 2048

struct e1000_rxd {
    uint64_t addr;
    uint16_t len, csum;
    uint8_t status, errors;
    uint16_t special;
};

struct e1000_txd {
    uint64_t addr;
    uint16_t len;
    uint8_t cso, cmd, status, css;
    uint16_t special;
};

struct e1000 {
    struct netdev nd;
    uint64_t regs;
    volatile struct e1000_rxd *rx;
    volatile struct e1000_txd *tx;
    uint8_t *rxbuf, *txbuf;
    unsigned rx_next, tx_next;
    bool rx_discard; /* inside a frame that spans buffers: drop up to its end */
};

static uint32_t rd(struct e1000 *e, uint32_t reg)
{
    return mmio_read32(e->regs + reg);
}

static void wr(struct e1000 *e, uint32_t reg, uint32_t v)
{
    mmio_write32(e->regs + reg, v);
}

static int e1000_send(struct netdev *nd, const void *frame, size_t len)
{
    struct e1000 *e = nd->priv;
    unsigned i = e->tx_next;
    volatile struct e1000_txd *d = &e->tx[i];

    if (len > NETDEV_FRAME_MAX)
        return -EINVAL;
    if (!(d->status & DESC_DD))
        return -EAGAIN; /* the NIC has not sent what this slot held */
    uint8_t *buf = e->txbuf + i * BUF;
    memcpy(buf, frame, len);
    if (len < 60) {
        memset(buf + len, 0, 60 - len); /* runts padded to the minimum frame */
        len = 60;
    }
    d->addr = (uint64_t)(uintptr_t)buf;
    d->len = len;
    d->cso = d->css = 0;
    d->special = 0;
    d->status = 0;
    d->cmd = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS;
    e->tx_next = (i + 1) % RING;
    dma_barrier();
    wr(e, E1000_TDT, e->tx_next);
    return 0;
}

static int e1000_recv(struct netdev *nd, void *out, size_t size)
{
    struct e1000 *e = nd->priv;

    /* A bounded number of slots per call: a flood of bad frames cannot hold the loop. */
    for (int n = 0; n < RING; n++) {
        unsigned i = e->rx_next;
        volatile struct e1000_rxd *d = &e->rx[i];
        uint8_t status = d->status;
        if (!(status & DESC_DD))
            return 0;
        dma_barrier();
        size_t len = d->len;
        bool ok = !e->rx_discard && (status & RXD_EOP) && !d->errors && len <= size && len <= BUF &&
                  len >= 14;
        e->rx_discard = !(status & RXD_EOP);
        if (ok)
            memcpy(out, e->rxbuf + i * BUF, len);
        d->status = 0;
        d->addr = (uint64_t)(uintptr_t)(e->rxbuf + i * BUF);
        e->rx_next = (i + 1) % RING;
        dma_barrier();
        wr(e, E1000_RDT, i); /* the slot just emptied is the NIC's again */
        if (ok)
            return (int)len;
    }
    return 0;
}

static bool e1000_link_up(struct netdev *nd)
{
    struct e1000 *e = nd->priv;

    return rd(e, E1000_STATUS) & STATUS_LU;
}

static const struct netdev_ops e1000_ops = {
    .send = e1000_send,
    .recv = e1000_recv,
    .link_up = e1000_link_up,
};

/* One EEPROM word through EERD, whose layout differs: 8254x (addr << 8, done bit 4) and 82574
 * (addr << 2, done bit 1). -1 if the read never completes. */
static int eeprom_read(struct e1000 *e, unsigned word, bool is_82574)
{
    unsigned shift = is_82574 ? 2 : 8;
    uint32_t done = is_82574 ? 1u << 1 : 1u << 4;

    wr(e, E1000_EERD, (word << shift) | 1u);
    for (int i = 0; i < 1000; i++) {
        uint32_t v = rd(e, E1000_EERD);
        if (v & done)
            return v >> 16;
        kern_udelay(5);
    }
    return -1;
}

/*
 * The MAC the EEPROM gave the receive-address register at reset; from the
 * EEPROM itself (words 0-2) if the register is not loaded (yet).
 */
static int read_mac(struct e1000 *e, bool is_82574)
{
    uint32_t lo = rd(e, E1000_RAL0), hi = rd(e, E1000_RAH0);

    for (int i = 0; i < 4; i++)
        e->nd.mac[i] = lo >> (8 * i);
    e->nd.mac[4] = hi;
    e->nd.mac[5] = hi >> 8;
    if ((lo || (hi & 0xFFFF)) && !(e->nd.mac[0] & 1))
        return 0;
    for (unsigned w = 0; w < 3; w++) {
        int v = eeprom_read(e, w, is_82574);
        if (v < 0)
            return -EIO;
        e->nd.mac[2 * w] = v;
        e->nd.mac[2 * w + 1] = v >> 8;
    }
    if (e->nd.mac[0] & 1)
        return -EIO; /* a multicast address: the EEPROM is blank or garbage */
    wr(e, E1000_RAL0,
       e->nd.mac[0] | e->nd.mac[1] << 8 | e->nd.mac[2] << 16 | (uint32_t)e->nd.mac[3] << 24);
    wr(e, E1000_RAH0, e->nd.mac[4] | e->nd.mac[5] << 8);
    return 0;
}

static const struct {
    uint16_t device;
    const char *model;
} e1000_ids[] = {
    {0x100E, "e1000"},  /* 82540EM */
    {0x100F, "e1000"},  /* 82545EM copper */
    {0x10D3, "e1000e"}, /* 82574L */
};

int e1000_probe(const struct pci_func *f, struct netdev **out)
{
    const char *model = NULL;
    struct pci_bar bar;
    int r;

    if (f->vendor != 0x8086)
        return -ENODEV;
    for (unsigned i = 0; i < sizeof(e1000_ids) / sizeof(e1000_ids[0]); i++)
        if (f->device == e1000_ids[i].device)
            model = e1000_ids[i].model;
    if (!model)
        return -ENODEV;
    if ((r = netdev_pci_bar(f, 0, &bar)) < 0)
        return r;
    if (bar.io || bar.size < 0x20000)
        return -ENXIO;

    struct e1000 *e = calloc(1, sizeof(*e));
    if (!e)
        return -ENOMEM;
    e->regs = bar.addr;
    e->rx = kern_mem_dma_alloc(RING * sizeof(struct e1000_rxd), 128);
    e->tx = kern_mem_dma_alloc(RING * sizeof(struct e1000_txd), 128);
    e->rxbuf = kern_mem_dma_alloc(RING * BUF, 4096);
    e->txbuf = kern_mem_dma_alloc(RING * BUF, 4096);
    if (!e->rx || !e->tx || !e->rxbuf || !e->txbuf) {
        free(e); /* the DMA memory is never freed; boot stops on this error anyway */
        return -ENOMEM;
    }
    netdev_pci_enable(f);

    wr(e, E1000_IMC, ~0u); /* polled: no interrupts */
    wr(e, E1000_CTRL, rd(e, E1000_CTRL) | CTRL_RST);
    kern_udelay(1000);
    for (int i = 0; i < 1000 && (rd(e, E1000_CTRL) & CTRL_RST); i++)
        kern_udelay(100);
    if (rd(e, E1000_CTRL) & CTRL_RST) {
        free(e);
        return -ETIMEDOUT;
    }
    wr(e, E1000_IMC, ~0u);
    rd(e, E1000_ICR);
    wr(e, E1000_CTRL, (rd(e, E1000_CTRL) | CTRL_SLU | CTRL_ASDE));
    if ((r = read_mac(e, !strcmp(model, "e1000e"))) < 0) {
        free(e);
        return r;
    }
    wr(e, E1000_RAL0, rd(e, E1000_RAL0));
    wr(e, E1000_RAH0, rd(e, E1000_RAH0) | RAH_AV);
    for (int i = 0; i < 128; i++)
        wr(e, E1000_MTA + 4 * i, 0);

    for (unsigned i = 0; i < RING; i++) {
        e->rx[i].addr = (uint64_t)(uintptr_t)(e->rxbuf + i * BUF);
        e->tx[i].status = DESC_DD; /* free for sending */
    }
    dma_barrier();
    wr(e, E1000_RDBAL, (uint32_t)(uintptr_t)e->rx);
    wr(e, E1000_RDBAH, (uint32_t)((uint64_t)(uintptr_t)e->rx >> 32));
    wr(e, E1000_RDLEN, RING * sizeof(struct e1000_rxd));
    wr(e, E1000_RDH, 0);
    wr(e, E1000_RDT, RING - 1);
    wr(e, E1000_RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC);
    wr(e, E1000_TDBAL, (uint32_t)(uintptr_t)e->tx);
    wr(e, E1000_TDBAH, (uint32_t)((uint64_t)(uintptr_t)e->tx >> 32));
    wr(e, E1000_TDLEN, RING * sizeof(struct e1000_txd));
    wr(e, E1000_TDH, 0);
    wr(e, E1000_TDT, 0);
    wr(e, E1000_TIPG, TIPG_COPPER);
    wr(e, E1000_TCTL, TCTL_EN | TCTL_PSP | TCTL_CT | TCTL_COLD);

    e->nd.ops = &e1000_ops;
    e->nd.model = model;
    e->nd.pci_bus = f->bus;
    e->nd.pci_dev = f->dev;
    e->nd.pci_fn = f->fn;
    e->nd.priv = e;
    *out = &e->nd;
    return 0;
}
