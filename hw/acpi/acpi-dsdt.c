/*
 * acpi-dsdt.c - the DSDT's AML (ACPI 6.4 chapters 6 and 19) for pc and
 * microvm, through the encoder of aml.h. In ASL (tests/guests/x86/dsdt-pc.asl
 * is what ACPICA's disassembler makes of it):
 *
 *   Name (\_S5, Package (4) {0, 0, 0, 0})       soft-off: SLP_TYP 0, as QEMU's PIIX4
 *   Name (PICF, 0), Method (_PIC, 1) {PICF = Arg0}  the OS says PIC (0) or APIC (1) mode
 *   Scope (\_SB) {
 *     Device (PCI0) {                           the PCI root bridge (PNP0A03)
 *       _HID, _UID, _CRS: bus 0-255, the config ports, I/O 0-0xcf7 and 0xd00-0xffff,
 *         memory 0xa0000-0xbffff (VGA) and the hole from the top of low RAM to the
 *         I/O APIC (where SeaBIOS puts the BARs)
 *       _PRT: slot s INTx (x = 0..3 for A..D) on link LNK(A + (s - 1 + x) % 4), the
 *         PIIX's swizzle (hw/pci/i440fx.c)
 *       Device (ISA) { _ADR 1.0, OperationRegion (P40C, PCI_Config, 0x60, 4) }: PIRQRC
 *     }
 *     Field (PCI0.ISA.P40C) {PRQ0, 8, ... PRQ3, 8}
 *     IQST, IQCR: a PIRQRC byte as _STA and as a _CRS
 *     Device (LNKA) .. (LNKD) {                 PCI interrupt links (PNP0C0F), as QEMU's
 *       _PRS: level, active high, shared on the ISA IRQs PCI may use (the MADT's level ones
 *       but the SCI); _STA, _CRS read PRQn; _SRS writes it; _DIS sets its disable bit
 *     }
 *   }
 *
 * The links are what the hardware does in both modes: a PIRQ line drives
 * the ISA IRQ its PIRQRC byte names, at the 8259 and at the I/O APIC pin of
 * the same number (GSI = IRQ for 5, 9, 10, 11), so an OS in APIC mode gets
 * the link's IRQ as its GSI. microvm has no PCI0 but one LNRO0005 device
 * per virtio-mmio slot.
 */
#include <string.h>

#include "hw/acpi/aml.h"

/* 6.4.3.5.2-3 Word/DWord Address Space Descriptors: producer, MinFixed, MaxFixed. */
static uint32_t res_word(uint8_t *p, uint8_t type, uint8_t tflags, uint16_t min, uint16_t max)
{
    static const uint8_t head[] = {0x88, 13, 0};
    uint16_t v[5] = {0, min, max, 0, (uint16_t)(max - min + 1)}; /* gran, min, max, tra, len */

    memcpy(p, head, 3);
    p[3] = type; /* 1 I/O, 2 bus number */
    p[4] = 0x0c; /* MIF | MAF, positive decode, producer */
    p[5] = tflags;
    for (int i = 0; i < 5; i++) {
        p[6 + 2 * i] = (uint8_t)v[i];
        p[7 + 2 * i] = (uint8_t)(v[i] >> 8);
    }
    return 16;
}

static uint32_t res_dword_mem(uint8_t *p, uint8_t tflags, uint32_t min, uint32_t max)
{
    uint32_t v[5] = {0, min, max, 0, max - min + 1};

    p[0] = 0x87;
    p[1] = 23;
    p[2] = 0;
    p[3] = 0; /* memory */
    p[4] = 0x0c;
    p[5] = tflags; /* bit 0 read/write, bits 1-2: 0 non-cacheable, 1 cacheable */
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 4; j++)
            p[6 + 4 * i + j] = (uint8_t)(v[i] >> (8 * j));
    return 26;
}

/* 6.4.3.4 32-Bit Fixed Memory Range Descriptor, read/write. */
static uint32_t res_mem32_fixed(uint8_t *p, uint32_t base, uint32_t size)
{
    p[0] = 0x86;
    p[1] = 9;
    p[2] = 0;
    p[3] = 0x01;
    for (int j = 0; j < 4; j++) {
        p[4 + j] = (uint8_t)(base >> (8 * j));
        p[8 + j] = (uint8_t)(size >> (8 * j));
    }
    return 12;
}

/* 6.4.3.6 Extended Interrupt Descriptor, consumer, level, active high: n IRQs (GSIs). */
#define RES_IRQ_EXCLUSIVE 0x01
#define RES_IRQ_SHARED 0x09
static uint32_t res_irqs(uint8_t *p, uint8_t flags, const uint32_t *irq, int n)
{
    p[0] = 0x89;
    p[1] = (uint8_t)(2 + 4 * n);
    p[2] = 0;
    p[3] = flags;
    p[4] = (uint8_t)n;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < 4; j++)
            p[5 + 4 * i + j] = (uint8_t)(irq[i] >> (8 * j));
    return 5 + 4 * (uint32_t)n;
}

static uint32_t res_end(uint8_t *p)
{
    p[0] = 0x79; /* End Tag, checksum 0: "treated as if the checksum is valid" */
    p[1] = 0;
    return 2;
}

static void dsdt_pci0(struct aml *a, const struct acpi_pc_config *c)
{
    static const uint8_t cfg_ports[] = {0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08};
    uint8_t r[128];
    uint32_t n = 0;

    aml_device(a, "PCI0");
    aml_name_decl(a, "_HID");
    aml_eisaid(a, "PNP0A03");
    aml_name_decl(a, "_UID");
    aml_int(a, 0);

    n += res_word(r + n, 2, 0, 0, 0xff);
    memcpy(r + n, cfg_ports, sizeof(cfg_ports)); /* IO (Decode16, 0xcf8, 0xcf8, 1, 8) */
    n += sizeof(cfg_ports);
    n += res_word(r + n, 1, 3, 0, 0xcf7); /* type flags: ISA and non-ISA ranges */
    n += res_word(r + n, 1, 3, 0xd00, 0xffff);
    n += res_dword_mem(r + n, 0x03, 0xa0000, 0xbffff);
    if (c->pci_mem_end > c->pci_mem_base)
        n += res_dword_mem(r + n, 0x01, c->pci_mem_base, c->pci_mem_end);
    n += res_end(r + n);
    aml_name_decl(a, "_CRS");
    aml_buffer(a, r, n);

    aml_name_decl(a, "_PRT");
    aml_open(a, AML_PACKAGE);
    aml_byte(a, 128);
    for (int slot = 0; slot < 32; slot++) {
        for (int pin = 0; pin < 4; pin++) {
            char link[5] = {'L', 'N', 'K', (char)('A' + ((slot + pin + 3) & 3)), 0};
            aml_open(a, AML_PACKAGE);
            aml_byte(a, 4);
            aml_int(a, (uint32_t)slot << 16 | 0xffff);
            aml_int(a, (uint64_t)pin);
            aml_name(a, link);
            aml_int(a, 0);
            aml_close(a);
        }
    }
    aml_close(a);

    aml_device(a, "ISA_");
    aml_name_decl(a, "_ADR");
    aml_int(a, 0x00010000);
    aml_byte(a, AML_EXT); /* OperationRegion has no PkgLength */
    aml_byte(a, AML_EXT_OPREGION);
    aml_name(a, "P40C");
    aml_byte(a, 0x02); /* PCI_Config */
    aml_int(a, 0x60);
    aml_int(a, 4);
    aml_close(a); /* ISA */
    aml_close(a); /* PCI0 */
}

/* IQST (PRQn): 0x09 (present, not enabled) if routing is off, else 0x0b. */
static void dsdt_iqst_iqcr(struct aml *a)
{
    aml_method(a, "IQST", 1, 0);
    aml_open(a, AML_IF);
    aml_byte(a, AML_AND);
    aml_int(a, 0x80);
    aml_byte(a, AML_ARG0);
    aml_byte(a, AML_ZERO); /* no target */
    aml_byte(a, AML_RETURN);
    aml_int(a, 0x09);
    aml_close(a);
    aml_byte(a, AML_RETURN);
    aml_int(a, 0x0b);
    aml_close(a);

    /* IQCR (PRQn): Interrupt {n}, or {0} if routing is off. */
    static const uint32_t none = 0;
    uint8_t r[16];
    uint32_t n = res_irqs(r, RES_IRQ_SHARED, &none, 1);
    n += res_end(r + n);
    aml_method(a, "IQCR", 1, 1);
    aml_name_decl(a, "PRR0");
    aml_buffer(a, r, n);
    aml_byte(a, AML_CREATE_DWORD_FIELD);
    aml_name(a, "PRR0");
    aml_int(a, 5);
    aml_name(a, "PRRI");
    aml_open(a, AML_IF);
    aml_byte(a, AML_LLESS);
    aml_byte(a, AML_ARG0);
    aml_int(a, 0x80);
    aml_byte(a, AML_STORE);
    aml_byte(a, AML_ARG0);
    aml_name(a, "PRRI");
    aml_close(a);
    aml_byte(a, AML_RETURN);
    aml_name(a, "PRR0");
    aml_close(a);
}

static void dsdt_link(struct aml *a, int i, const uint32_t *irqs, int nirqs)
{
    char name[5] = {'L', 'N', 'K', (char)('A' + i), 0};
    char prq[5] = {'P', 'R', 'Q', (char)('0' + i), 0};
    uint8_t r[64];
    uint32_t n = res_irqs(r, RES_IRQ_SHARED, irqs, nirqs);

    n += res_end(r + n);
    aml_device(a, name);
    aml_name_decl(a, "_HID");
    aml_eisaid(a, "PNP0C0F");
    aml_name_decl(a, "_UID");
    aml_int(a, (uint64_t)i);
    aml_name_decl(a, "_PRS");
    aml_buffer(a, r, n);

    aml_method(a, "_STA", 0, 0);
    aml_byte(a, AML_RETURN);
    aml_name(a, "IQST");
    aml_name(a, prq);
    aml_close(a);

    aml_method(a, "_DIS", 0, 0);
    aml_byte(a, AML_OR);
    aml_name(a, prq);
    aml_int(a, 0x80);
    aml_name(a, prq);
    aml_close(a);

    aml_method(a, "_CRS", 0, 0);
    aml_byte(a, AML_RETURN);
    aml_name(a, "IQCR");
    aml_name(a, prq);
    aml_close(a);

    /* The IRQ number is the Interrupt descriptor's first dword, at offset 5. */
    aml_method(a, "_SRS", 1, 0);
    aml_byte(a, AML_CREATE_DWORD_FIELD);
    aml_byte(a, AML_ARG0);
    aml_int(a, 5);
    aml_name(a, "PRRI");
    aml_byte(a, AML_STORE);
    aml_name(a, "PRRI");
    aml_name(a, prq);
    aml_close(a);
    aml_close(a);
}

/*
 * One virtio-mmio slot (virtio spec 1.2, 4.2.1), as QEMU's microvm names it:
 *   Device (VRnn) {
 *     Name (_HID, "LNRO0005")
 *     Name (_UID, nn)
 *     Name (_CRS, ResourceTemplate () {
 *       Memory32Fixed (ReadWrite, base, size)
 *       Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { gsi } })
 *   }
 */
static void dsdt_virtio_mmio(struct aml *a, int i, uint32_t base, uint32_t size, uint32_t gsi)
{
    char name[5] = {'V', 'R', (char)('0' + i / 10), (char)('0' + i % 10), 0};
    uint8_t r[32];
    uint32_t n = res_mem32_fixed(r, base, size);

    n += res_irqs(r + n, RES_IRQ_EXCLUSIVE, &gsi, 1);
    n += res_end(r + n);
    aml_device(a, name);
    aml_name_decl(a, "_HID");
    aml_string(a, "LNRO0005");
    aml_name_decl(a, "_UID");
    aml_byte(a, AML_BYTE_PREFIX); /* a Byte even for 0 and 1, as QEMU writes it */
    aml_byte(a, (uint8_t)i);
    aml_name_decl(a, "_CRS");
    aml_buffer(a, r, n);
    aml_close(a);
}

int acpi_build_dsdt_aml(struct acpi_blob *t, const struct acpi_pc_config *c)
{
    static const uint8_t s5[] = {0x08, 0x5c, 0x5f, 0x53, 0x35, 0x5f, 0x12,
                                 0x06, 0x04, 0x00, 0x00, 0x00, 0x00};
    struct aml a;

    aml_begin(&a, t);
    aml_bytes(&a, s5, sizeof(s5));
    if (!c->no_pci) {
        aml_name_decl(&a, "PICF");
        aml_int(&a, 0);
        aml_method(&a, "_PIC", 1, 0);
        aml_byte(&a, AML_STORE);
        aml_byte(&a, AML_ARG0);
        aml_name(&a, "PICF");
        aml_close(&a);
    }
    aml_scope(&a, "\\_SB_");
    if (!c->no_pci) {
        uint32_t irqs[16];
        int nirqs = 0;
        for (int i = 0; i < 16; i++)
            if ((c->pci_irq_mask >> i & 1) && i != c->sci_irq)
                irqs[nirqs++] = (uint32_t)i;
        dsdt_pci0(&a, c);
        aml_open_ext(&a, AML_EXT_FIELD);
        aml_name(&a, "PCI0.ISA_.P40C");
        aml_byte(&a, 0x01); /* ByteAcc, NoLock, Preserve */
        for (int i = 0; i < 4; i++) {
            char prq[5] = {'P', 'R', 'Q', (char)('0' + i), 0};
            aml_name(&a, prq);
            aml_byte(&a, 8); /* bits, as a PkgLength */
        }
        aml_close(&a);
        dsdt_iqst_iqcr(&a);
        for (int i = 0; i < 4; i++)
            dsdt_link(&a, i, irqs, nirqs);
    }
    for (int i = 0; i < c->virtio_mmio_count; i++)
        dsdt_virtio_mmio(&a, i, c->virtio_mmio_base + (uint32_t)i * c->virtio_mmio_size,
                         c->virtio_mmio_size, c->virtio_mmio_gsi + (uint32_t)i);
    aml_close(&a);
    return aml_end(&a);
}
