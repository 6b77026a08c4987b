/*
 * acpi-build.c - the pc machine's ACPI tables (section numbers are of the
 * ACPI 6.4 specification) and the linker/loader script that places them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw/acpi/acpi.h"
#include "hw/acpi/aml.h"

#define ACPI_OEM_ID "BAREMU"
#define ACPI_OEM_TABLE_ID "BAREMUPC"
#define ACPI_HDR_LEN 36

static int blob_reserve(struct acpi_blob *b, uint32_t more)
{
    if (b->len + more <= b->cap)
        return 0;
    uint32_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p)
        return -ENOMEM;
    memset(p + b->cap, 0, cap - b->cap);
    b->data = p;
    b->cap = cap;
    return 0;
}

/* Append n zero bytes; the offset where they start, or -ENOMEM. */
static int64_t blob_grow(struct acpi_blob *b, uint32_t n)
{
    if (blob_reserve(b, n) < 0)
        return -ENOMEM;
    uint32_t at = b->len;
    memset(b->data + at, 0, n);
    b->len += n;
    return at;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint8_t acpi_checksum(const uint8_t *p, uint32_t len)
{
    uint8_t s = 0;

    while (len--)
        s += *p++;
    return s;
}

/* 5.2.6: the common header; length and checksum are filled in by table_end(). */
static int64_t table_begin(struct acpi_blob *b, const char *sig, uint8_t rev, uint32_t body)
{
    int64_t at = blob_grow(b, ACPI_HDR_LEN + body);

    if (at < 0)
        return at;
    uint8_t *h = b->data + at;
    memcpy(h, sig, 4);
    h[8] = rev;
    memcpy(h + 10, ACPI_OEM_ID, 6);
    memcpy(h + 16, ACPI_OEM_TABLE_ID, 8);
    put_le(h + 24, 1, 4); /* OEM revision */
    memcpy(h + 28, "BRMU", 4);
    put_le(h + 32, 1, 4); /* creator revision */
    return at;
}

static void table_end(struct acpi_blob *b, int64_t at)
{
    put_le(b->data + at + 4, b->len - (uint32_t)at, 4);
}

/* 5.2.3.2: Generic Address Structure in system I/O space. */
static void put_gas_io(uint8_t *p, uint8_t bits, uint8_t access, uint64_t port)
{
    p[0] = 1; /* system I/O */
    p[1] = bits;
    p[2] = 0;
    p[3] = access; /* 1 byte, 2 word, 3 dword */
    put_le(p + 4, port, 8);
}

/* Loader script entries (SeaBIOS romfile_loader_entry_s). */
static int loader_entry(struct acpi_blob *l, uint32_t cmd, uint8_t **body)
{
    int64_t at = blob_grow(l, ACPI_LOADER_ENTRY_SIZE);

    if (at < 0)
        return -ENOMEM;
    put_le(l->data + at, cmd, 4);
    *body = l->data + at + 4;
    return 0;
}

static int loader_alloc(struct acpi_blob *l, const char *file, uint32_t align, uint8_t zone)
{
    uint8_t *e;

    if (loader_entry(l, ACPI_LOADER_ALLOCATE, &e) < 0)
        return -ENOMEM;
    strncpy((char *)e, file, ACPI_LOADER_FILESZ - 1);
    put_le(e + ACPI_LOADER_FILESZ, align, 4);
    e[ACPI_LOADER_FILESZ + 4] = zone;
    return 0;
}

/* The size-byte pointer at dst_off in dst gets the base address of src added. */
static int loader_pointer(struct acpi_blob *l, const char *dst, const char *src, uint32_t dst_off,
                          uint8_t size)
{
    uint8_t *e;

    if (loader_entry(l, ACPI_LOADER_ADD_POINTER, &e) < 0)
        return -ENOMEM;
    strncpy((char *)e, dst, ACPI_LOADER_FILESZ - 1);
    strncpy((char *)e + ACPI_LOADER_FILESZ, src, ACPI_LOADER_FILESZ - 1);
    put_le(e + 2 * ACPI_LOADER_FILESZ, dst_off, 4);
    e[2 * ACPI_LOADER_FILESZ + 4] = size;
    return 0;
}

/* The byte at off becomes the checksum of [start, start+len) (which includes it). */
static int loader_checksum(struct acpi_blob *l, const char *file, uint32_t off, uint32_t start,
                           uint32_t len)
{
    uint8_t *e;

    if (loader_entry(l, ACPI_LOADER_ADD_CHECKSUM, &e) < 0)
        return -ENOMEM;
    strncpy((char *)e, file, ACPI_LOADER_FILESZ - 1);
    put_le(e + ACPI_LOADER_FILESZ, off, 4);
    put_le(e + ACPI_LOADER_FILESZ + 4, start, 4);
    put_le(e + ACPI_LOADER_FILESZ + 8, len, 4);
    return 0;
}

static int checksum_table(struct acpi_blob *l, const struct acpi_blob *t, uint32_t at)
{
    uint32_t len = t->data[at + 4] | t->data[at + 5] << 8 | t->data[at + 6] << 16 |
                   (uint32_t)t->data[at + 7] << 24;

    return loader_checksum(l, ACPI_FILE_TABLES, at + 9, at, len);
}

/* 5.2.12: MADT with its interrupt controller structures. */
static int64_t build_madt(struct acpi_blob *t, const struct acpi_pc_config *c)
{
    int64_t at = table_begin(t, "APIC", 1, 8), p;

    if (at < 0)
        return at;
    put_le(t->data + at + 36, c->lapic_base, 4);
    put_le(t->data + at + 40, 1, 4);     /* PCAT_COMPAT: there are 8259s too */
    for (int i = 0; i < c->ncpus; i++) { /* 5.2.12.2 Processor Local APIC */
        if ((p = blob_grow(t, 8)) < 0)
            return p;
        uint8_t *e = t->data + p;
        e[0] = 0;
        e[1] = 8;
        e[2] = (uint8_t)i;
        e[3] = c->apic_ids[i];
        put_le(e + 4, 1, 4); /* enabled */
    }
    if ((p = blob_grow(t, 12)) < 0) /* 5.2.12.3 I/O APIC, GSI base 0 */
        return p;
    t->data[p] = 1;
    t->data[p + 1] = 12;
    t->data[p + 2] = c->ioapic_id;
    put_le(t->data + p + 4, c->ioapic_base, 4);
    /* 5.2.12.5 Interrupt Source Overrides: the PIT on pin 2, PCI IRQs and SCI level/high. */
    for (int irq = 0; irq < 16; irq++) {
        uint16_t flags;
        if (irq == 0)
            flags = 0; /* conforms to the bus: ISA edge, active high */
        else if ((c->pci_irq_mask >> irq & 1) || irq == c->sci_irq)
            flags = 0xd; /* active high (01), level (11 << 2) */
        else
            continue;
        if ((p = blob_grow(t, 10)) < 0)
            return p;
        uint8_t *e = t->data + p;
        e[0] = 2;
        e[1] = 10;
        e[2] = 0; /* ISA */
        e[3] = (uint8_t)irq;
        put_le(e + 4, irq == 0 ? 2 : irq, 4);
        put_le(e + 8, flags, 2);
    }
    if ((p = blob_grow(t, 6)) < 0) /* 5.2.12.7 Local APIC NMI: LINT1 of every processor */
        return p;
    t->data[p] = 4;
    t->data[p + 1] = 6;
    t->data[p + 2] = 0xff;
    t->data[p + 5] = 1;
    table_end(t, at);
    return at;
}

/* 5.2.9: FADT revision 3 (244 bytes, 32- and 64-bit pointer fields). */
static int64_t build_fadt(struct acpi_blob *t, const struct acpi_pc_config *c)
{
    int64_t at = table_begin(t, "FACP", 3, 244 - ACPI_HDR_LEN);

    if (at < 0)
        return at;
    uint8_t *f = t->data + at;
    put_le(f + 46, c->sci_irq, 2);
    /* SMI_CMD 0: no SMM handshake, the hardware is in ACPI mode already (SCI_EN reads 1). */
    put_le(f + 56, c->pm_base, 4);     /* PM1a_EVT_BLK */
    put_le(f + 64, c->pm_base + 4, 4); /* PM1a_CNT_BLK */
    put_le(f + 76, c->pm_base + 8, 4); /* PM_TMR_BLK */
    f[88] = 4;                         /* PM1_EVT_LEN */
    f[89] = 2;                         /* PM1_CNT_LEN */
    f[91] = 4;                         /* PM_TMR_LEN */
    put_le(f + 96, 101, 2);            /* P_LVL2_LAT > 100: no C2 */
    put_le(f + 98, 1001, 2);           /* P_LVL3_LAT > 1000: no C3 */
    f[108] = 0x32;                     /* CENTURY: the CMOS byte */
    put_le(f + 109, 0x3, 2);           /* IAPC_BOOT_ARCH: LEGACY_DEVICES, 8042 */
    /* Flags: WBINVD, PROC_C1, PWR_BUTTON and SLP_BUTTON (control-method or none), RESET_REG_SUP */
    put_le(f + 112, (1u << 0) | (1u << 2) | (1u << 4) | (1u << 5) | (1u << 10), 4);
    put_gas_io(f + 116, 8, 1, 0xcf9); /* RESET_REG: the PIIX reset control register */
    f[128] = 0x06;                    /* RESET_VALUE: hard reset */
    put_gas_io(f + 148, 32, 2, c->pm_base);
    put_gas_io(f + 172, 16, 2, c->pm_base + 4);
    put_gas_io(f + 208, 32, 3, c->pm_base + 8);
    table_end(t, at);
    return at;
}

int acpi_build_pc(const struct acpi_pc_config *c, struct acpi_tables *out)
{
    struct acpi_blob *t = &out->tables, *l = &out->loader;
    int64_t facs, dsdt, fadt, madt, rsdt, xsdt, r;
    int ret = -ENOMEM;

    memset(out, 0, sizeof(*out));
    if (c->ncpus < 1 || c->ncpus > ACPI_MAX_CPUS || c->virtio_mmio_count < 0 ||
        c->virtio_mmio_count > ACPI_MAX_VIRTIO_MMIO)
        return -EINVAL;
    /* 5.2.10: FACS, 64-byte aligned (the blob's alignment), no checksum. */
    if ((facs = blob_grow(t, 64)) < 0)
        goto fail;
    memcpy(t->data + facs, "FACS", 4);
    put_le(t->data + facs + 4, 64, 4);
    t->data[facs + 32] = 1; /* version */

    if ((dsdt = table_begin(t, "DSDT", 1, 0)) < 0 || acpi_build_dsdt_aml(t, c) < 0)
        goto fail;
    table_end(t, dsdt);

    if ((fadt = build_fadt(t, c)) < 0)
        goto fail;
    /* Pointers hold offsets into the tables file until the loader adds its address. */
    put_le(t->data + fadt + 36, (uint64_t)facs, 4);
    put_le(t->data + fadt + 40, (uint64_t)dsdt, 4);
    /* X_FIRMWARE_CTRL stays 0: 5.2.9 wants one of the two FACS pointers, not both (as QEMU). */
    put_le(t->data + fadt + 140, (uint64_t)dsdt, 8);
    if ((madt = build_madt(t, c)) < 0)
        goto fail;

    if ((rsdt = table_begin(t, "RSDT", 1, 8)) < 0) /* 5.2.7 */
        goto fail;
    put_le(t->data + rsdt + 36, (uint64_t)fadt, 4);
    put_le(t->data + rsdt + 40, (uint64_t)madt, 4);
    table_end(t, rsdt);
    if ((xsdt = table_begin(t, "XSDT", 1, 16)) < 0) /* 5.2.8 */
        goto fail;
    put_le(t->data + xsdt + 36, (uint64_t)fadt, 8);
    put_le(t->data + xsdt + 44, (uint64_t)madt, 8);
    table_end(t, xsdt);

    /* 5.2.5.3: RSDP revision 2. */
    if ((r = blob_grow(&out->rsdp, 36)) < 0)
        goto fail;
    uint8_t *p = out->rsdp.data;
    memcpy(p, "RSD PTR ", 8);
    memcpy(p + 9, ACPI_OEM_ID, 6);
    p[15] = 2;
    put_le(p + 16, (uint64_t)rsdt, 4);
    put_le(p + 20, 36, 4);
    put_le(p + 24, (uint64_t)xsdt, 8);

    const char *T = ACPI_FILE_TABLES, *R = ACPI_FILE_RSDP;
    if (loader_alloc(l, T, 64, ACPI_LOADER_ZONE_HIGH) < 0 ||
        loader_alloc(l, R, 16, ACPI_LOADER_ZONE_FSEG) < 0 ||
        loader_pointer(l, T, T, (uint32_t)fadt + 36, 4) < 0 ||
        loader_pointer(l, T, T, (uint32_t)fadt + 40, 4) < 0 ||
        loader_pointer(l, T, T, (uint32_t)fadt + 140, 8) < 0 ||
        loader_pointer(l, T, T, (uint32_t)rsdt + 36, 4) < 0 ||
        loader_pointer(l, T, T, (uint32_t)rsdt + 40, 4) < 0 ||
        loader_pointer(l, T, T, (uint32_t)xsdt + 36, 8) < 0 ||
        loader_pointer(l, T, T, (uint32_t)xsdt + 44, 8) < 0 ||
        checksum_table(l, t, (uint32_t)dsdt) < 0 || checksum_table(l, t, (uint32_t)fadt) < 0 ||
        checksum_table(l, t, (uint32_t)madt) < 0 || checksum_table(l, t, (uint32_t)rsdt) < 0 ||
        checksum_table(l, t, (uint32_t)xsdt) < 0 || loader_pointer(l, R, T, 16, 4) < 0 ||
        loader_pointer(l, R, T, 24, 8) < 0 || loader_checksum(l, R, 8, 0, 20) < 0 ||
        loader_checksum(l, R, 32, 0, 36) < 0)
        goto fail;
    return 0;
fail:
    acpi_tables_free(out);
    return ret;
}

void acpi_tables_free(struct acpi_tables *t)
{
    free(t->tables.data);
    free(t->rsdp.data);
    free(t->loader.data);
    memset(t, 0, sizeof(*t));
}
