/*
 * efi-loader.c - baremu.efi: a UEFI application (GNU-EFI) that carries the
 * appliance kernel (the same image as baremu.elf) and starts it.
 *
 * It takes the command line from its load options (the UEFI shell or a
 * boot entry) or else from baremu.cfg beside it, reads every "module:NAME"
 * the command line names from its own directory on the ESP, places the
 * kernel at its link address, finds the ACPI RSDP, takes the memory map,
 * leaves boot services and jumps to kern_efi_entry in long mode.
 */
#include <efi.h>
#include <efilib.h>

#include "kernel/boot-info.h"

#define CFG_NAME L"baremu.cfg"
#define PATH_MAX_CHARS 512

/* The kernel image (boot/efi-kernel.S) and its 64-bit entry (from the Makefile). */
extern const UINT8 efi_kernel_image[], efi_kernel_image_end[];

struct elf64_ehdr {
    UINT8 ident[16];
    UINT16 type, machine;
    UINT32 version;
    UINT64 entry, phoff, shoff;
    UINT32 flags;
    UINT16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
    UINT32 type, flags;
    UINT64 offset, vaddr, paddr, filesz, memsz, align;
};

static EFI_FILE_HANDLE esp_root;
static CHAR16 image_dir[PATH_MAX_CHARS];

static void fail(const CHAR16 *what, EFI_STATUS st)
{
    Print(L"baremu: %s: %r\r\n", what, st);
}

static void *alloc_low(UINTN bytes, EFI_STATUS *st)
{
    /* Below 4 GiB: the kernel's boot page tables map only that much. */
    EFI_PHYSICAL_ADDRESS a = 0xFFFFFFFFull;
    *st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData,
                            EFI_SIZE_TO_PAGES(bytes ? bytes : 1), &a);
    return EFI_ERROR(*st) ? NULL : (void *)(UINTN)a;
}

/* Read dir\name whole into pages below 4 GiB. */
static EFI_STATUS read_file(const CHAR16 *name, void **data, UINT64 *size)
{
    CHAR16 path[PATH_MAX_CHARS];
    EFI_FILE_HANDLE f;
    EFI_STATUS st;
    UINT64 len;

    SPrint(path, sizeof(path), L"%s\\%s", image_dir, name);
    st = uefi_call_wrapper(esp_root->Open, 5, esp_root, &f, path, EFI_FILE_MODE_READ, 0);
    if (EFI_ERROR(st))
        return st;
    /* Seeking to the all-ones position moves to the end: the size without EFI_FILE_INFO. */
    uefi_call_wrapper(f->SetPosition, 2, f, 0xFFFFFFFFFFFFFFFFull);
    uefi_call_wrapper(f->GetPosition, 2, f, &len);
    uefi_call_wrapper(f->SetPosition, 2, f, 0);
    void *buf = alloc_low(len, &st);
    if (buf) {
        UINTN n = len;
        st = uefi_call_wrapper(f->Read, 3, f, &n, buf);
        if (!EFI_ERROR(st) && n != len)
            st = EFI_END_OF_FILE;
        if (EFI_ERROR(st))
            uefi_call_wrapper(BS->FreePages, 2, (EFI_PHYSICAL_ADDRESS)(UINTN)buf,
                              EFI_SIZE_TO_PAGES(len ? len : 1));
    }
    uefi_call_wrapper(f->Close, 1, f);
    if (EFI_ERROR(st))
        return st;
    *data = buf;
    *size = len;
    return EFI_SUCCESS;
}

static BOOLEAN is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Load options as ASCII; TRUE if they hold more than the image's own name. */
static BOOLEAN cmdline_from_options(EFI_LOADED_IMAGE *li, struct kern_boot_info *bi)
{
    const CHAR16 *o = li->LoadOptions;
    UINTN n = li->LoadOptionsSize / sizeof(CHAR16), j = 0;

    if (!o || !n)
        return FALSE;
    for (UINTN i = 0; i < n && o[i] && j + 1 < KERN_CMDLINE_MAX; i++)
        bi->cmdline[j++] = o[i] < 0x80 ? (char)o[i] : '?';
    bi->cmdline[j] = 0;
    /* The UEFI shell passes "baremu.efi ARGS"; boot entries pass ARGS alone. */
    const char *p = bi->cmdline;
    while (is_space(*p))
        p++;
    const char *w = p;
    while (*p && !is_space(*p))
        p++;
    if (p - w >= 4 && (p[-4] == '.') && (p[-3] | 0x20) == 'e' && (p[-2] | 0x20) == 'f' &&
        (p[-1] | 0x20) == 'i') {
        bi->cmdline_has_argv0 = 1;
        while (is_space(*p))
            p++;
        return *p != 0;
    }
    return *w != 0;
}

static const char *find_module_ref(const char *p)
{
    for (; *p; p++)
        if (!strncmpa((const CHAR8 *)p, (const CHAR8 *)"module:", 7))
            return p;
    return NULL;
}

static void load_modules(struct kern_boot_info *bi)
{
    const char *p = bi->cmdline;

    while ((p = find_module_ref(p)) != NULL) {
        CHAR16 name[KERN_MOD_NAME_MAX];
        UINTN n = 0;
        p += 7;
        while (*p && !is_space(*p) && *p != ',' && *p != '"' && *p != '\'' &&
               n + 1 < KERN_MOD_NAME_MAX)
            name[n++] = *p++;
        name[n] = 0;
        if (!n || bi->nmods >= KERN_MAX_MODS)
            continue;
        BOOLEAN dup = FALSE;
        for (UINT32 i = 0; i < bi->nmods; i++) {
            UINTN k = 0;
            while (k < n && bi->mods[i].name[k] == (char)name[k])
                k++;
            dup |= k == n && !bi->mods[i].name[n];
        }
        if (dup)
            continue;
        void *data;
        UINT64 size;
        /* A missing file is for the kernel to report, with the option that named it. */
        if (EFI_ERROR(read_file(name, &data, &size)))
            continue;
        struct kern_module *m = &bi->mods[bi->nmods++];
        m->start = (UINT64)(UINTN)data;
        m->size = size;
        for (UINTN k = 0; k <= n; k++)
            m->name[k] = (char)name[k];
    }
}

static EFI_STATUS place_kernel(void)
{
    const struct elf64_ehdr *eh = (const void *)efi_kernel_image;
    EFI_STATUS st;

    if (CompareMem(eh->ident, "\177ELF", 4) || eh->machine != 62)
        return EFI_LOAD_ERROR;
    for (UINT16 i = 0; i < eh->phnum; i++) {
        const struct elf64_phdr *ph =
            (const void *)(efi_kernel_image + eh->phoff + (UINT64)i * eh->phentsize);
        if (ph->type != 1 /* PT_LOAD */ || !ph->memsz)
            continue;
        EFI_PHYSICAL_ADDRESS a = ph->paddr & ~0xFFFull;
        UINTN pages = EFI_SIZE_TO_PAGES(ph->paddr + ph->memsz - a);
        st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAddress, EfiLoaderData, pages, &a);
        if (EFI_ERROR(st))
            return st;
        ZeroMem((void *)(UINTN)a, pages * EFI_PAGE_SIZE);
        CopyMem((void *)(UINTN)ph->paddr, efi_kernel_image + ph->offset, ph->filesz);
    }
    return EFI_SUCCESS;
}

static UINT64 find_rsdp(void)
{
    EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
    UINT64 old = 0;

    for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
        EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
        if (!CompareGuid(&t->VendorGuid, &acpi20))
            return (UINT64)(UINTN)t->VendorTable;
        if (!CompareGuid(&t->VendorGuid, &acpi10))
            old = (UINT64)(UINTN)t->VendorTable;
    }
    return old;
}

/* Memory the kernel may reuse once boot services are gone. */
static BOOLEAN efi_usable(UINT32 type)
{
    return type == EfiConventionalMemory || type == EfiBootServicesCode ||
           type == EfiBootServicesData || type == EfiLoaderCode;
}

static void convert_map(struct kern_boot_info *bi, const UINT8 *map, UINTN size, UINTN desc)
{
    bi->nmem = 0;
    for (UINTN off = 0; off + desc <= size; off += desc) {
        const EFI_MEMORY_DESCRIPTOR *d = (const void *)(map + off);
        UINT32 type = efi_usable(d->Type) ? KERN_MEM_USABLE : KERN_MEM_RESERVED;
        UINT64 base = d->PhysicalStart, len = d->NumberOfPages * EFI_PAGE_SIZE;
        struct kern_mem_range *last = bi->nmem ? &bi->mem[bi->nmem - 1] : NULL;
        if (last && last->type == type && last->base + last->len == base) {
            last->len += len;
            continue;
        }
        /* Out of slots: dropping reserved ranges is harmless, usable ones only waste RAM. */
        if (bi->nmem == KERN_MAX_MEM)
            continue;
        bi->mem[bi->nmem++] = (struct kern_mem_range){.base = base, .len = len, .type = type};
    }
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    EFI_GUID lip = LOADED_IMAGE_PROTOCOL, fsp = SIMPLE_FILE_SYSTEM_PROTOCOL;
    EFI_LOADED_IMAGE *li;
    EFI_FILE_IO_INTERFACE *fs;
    EFI_STATUS st;
    struct kern_boot_info *bi;

    InitializeLib(image, systab);
    st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &lip, (void **)&li);
    if (EFI_ERROR(st)) {
        fail(L"no loaded image protocol", st);
        return st;
    }
    st = uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle, &fsp, (void **)&fs);
    if (!EFI_ERROR(st))
        st = uefi_call_wrapper(fs->OpenVolume, 2, fs, &esp_root);
    if (EFI_ERROR(st)) {
        fail(L"cannot open the boot file system", st);
        return st;
    }
    CHAR16 *path = DevicePathToStr(li->FilePath);
    UINTN last = 0;
    for (UINTN i = 0; path && path[i] && i + 1 < PATH_MAX_CHARS; i++) {
        image_dir[i] = path[i] == '/' ? '\\' : path[i];
        if (image_dir[i] == '\\')
            last = i;
    }
    image_dir[last] = 0;

    bi = alloc_low(sizeof(*bi), &st);
    if (!bi) {
        fail(L"out of memory", st);
        return st;
    }
    ZeroMem(bi, sizeof(*bi));
    bi->loader = KERN_BOOT_EFI;
    CopyMem(bi->loader_name, "UEFI", 5);
    if (!cmdline_from_options(li, bi)) {
        void *cfg;
        UINT64 len;
        bi->cmdline_has_argv0 = 0;
        bi->cmdline[0] = 0;
        if (!EFI_ERROR(read_file(CFG_NAME, &cfg, &len))) {
            if (len >= KERN_CMDLINE_MAX)
                len = KERN_CMDLINE_MAX - 1;
            CopyMem(bi->cmdline, cfg, len);
            bi->cmdline[len] = 0;
        }
    }
    load_modules(bi);
    bi->rsdp = find_rsdp();
    st = place_kernel();
    if (EFI_ERROR(st)) {
        fail(L"cannot place the kernel at its address (1 MiB)", st);
        return st;
    }

    /* The map changes with every allocation: size it with room to spare, then retry on a stale key.
     */
    UINTN size = 0, key, desc;
    UINT32 ver;
    uefi_call_wrapper(BS->GetMemoryMap, 5, &size, NULL, &key, &desc, &ver);
    size += 16 * sizeof(EFI_MEMORY_DESCRIPTOR) + 4096;
    UINTN cap = size;
    UINT8 *map = alloc_low(cap, &st);
    if (!map) {
        fail(L"out of memory for the memory map", st);
        return st;
    }
    for (int tries = 0;; tries++) {
        size = cap;
        st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, (EFI_MEMORY_DESCRIPTOR *)map, &key,
                               &desc, &ver);
        if (!EFI_ERROR(st))
            st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
        if (!EFI_ERROR(st))
            break;
        if (tries == 3) {
            fail(L"cannot leave boot services", st);
            return st;
        }
    }
    /* No firmware services from here on: no Print, no allocations. */
    convert_map(bi, map, size, desc);
    __asm__ volatile("cli");
    ((void (*)(UINT64, UINT64))(UINTN)KERN_EFI_ENTRY)(KERN_BOOT_EFI, (UINT64)(UINTN)bi);
    for (;;)
        __asm__ volatile("hlt");
}
