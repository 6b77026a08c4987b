/*
 * acpi-loader.c - run a BIOS linker/loader script ourselves, as SeaBIOS's
 * romfile_loader does: for boots without firmware and for checking the
 * script in tests. Only our two files exist; every offset is checked.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw/acpi/acpi.h"

struct loader_file {
    const char *name;
    uint8_t *data;
    uint32_t len;
    uint64_t addr;
};

static struct loader_file *loader_find(struct loader_file *f, const uint8_t *name)
{
    for (int i = 0; i < 2; i++) {
        if (!strncmp((const char *)name, f[i].name, ACPI_LOADER_FILESZ))
            return &f[i];
    }
    return NULL;
}

static uint32_t get32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static int loader_run(const struct acpi_blob *script, struct loader_file *f)
{
    for (uint32_t at = 0; at + ACPI_LOADER_ENTRY_SIZE <= script->len;
         at += ACPI_LOADER_ENTRY_SIZE) {
        const uint8_t *e = script->data + at + 4;
        struct loader_file *a = loader_find(f, e), *b;
        uint32_t off, start, len, align;
        uint8_t size;

        if (!a)
            return -EINVAL;
        switch (get32(script->data + at)) {
        case ACPI_LOADER_ALLOCATE:
            align = get32(e + ACPI_LOADER_FILESZ);
            if (align & (align - 1) || (align && a->addr % align))
                return -EINVAL;
            break;
        case ACPI_LOADER_ADD_POINTER:
            b = loader_find(f, e + ACPI_LOADER_FILESZ);
            off = get32(e + 2 * ACPI_LOADER_FILESZ);
            size = e[2 * ACPI_LOADER_FILESZ + 4];
            if (!b || (size != 1 && size != 2 && size != 4 && size != 8) || off > a->len ||
                size > a->len - off)
                return -EINVAL;
            uint64_t v = 0;
            for (int i = 0; i < size; i++)
                v |= (uint64_t)a->data[off + i] << (8 * i);
            v += b->addr;
            for (int i = 0; i < size; i++)
                a->data[off + i] = (uint8_t)(v >> (8 * i));
            break;
        case ACPI_LOADER_ADD_CHECKSUM:
            off = get32(e + ACPI_LOADER_FILESZ);
            start = get32(e + ACPI_LOADER_FILESZ + 4);
            len = get32(e + ACPI_LOADER_FILESZ + 8);
            if (off >= a->len || start > a->len || len > a->len - start)
                return -EINVAL;
            a->data[off] -= acpi_checksum(a->data + start, len);
            break;
        default:
            return -EINVAL;
        }
    }
    return 0;
}

int acpi_tables_install(const struct acpi_tables *t, struct address_space *as, uint64_t tables_addr,
                        uint64_t rsdp_addr)
{
    struct loader_file f[2] = {
        {ACPI_FILE_TABLES, malloc(t->tables.len ? t->tables.len : 1), t->tables.len, tables_addr},
        {ACPI_FILE_RSDP, malloc(t->rsdp.len ? t->rsdp.len : 1), t->rsdp.len, rsdp_addr},
    };
    int ret = -ENOMEM;

    if (!f[0].data || !f[1].data)
        goto out;
    memcpy(f[0].data, t->tables.data, t->tables.len);
    memcpy(f[1].data, t->rsdp.data, t->rsdp.len);
    ret = loader_run(&t->loader, f);
    if (ret < 0)
        goto out;
    for (int i = 0; i < 2; i++) {
        if (!address_space_host_ptr(as, f[i].addr, f[i].len, true) ||
            address_space_write(as, f[i].addr, f[i].data, f[i].len) != MEMTX_OK) {
            ret = -EIO;
            goto out;
        }
    }
out:
    free(f[0].data);
    free(f[1].data);
    return ret;
}
