/*
 * test-acpi.c - the pc machine's ACPI tables as an OS finds them: the
 * loader script is run into guest RAM, then the RSDP is searched for in
 * 0xe0000-0xfffff and every table is followed from it and checked
 * (signature, length, checksum, FADT fields, the DSDT's \_S5, each MADT
 * entry); pc's DSDT: PCI0's _CRS windows, _PRT onto the PIIX's PIRQ
 * link devices, _PIC. microvm's DSDT: no PCI0, one LNRO0005 device per
 * virtio-mmio slot. The AML encoder's PkgLengths, names and integers.
 * Then the PM registers: S5 powers off, other sleep types do not, SCI
 * follows status & enable, the PM timer runs at 3.579545 MHz.
 *
 * With a directory argument it also writes pc-dsdt.aml and microvm-dsdt.aml
 * there, for tests/suites/x86.sh to decode with ACPICA's disassembler.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/clock.h"
#include "emu-core/device.h"
#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/memory.h"
#include "hw/acpi/acpi.h"
#include "hw/acpi/aml.h"
#include "tests/unit/check.h"

static struct address_space as;

static uint64_t rd(uint64_t addr, unsigned n)
{
    uint64_t v = 0;
    address_space_read(&as, addr, &v, n);
    return v;
}

/* A table at addr with signature sig and a valid checksum: its length, else 0. */
static uint32_t table_ok(uint64_t addr, const char *sig)
{
    char s[4];
    static uint8_t buf[8192];
    uint32_t len = (uint32_t)rd(addr + 4, 4);

    address_space_read(&as, addr, s, 4);
    if (memcmp(s, sig, 4) || len < 36 || len > sizeof(buf))
        return 0;
    address_space_read(&as, addr, buf, len);
    return acpi_checksum(buf, len) == 0 ? len : 0;
}

/* The DSDT as the FADT names it, written to dir/name when dir is given. */
static uint64_t dsdt_of(uint64_t rsdp, const char *dir, const char *name)
{
    uint64_t fadt = rd(rd(rsdp + 16, 4) + 36, 4), dsdt = rd(fadt + 40, 4);
    uint32_t len = table_ok(dsdt, "DSDT");

    if (dir && len) {
        char path[512];
        static uint8_t buf[8192];
        FILE *f;
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        address_space_read(&as, dsdt, buf, len);
        CHECK((f = fopen(path, "wb")) != NULL);
        if (f) {
            CHECK_EQ(fwrite(buf, 1, len, f), len);
            fclose(f);
        }
    }
    return dsdt;
}

/*
 * microvm: Scope (\_SB) holds Device (VRnn) { _HID "LNRO0005", _UID nn,
 * _CRS { Memory32Fixed (base + nn * 0x200, 0x200), Interrupt (level, high) {gsi + nn} } }.
 */
static void check_microvm_dsdt(const struct acpi_pc_config *pc, const char *dir)
{
    struct acpi_pc_config c = *pc;
    struct acpi_tables t;

    c.no_pci = true;
    c.pci_irq_mask = 0;
    c.virtio_mmio_count = 8;
    c.virtio_mmio_base = 0xfeb00000;
    c.virtio_mmio_size = 0x200;
    c.virtio_mmio_gsi = 16;
    CHECK_EQ(acpi_build_pc(&c, &t), 0);
    CHECK_EQ(acpi_tables_install(&t, &as, 0xfe0000, 0xf5a10), 0);
    uint64_t dsdt = dsdt_of(0xf5a10, dir, "microvm-dsdt.aml");
    uint32_t dlen = table_ok(dsdt, "DSDT");
    CHECK_EQ(dlen, 36 + 13 + 1 + 2 + 5 + 8 * 61);
    uint8_t aml[4096];
    address_space_read(&as, dsdt + 36, aml, dlen - 36);
    CHECK_EQ(aml[13], 0x10);
    /* Two-byte PkgLength: 0x40 | low nibble, then the rest (ACPI 20.2.4). */
    CHECK_EQ(aml[14] >> 6, 1);
    CHECK_EQ((aml[14] & 15) | aml[15] << 4, dlen - 36 - 14);
    CHECK(!memcmp(aml + 16, "\\_SB_", 5));
    for (int i = 0; i < 8; i++) {
        const uint8_t *d = aml + 21 + i * 61;
        char name[5] = {'V', 'R', (char)('0' + i / 10), (char)('0' + i % 10), 0};
        CHECK(!memcmp(d, "\x5b\x82", 2));
        CHECK_EQ(2 + d[2], 61);
        CHECK(!memcmp(d + 3, name, 4));
        CHECK(!memcmp(d + 7, "\x08_HID\x0dLNRO0005", 15));
        CHECK_EQ(d[28], i);
        CHECK_EQ(d[38], 0x86);
        uint32_t base, size, gsi;
        memcpy(&base, d + 42, 4);
        memcpy(&size, d + 46, 4);
        memcpy(&gsi, d + 55, 4);
        CHECK_EQ(base, 0xfeb00000u + 0x200u * (uint32_t)i);
        CHECK_EQ(size, 0x200);
        CHECK_EQ(d[53], 0x01); /* consumer, level, active high, exclusive */
        CHECK_EQ(gsi, 16u + (uint32_t)i);
        CHECK(!memcmp(d + 59, "\x79\x00", 2));
    }
    acpi_tables_free(&t);
    c.virtio_mmio_count = 33;
    CHECK_EQ(acpi_build_pc(&c, &t), -EINVAL);
}

/* A PkgLength at p (ACPI 20.2.4): the value, *n its size in bytes. */
static uint32_t pkglen(const uint8_t *p, int *n)
{
    uint32_t v = p[0] & 63;

    *n = 1 + (p[0] >> 6);
    if (*n > 1) {
        v = p[0] & 15;
        for (int i = 1; i < *n; i++)
            v |= (uint32_t)p[i] << (4 + 8 * (i - 1));
    }
    return v;
}

/* The first occurrence of the n bytes s in aml[0, len), or NULL. */
static const uint8_t *find(const uint8_t *aml, uint32_t len, const void *s, uint32_t n)
{
    for (uint32_t i = 0; i + n <= len; i++)
        if (!memcmp(aml + i, s, n))
            return aml + i;
    return NULL;
}

/* The AML encoder: PkgLength sizes at their limits, name paths, integers. */
static void check_aml_encoder(void)
{
    static const uint32_t sizes[] = {0, 62, 63, 64, 4000, 4094, 4095, 70000};
    struct acpi_blob b = {0};
    struct aml a;

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        static uint8_t zero[70000];
        b.len = 0;
        aml_begin(&a, &b);
        aml_open(&a, AML_SCOPE);
        aml_bytes(&a, zero, sizes[i]);
        aml_close(&a);
        CHECK_EQ(aml_end(&a), 0);
        int n;
        uint32_t v = pkglen(b.data + 1, &n);
        CHECK_EQ(n, sizes[i] + 1 <= 63 ? 1 : sizes[i] + 2 <= 4095 ? 2 : 3);
        CHECK_EQ(v, sizes[i] + (uint32_t)n);
        CHECK_EQ(b.len, 1 + v);
    }
    b.len = 0;
    aml_begin(&a, &b);
    aml_name(&a, "\\_SB_");
    aml_name(&a, "PCI0.ISA_");
    aml_name(&a, "^PCI0.ISA_.P40C");
    aml_int(&a, 1);
    aml_int(&a, 0x80);
    aml_int(&a, 0x1234);
    aml_int(&a, 0x10000);
    aml_int(&a, 0x100000000ull);
    aml_eisaid(&a, "PNP0C0F");
    CHECK_EQ(aml_end(&a), 0);
    static const uint8_t want[] = "\\_SB_"
                                  "\x2e"
                                  "PCI0ISA_"
                                  "^\x2f\x03"
                                  "PCI0ISA_P40C"
                                  "\x01"
                                  "\x0a\x80"
                                  "\x0b\x34\x12"
                                  "\x0c\x00\x00\x01\x00"
                                  "\x0e\x00\x00\x00\x00\x01\x00\x00\x00"
                                  "\x0c\x41\xd0\x0c\x0f";
    CHECK_EQ(b.len, sizeof(want) - 1);
    CHECK(!memcmp(b.data, want, sizeof(want) - 1));
    /* Unbalanced brackets and short segments are errors. */
    b.len = 0;
    aml_begin(&a, &b);
    aml_open(&a, AML_SCOPE);
    CHECK_EQ(aml_end(&a), -EINVAL);
    aml_begin(&a, &b);
    aml_close(&a);
    CHECK_EQ(aml_end(&a), -EINVAL);
    aml_begin(&a, &b);
    aml_name(&a, "PCI");
    CHECK_EQ(aml_end(&a), -EINVAL);
    free(b.data);
}

/*
 * pc's DSDT body: \_S5, PICF, _PIC, then Scope (\_SB) holding PCI0 (_HID,
 * _UID, _CRS with the bus range, I/O and memory windows, _PRT with the
 * PIIX's swizzle onto LNKA-D, the ISA bridge's PIRQRC region), the PRQn
 * field and the four link devices.
 */
static void check_pc_dsdt(const uint8_t *aml, uint32_t len)
{
    int n;

    CHECK(!memcmp(aml, "\x08\\_S5_\x12\x06\x04\0\0\0\0", 13));
    CHECK(!memcmp(aml + 13, "\x08PICF\x00\x14\x0c_PIC\x01\x70\x68PICF", 19));
    const uint8_t *sb = aml + 32;
    CHECK_EQ(sb[0], 0x10);
    uint32_t sblen = pkglen(sb + 1, &n);
    CHECK_EQ(1 + sblen, len - 32); /* the scope covers the rest */
    CHECK(!memcmp(sb + 1 + n, "\\_SB_\x5b\x82", 7));
    const uint8_t *pci = sb + 1 + n + 5;
    uint32_t pcilen = pkglen(pci + 2, &n);
    CHECK(!memcmp(pci + 2 + n, "PCI0\x08_HID\x0c\x41\xd0\x0a\x03\x08_UID\x00", 20));

    /* _CRS: a Buffer of bus numbers, config ports, two I/O and two memory windows, End. */
    static const uint8_t crs[] = {
        0x88, 13,   0,    2,    0x0c, 0,    0,    0, 0, 0,    0xff, 0,    0,    0,    0x00,
        0x01,                                        /* bus 0-0xff */
        0x47, 1,    0xf8, 0x0c, 0xf8, 0x0c, 1,    8, /* 0xcf8-0xcff */
        0x88, 13,   0,    1,    0x0c, 3,    0,    0, 0, 0,    0xf7, 0x0c, 0,    0,    0xf8,
        0x0c, 0x88, 13,   0,    1,    0x0c, 3,    0, 0, 0x00, 0x0d, 0xff, 0xff, 0,    0,
        0x00, 0xf3, 0x87, 23,   0,    0,    0x0c, 3, 0, 0,    0,    0,    0,    0,    0x0a,
        0,    0xff, 0xff, 0x0b, 0,    0,    0,    0, 0, 0,    0,    0x02, 0, /* 0xa0000-0xbffff,
                                                                                cacheable */
        0x87, 23,   0,    0,    0x0c, 1,    0,    0, 0, 0,    0,    0,    0,    0x08, 0xff,
        0xff, 0xbf, 0xfe, 0,    0,    0,    0,    0, 0, 0xc0, 0xf6, /* 0x08000000-0xfebfffff */
        0x79, 0};
    const uint8_t *p = find(aml, len, "\x08_CRS\x11", 6);
    CHECK(p != NULL);
    if (p) {
        p += 6;
        pkglen(p, &n);
        CHECK_EQ(p[n], 0x0a);
        CHECK_EQ(p[n + 1], sizeof(crs));
        CHECK(!memcmp(p + n + 2, crs, sizeof(crs)));
    }

    /* _PRT: 128 entries {slot << 16 | 0xffff, pin, LNKx, 0}, x = (slot - 1 + pin) mod 4. */
    p = find(aml, len, "\x08_PRT\x12", 6);
    CHECK(p != NULL);
    if (p) {
        p += 6;
        pkglen(p, &n);
        p += n;
        CHECK_EQ(*p++, 128);
        for (int slot = 0; slot < 32; slot++) {
            for (int pin = 0; pin < 4; pin++) {
                uint8_t e[32] = {0x12, 0, 4}, *q = e + 3;
                uint32_t adr = (uint32_t)slot << 16 | 0xffff;
                if (slot) {
                    *q++ = 0x0c;
                    memcpy(q, &adr, 4);
                    q += 4;
                } else {
                    *q++ = 0x0b;
                    *q++ = 0xff;
                    *q++ = 0xff;
                }
                if (pin > 1)
                    *q++ = 0x0a;
                *q++ = (uint8_t)pin;
                memcpy(q, "LNK", 3);
                q[3] = (uint8_t)('A' + (slot + 3 + pin) % 4);
                q += 4;
                *q++ = 0;
                e[1] = (uint8_t)(q - e - 1);
                CHECK(!memcmp(p, e, (size_t)(q - e)));
                p += q - e;
            }
        }
        /* then Device (ISA) with the PIIX's PIRQRC bytes as a PCI_Config region */
        CHECK(!memcmp(p, "\x5b\x82", 2));
        pkglen(p + 2, &n);
        CHECK(!memcmp(p + 2 + n, "ISA_\x08_ADR\x0c\x00\x00\x01\x00\x5b\x80P40C\x02\x0a\x60\x0a\x04",
                      25));
        CHECK_EQ(p + 2 + n + 25, pci + 2 + pcilen); /* the end of PCI0 */
    }
    CHECK(find(aml, len, "\x5b\x81\x24\x2f\x03PCI0ISA_P40C\x01PRQ0\x08PRQ1\x08PRQ2\x08PRQ3\x08",
               37) != NULL);
    for (int i = 0; i < 4; i++) {
        char dev[14] = {'L',  'N',  'K', (char)('A' + i), 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41,
                        0xd0, 0x0c, 0x0f};
        p = find(aml, len, dev, sizeof(dev));
        CHECK(p != NULL && p[-4] == 0x5b && p[-3] == 0x82);
        /* _PRS: the PCI IRQs but the SCI, level, active high, shared */
        CHECK(find(aml, len, "\x89\x0e\x00\x09\x03\x05\0\0\0\x0a\0\0\0\x0b\0\0\0\x79", 18) != NULL);
    }
}

static int sci_level;
static void sci_set(void *opaque, int n, int level)
{
    (void)opaque;
    (void)n;
    sci_level = level;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : NULL;
    struct mem_region root, ram;
    struct acpi_tables t;
    struct acpi_pc_config c = {.ncpus = 1,
                               .apic_ids = {0},
                               .lapic_base = 0xfee00000,
                               .ioapic_base = 0xfec00000,
                               .ioapic_id = 0,
                               .pm_base = 0x600,
                               .sci_irq = 9,
                               .pci_irq_mask = 1 << 5 | 1 << 9 | 1 << 10 | 1 << 11,
                               .pci_mem_base = 0x08000000,
                               .pci_mem_end = 0xfebfffff};

    log_enabled = 0;
    mem_region_init_container(&root, "sys", UINT64_MAX);
    address_space_init(&as, &root, "memory");
    CHECK_EQ(mem_region_init_ram(&ram, "ram", 16 << 20), 0);
    mem_region_add_subregion(&root, 0, &ram, 0);

    CHECK_EQ(acpi_build_pc(&c, &t), 0);
    CHECK_EQ(t.loader.len % 128, 0);
    CHECK_EQ(acpi_tables_install(&t, &as, 0xfe0000, 0xf5a10), 0);
    CHECK_EQ(acpi_tables_install(&t, &as, 0xfe0020, 0xf5a00), -EINVAL); /* breaks align 64 */
    CHECK_EQ(acpi_tables_install(&t, &as, 0x2000000, 0xf5a00), -EIO);   /* no RAM there */

    /* The OS's search: 16-byte steps through the BIOS area (ACPI 5.2.5.1). */
    uint64_t rsdp = 0;
    for (uint64_t a = 0xe0000; a < 0x100000 && !rsdp; a += 16) {
        uint8_t b[36];
        address_space_read(&as, a, b, 36);
        if (!memcmp(b, "RSD PTR ", 8) && acpi_checksum(b, 20) == 0 && acpi_checksum(b, 36) == 0)
            rsdp = a;
    }
    CHECK_EQ(rsdp, 0xf5a10);
    CHECK_EQ(rd(rsdp + 15, 1), 2);
    uint64_t rsdt = rd(rsdp + 16, 4), xsdt = rd(rsdp + 24, 8);
    CHECK_EQ(table_ok(rsdt, "RSDT"), 44);
    CHECK_EQ(table_ok(xsdt, "XSDT"), 52);
    uint64_t fadt = rd(rsdt + 36, 4), madt = rd(rsdt + 40, 4);
    CHECK_EQ(rd(xsdt + 36, 8), fadt);
    CHECK_EQ(rd(xsdt + 44, 8), madt);

    /* FADT: revision 3, PM blocks, SCI, both pointer widths agree. */
    CHECK_EQ(table_ok(fadt, "FACP"), 244);
    CHECK_EQ(rd(fadt + 8, 1), 3);
    CHECK_EQ(rd(fadt + 46, 2), 9);
    CHECK_EQ(rd(fadt + 48, 4), 0);
    CHECK_EQ(rd(fadt + 56, 4), 0x600);
    CHECK_EQ(rd(fadt + 64, 4), 0x604);
    CHECK_EQ(rd(fadt + 76, 4), 0x608);
    CHECK_EQ(rd(fadt + 88, 1), 4);
    CHECK_EQ(rd(fadt + 89, 1), 2);
    CHECK_EQ(rd(fadt + 91, 1), 4);
    CHECK_EQ(rd(fadt + 116, 4), 0x01000801); /* RESET_REG: I/O, 8 bits, byte access */
    CHECK_EQ(rd(fadt + 120, 8), 0xcf9);
    CHECK_EQ(rd(fadt + 128, 1), 6);
    CHECK_EQ(rd(fadt + 132, 8), 0); /* X_FIRMWARE_CTRL: FIRMWARE_CTRL alone names the FACS */
    CHECK_EQ(rd(fadt + 140, 8), rd(fadt + 40, 4));
    CHECK_EQ(rd(fadt + 176, 8), 0x604); /* X_PM1a_CNT_BLK address */
    uint64_t facs = rd(fadt + 36, 4), dsdt = dsdt_of(rsdp, dir, "pc-dsdt.aml");
    CHECK_EQ(facs % 64, 0);
    CHECK_EQ(rd(facs, 4), 0x53434146); /* "FACS" */
    CHECK_EQ(rd(facs + 4, 4), 64);

    /* DSDT: Name(\_S5, Package(4){0,0,0,0}) right after the header, then PICF and _PIC. */
    uint32_t dlen = table_ok(dsdt, "DSDT");
    static uint8_t aml[8192];
    CHECK(dlen > 36 + 60 && dlen - 36 <= sizeof(aml));
    address_space_read(&as, dsdt + 36, aml, dlen - 36);
    check_pc_dsdt(aml, dlen - 36);

    /* MADT: header fields, then LAPIC, IOAPIC, overrides 0->2 and 5/9/10/11 level, LINT1 NMI. */
    uint32_t mlen = table_ok(madt, "APIC");
    CHECK_EQ(mlen, 44 + 8 + 12 + 5 * 10 + 6);
    CHECK_EQ(rd(madt + 36, 4), 0xfee00000);
    CHECK_EQ(rd(madt + 40, 4), 1);
    int lapics = 0, ioapics = 0, isos = 0, nmis = 0;
    for (uint64_t p = madt + 44; p < madt + mlen;) {
        uint8_t type = (uint8_t)rd(p, 1), len = (uint8_t)rd(p + 1, 1);
        if (len < 2)
            break;
        switch (type) {
        case 0:
            lapics++;
            CHECK_EQ(len, 8);
            CHECK_EQ(rd(p + 3, 1), 0);
            CHECK_EQ(rd(p + 4, 4), 1);
            break;
        case 1:
            ioapics++;
            CHECK_EQ(len, 12);
            CHECK_EQ(rd(p + 4, 4), 0xfec00000);
            CHECK_EQ(rd(p + 8, 4), 0);
            break;
        case 2: {
            uint8_t src = (uint8_t)rd(p + 3, 1);
            isos++;
            CHECK_EQ(len, 10);
            CHECK_EQ(rd(p + 4, 4), src == 0 ? 2 : src);
            CHECK_EQ(rd(p + 8, 2), src == 0 ? 0 : 0xd);
            CHECK(src == 0 || src == 5 || src == 9 || src == 10 || src == 11);
            break;
        }
        case 4:
            nmis++;
            CHECK_EQ(rd(p + 2, 1), 0xff);
            CHECK_EQ(rd(p + 5, 1), 1);
            break;
        default:
            CHECK(!"unexpected MADT entry");
        }
        p += len;
    }
    CHECK_EQ(lapics, 1);
    CHECK_EQ(ioapics, 1);
    CHECK_EQ(isos, 5);
    CHECK_EQ(nmis, 1);
    acpi_tables_free(&t);
    check_microvm_dsdt(&c, dir);
    check_aml_encoder();
    c.ncpus = 0;
    CHECK_EQ(acpi_build_pc(&c, &t), -EINVAL);

    /* PM registers. */
    struct machine m;
    struct vclock clk;
    struct irq_line sci = {.handler = sci_set};
    struct mem_region ioroot;
    struct address_space io;
    memset(&m, 0, sizeof(m));
    vclock_init(&clk);
    mem_region_init_container(&ioroot, "io", 0x10000);
    address_space_init(&io, &ioroot, "io");
    struct device *pm = device_new(&m, &acpi_pm_type, "pm");
    device_prop_set_link(pm, "clock", &clk);
    device_prop_set_link(pm, "sci", &sci);
    CHECK_EQ(device_realize(pm), 0);
    mem_region_add_subregion(&ioroot, 0x600, acpi_pm_io(pm), 0);
    uint64_t v;
    address_space_load(&io, 0x604, 2, &v);
    CHECK_EQ(v, 1); /* SCI_EN: already in ACPI mode */
    vclock_set(&clk, 1000000000ull);
    address_space_load(&io, 0x608, 4, &v);
    CHECK_EQ(v, 3579545 & 0xffffff);
    vclock_set(&clk, 10000000000ull); /* 35795450 wraps at 24 bits */
    address_space_load(&io, 0x608, 4, &v);
    CHECK_EQ(v, 35795450 & 0xffffff);
    acpi_pm_power_button(pm);
    CHECK_EQ(sci_level, 0);
    address_space_store(&io, 0x602, 2, 0x100); /* PWRBTN_EN */
    CHECK_EQ(sci_level, 1);
    address_space_load(&io, 0x600, 2, &v);
    CHECK_EQ(v, 0x100);
    address_space_store(&io, 0x600, 2, 0x100); /* write 1 to clear */
    CHECK_EQ(sci_level, 0);
    address_space_store(&io, 0x604, 2, 1 << 10 | 0x2000); /* S1 with SLP_EN: ignored */
    CHECK_EQ(m.shutdown_request, SHUTDOWN_NONE);
    address_space_store(&io, 0x604, 2, ACPI_SLP_TYP_S5 << 10); /* type without SLP_EN */
    CHECK_EQ(m.shutdown_request, SHUTDOWN_NONE);
    address_space_store(&io, 0x604, 2, ACPI_SLP_TYP_S5 << 10 | 0x2000);
    CHECK_EQ(m.shutdown_request, SHUTDOWN_GUEST_POWEROFF);
    CHECK_EQ(m.exit_status, 0);
    address_space_load(&io, 0x604, 2, &v);
    CHECK_EQ(v & 0x2000, 0); /* SLP_EN reads 0 */
    return check_summary("acpi");
}
