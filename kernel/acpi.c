/*
 * acpi.c - just enough ACPI to power the PC off: the RSDP (from the loader,
 * or found in the BIOS areas), the FADT's PM1 control blocks and the \_S5
 * sleep type from the DSDT's AML. Plus QEMU's isa-debug-exit, which lets
 * tests see an exit status.
 */
#include <stdint.h>
#include <string.h>

#include "kernel/kernel.h"

#define SCI_EN 0x0001
#define SLP_EN (1u << 13)
#define DEBUG_EXIT_PORT 0xF4

struct acpi_header {
    char sig[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem[6], oem_table[8];
    uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

static uint32_t pm1a_cnt, pm1b_cnt, smi_cmd;
static uint8_t acpi_enable_val;
static int slp_typa = -1, slp_typb;

static bool checksum_ok(const void *p, size_t len)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++)
        sum += ((const uint8_t *)p)[i];
    return sum == 0;
}

/* Tables must lie in the identity-mapped low 4 GiB (where firmware puts them). */
static const struct acpi_header *table_at(uint64_t addr)
{
    if (!addr || addr >= 0x100000000ull - sizeof(struct acpi_header))
        return NULL;
    const struct acpi_header *h = (const void *)(uintptr_t)addr;
    if (h->length < sizeof(*h) || h->length > (1u << 24) || addr + h->length > 0x100000000ull)
        return NULL;
    return checksum_ok(h, h->length) ? h : NULL;
}

static uint64_t rsdp_scan(uint64_t start, uint64_t len)
{
    for (uint64_t a = start; a + 20 <= start + len; a += 16)
        if (!memcmp((const void *)(uintptr_t)a, "RSD PTR ", 8) &&
            checksum_ok((const void *)(uintptr_t)a, 20))
            return a;
    return 0;
}

/* PkgLength: the top bits of the first byte count the bytes that follow. */
static const uint8_t *skip_pkglength(const uint8_t *p)
{
    return p + 1 + (p[0] >> 6);
}

/* One integer element of a package: ZeroOp, OneOp, OnesOp or BytePrefix n. */
static int aml_small_int(const uint8_t **pp)
{
    const uint8_t *p = *pp;

    switch (p[0]) {
    case 0x00:
    case 0x01:
        *pp = p + 1;
        return p[0];
    case 0xFF:
        *pp = p + 1;
        return 0xFF;
    case 0x0A:
        *pp = p + 2;
        return p[1];
    default:
        return -1;
    }
}

/* Name(_S5, Package() {a, b, ...}) anywhere in the DSDT's AML. */
static void find_s5(const struct acpi_header *dsdt)
{
    const uint8_t *p = (const uint8_t *)dsdt + sizeof(*dsdt);
    const uint8_t *end = (const uint8_t *)dsdt + dsdt->length;

    for (; p + 12 < end; p++) {
        if (memcmp(p, "_S5_", 4))
            continue;
        /* NameOp directly before, or before a root prefix '\'. */
        if (!(p[-1] == 0x08 || (p[-1] == '\\' && p[-2] == 0x08)))
            continue;
        const uint8_t *q = p + 4;
        if (*q != 0x12) /* PackageOp */
            continue;
        q = skip_pkglength(q + 1);
        q++; /* NumElements */
        int a = aml_small_int(&q);
        int b = aml_small_int(&q);
        if (a < 0)
            continue;
        slp_typa = a & 7;
        slp_typb = b < 0 ? 0 : b & 7;
        return;
    }
}

static void parse_fadt(const struct acpi_header *f)
{
    const uint8_t *b = (const uint8_t *)f;
    uint32_t u32;
    uint64_t dsdt = 0;

    if (f->length < 76)
        return;
    memcpy(&u32, b + 40, 4);
    dsdt = u32;
    memcpy(&smi_cmd, b + 48, 4);
    acpi_enable_val = b[52];
    memcpy(&pm1a_cnt, b + 64, 4);
    memcpy(&pm1b_cnt, b + 68, 4);
    if (f->length >= 148) {
        uint64_t x;
        memcpy(&x, b + 140, 8);
        if (x)
            dsdt = x;
    }
    const struct acpi_header *d = table_at(dsdt);
    if (d && !memcmp(d->sig, "DSDT", 4))
        find_s5(d);
}

void kern_acpi_init(void)
{
    uint64_t rsdp = kern_boot.rsdp;

    if (!rsdp) {
        uintptr_t bda_ebda = 0x40E;   /* the BIOS data area's EBDA segment */
        __asm__("" : "+r"(bda_ebda)); /* a fixed low address is not an array bounds bug */
        uint64_t ebda = (uint64_t)(*(volatile uint16_t *)bda_ebda) << 4;
        if (ebda >= 0x80000 && ebda < 0xA0000)
            rsdp = rsdp_scan(ebda, 1024);
        if (!rsdp)
            rsdp = rsdp_scan(0xE0000, 0x20000);
    }
    if (!rsdp)
        return;
    const uint8_t *r = (const uint8_t *)(uintptr_t)rsdp;
    uint32_t rsdt;
    uint64_t xsdt = 0;
    memcpy(&rsdt, r + 16, 4);
    if (r[15] >= 2)
        memcpy(&xsdt, r + 24, 8);

    const struct acpi_header *sdt = table_at(xsdt);
    int entry = 8;
    if (!sdt) {
        sdt = table_at(rsdt);
        entry = 4;
    }
    if (!sdt)
        return;
    const uint8_t *e = (const uint8_t *)sdt + sizeof(*sdt);
    size_t n = (sdt->length - sizeof(*sdt)) / entry;
    for (size_t i = 0; i < n; i++) {
        uint64_t a = 0;
        memcpy(&a, e + i * entry, entry);
        const struct acpi_header *t = table_at(a);
        if (t && !memcmp(t->sig, "FACP", 4)) {
            parse_fadt(t);
            return;
        }
    }
}

void kern_acpi_poweroff(void)
{
    if (!pm1a_cnt || slp_typa < 0 || pm1a_cnt > 0xFFFF)
        return;
    /* Firmware that left the PC in legacy mode wants ACPI enabled first. */
    if (!(inw(pm1a_cnt) & SCI_EN) && smi_cmd && acpi_enable_val) {
        outb(smi_cmd, acpi_enable_val);
        for (int i = 0; i < 300 && !(inw(pm1a_cnt) & SCI_EN); i++)
            kern_udelay(1000);
    }
    outw(pm1a_cnt, (slp_typa << 10) | SLP_EN);
    if (pm1b_cnt && pm1b_cnt <= 0xFFFF)
        outw(pm1b_cnt, (slp_typb << 10) | SLP_EN);
    kern_udelay(100000);
}

/*
 * Bochs's "port E9 hack" console reads back 0xE9 (an unused port reads all
 * ones): the status goes there too, for tests/scripts/bochs-run.sh, since
 * Bochs's ACPI power-off cannot carry one.
 */
static void debug_exit_bochs(int status)
{
    char buf[40] = "baremu: exit status ";
    char digits[12];
    int n = 0, len = 20;
    unsigned v = status < 0 ? 0u - (unsigned)status : (unsigned)status;

    if (inb(0xE9) != 0xE9)
        return;
    if (status < 0)
        buf[len++] = '-';
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 11);
    while (n)
        buf[len++] = digits[--n];
    buf[len++] = '\n';
    for (int i = 0; i < len; i++)
        outb(0xE9, (uint8_t)buf[i]);
}

void kern_debug_exit(int status)
{
    debug_exit_bochs(status);
    /*
     * QEMU's isa-debug-exit reads as 0 where an unassigned port reads all
     * ones; on real PCs the port is unused, so only QEMU with the device
     * takes this path.
     */
    if (inb(DEBUG_EXIT_PORT) != 0)
        return;
    outl(DEBUG_EXIT_PORT, (uint32_t)status);
}
