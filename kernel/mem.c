/*
 * mem.c - physical memory and page tables.
 *
 * Physical RAM (usable ranges of the firmware's map, less the first MiB, the
 * image and the boot modules) stays identity mapped. Two windows above it,
 * still in the low half of the address space (the paravirtual KVM here runs
 * nothing else), are backed by 2 MiB frames:
 *   - the malloc heap at 512 GiB,
 *   - guest RAM from 1 TiB,
 * both mapped and zeroed on first touch like an anonymous mmap: the CPU
 * emulator's 64 MiB code cache and a guest with -m 128M fit a 128 MiB PC
 * as long as they touch less than it has (newlib's calloc relies on fresh
 * sbrk memory reading as zeros, which this gives).
 * 4 KiB pages for page tables come from the bottom of the free ranges,
 * 2 MiB frames from the top.
 *
 * Built with -mgeneral-regs-only: kern_mem_fault() runs in the #PF handler.
 */
#include <errno.h>
#include <stdint.h>

#include "kernel/kernel.h"

#define PAGE_4K 0x1000ull
#define PAGE_2M 0x200000ull
#define PAGE_1G 0x40000000ull
#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_U 0x4ull /* everything: the kernel itself runs in ring 3 (kernel.h) */
#define PTE_PS 0x80ull
#define PTE_ADDR 0x000FFFFFFFFFF000ull

#define HEAP_BASE 0x8000000000ull     /* 512 GiB: PML4 slot 1 */
#define HEAP_MAX 0x8000000000ull      /* up to 512 GiB of heap */
#define GUEST_BASE 0x10000000000ull   /* 1 TiB: PML4 slots 2.. */
#define GUEST_LIMIT 0x400000000000ull /* 64 TiB, well below 2^47 */
#define IDENT_MAX (512 * PAGE_1G)     /* one PDPT of identity map */
#define MAX_GUEST_BLOCKS 16

extern uint64_t kern_boot_pml4[512], kern_boot_pdpt[512], kern_boot_pd[4][512];
extern char __image_start[], __bss_end[];

struct mem_range {
    uint64_t base, end;
};

static struct mem_range ranges[KERN_MAX_MEM + KERN_MAX_MODS + 4];
static int nranges;
static uint64_t free_frames; /* stack of freed 2 MiB frames, linked through their first word */
static uint64_t nfree_frames;
static uint64_t total_bytes;
static uint64_t heap_brk = HEAP_BASE;
static uint64_t guest_next = GUEST_BASE;

/*
 * Frames zeroed ahead of need by ring 3 (kern_mem_prezero): the #PF handler
 * runs in ring 0, which the paravirtual KVM emulates instruction by
 * instruction, so zeroing 2 MiB there costs far more than mapping.
 */
#define PREZERO_MAX 16
static uint64_t prezeroed[PREZERO_MAX];
static unsigned nprezeroed;

struct guest_block {
    uint64_t base, size; /* size 0: free slot */
};
static struct guest_block guest_blocks[MAX_GUEST_BLOCKS];

static void zero(void *p, uint64_t len)
{
    uint64_t n = len / 8;
    __asm__ volatile("rep stosq" : "+D"(p), "+c"(n) : "a"(0ull) : "memory");
}

/* Remove [base, end) from the free ranges. */
static void reserve(uint64_t base, uint64_t end)
{
    for (int i = 0; i < nranges; i++) {
        struct mem_range *r = &ranges[i];
        if (end <= r->base || base >= r->end)
            continue;
        if (base > r->base && end < r->end) {
            if (nranges == (int)(sizeof(ranges) / sizeof(ranges[0])))
                continue; /* cannot split: drop the tail instead, losing memory but safe */
            ranges[nranges++] = (struct mem_range){end, r->end};
            r->end = base;
        } else if (base <= r->base && end >= r->end) {
            r->end = r->base;
        } else if (base <= r->base) {
            r->base = end;
        } else {
            r->end = base;
        }
    }
}

/* A zeroed 4 KiB page for page tables; 0 when memory ran out. */
static uint64_t page_alloc(void)
{
    for (int i = 0; i < nranges; i++) {
        struct mem_range *r = &ranges[i];
        uint64_t b = (r->base + PAGE_4K - 1) & ~(PAGE_4K - 1);
        if (b + PAGE_4K <= r->end) {
            r->base = b + PAGE_4K;
            zero((void *)b, PAGE_4K);
            return b;
        }
    }
    /* Break up a 2 MiB frame only when the small pieces are gone. */
    if (free_frames) {
        uint64_t f = free_frames;
        free_frames = *(uint64_t *)f;
        nfree_frames--;
        if (nranges < (int)(sizeof(ranges) / sizeof(ranges[0])))
            ranges[nranges++] = (struct mem_range){f + PAGE_4K, f + PAGE_2M};
        zero((void *)f, PAGE_4K);
        return f;
    }
    return 0;
}

static uint64_t frame_alloc(void)
{
    if (free_frames) {
        uint64_t f = free_frames;
        free_frames = *(uint64_t *)f;
        nfree_frames--;
        return f;
    }
    for (int i = 0; i < nranges; i++) {
        struct mem_range *r = &ranges[i];
        uint64_t top = r->end & ~(PAGE_2M - 1);
        if (top >= PAGE_2M && top - PAGE_2M >= r->base) {
            r->end = top - PAGE_2M;
            return top - PAGE_2M;
        }
    }
    return 0;
}

static void frame_free(uint64_t f)
{
    *(uint64_t *)f = free_frames;
    free_frames = f;
    nfree_frames++;
}

/* The entry of the next level's table at va, allocating it; NULL on ENOMEM. */
static uint64_t *next_table(uint64_t *table, unsigned idx)
{
    if (!(table[idx] & PTE_P)) {
        uint64_t p = page_alloc();
        if (!p)
            return NULL;
        table[idx] = p | PTE_P | PTE_W | PTE_U;
    }
    return (uint64_t *)(table[idx] & PTE_ADDR);
}

/* The PD entry that maps va with a 2 MiB page; NULL on ENOMEM. */
static uint64_t *pd_entry(uint64_t va)
{
    uint64_t *pdpt = next_table(kern_boot_pml4, (va >> 39) & 511);
    if (!pdpt)
        return NULL;
    uint64_t *pd = next_table(pdpt, (va >> 30) & 511);
    if (!pd)
        return NULL;
    return &pd[(va >> 21) & 511];
}

static int map_2m(uint64_t va, uint64_t pa)
{
    uint64_t *pde = pd_entry(va);

    if (!pde)
        return -ENOMEM;
    *pde = pa | PTE_P | PTE_W | PTE_U | PTE_PS;
    invlpg(va);
    return 0;
}

static bool cpu_has_1g_pages(void)
{
    uint32_t r[4];

    cpuid(0x80000000, 0, r);
    if (r[0] < 0x80000001)
        return false;
    cpuid(0x80000001, 0, r);
    return r[3] & (1u << 26);
}

/* Identity-map RAM above the boot tables' 4 GiB so every frame is reachable. */
static int extend_identity_map(uint64_t top)
{
    bool big = cpu_has_1g_pages();

    if (top > IDENT_MAX) {
        kern_printf("baremu: using the first 512 GiB of RAM only\r\n");
        top = IDENT_MAX;
    }
    for (uint64_t a = 4 * PAGE_1G; a < top; a += PAGE_1G) {
        unsigned i = a / PAGE_1G;
        if (big) {
            kern_boot_pdpt[i] = a | PTE_P | PTE_W | PTE_U | PTE_PS;
            continue;
        }
        uint64_t pd = page_alloc();
        if (!pd)
            return -ENOMEM;
        for (unsigned j = 0; j < 512; j++)
            ((uint64_t *)pd)[j] = (a + j * PAGE_2M) | PTE_P | PTE_W | PTE_U | PTE_PS;
        kern_boot_pdpt[i] = pd | PTE_P | PTE_W | PTE_U;
    }
    return 0;
}

int kern_mem_init(void)
{
    uint64_t top = 0;

    for (uint32_t i = 0; i < kern_boot.nmem && nranges < KERN_MAX_MEM; i++) {
        const struct kern_mem_range *m = &kern_boot.mem[i];
        if (m->type != KERN_MEM_USABLE || !m->len)
            continue;
        uint64_t end = m->base + m->len;
        if (end > IDENT_MAX)
            end = IDENT_MAX;
        if (end <= m->base)
            continue;
        ranges[nranges++] = (struct mem_range){m->base, end};
        if (end > top)
            top = end;
    }
    /* Overlapping map entries (buggy firmware) must not hand out a page twice. */
    for (int i = 0; i < nranges; i++)
        for (int j = i + 1; j < nranges; j++)
            if (ranges[j].base < ranges[i].end && ranges[i].base < ranges[j].end) {
                if (ranges[j].end > ranges[i].end)
                    ranges[i].end = ranges[j].end;
                if (ranges[j].base < ranges[i].base)
                    ranges[i].base = ranges[j].base;
                ranges[j].end = ranges[j].base;
            }
    /* Low memory holds firmware tables (EBDA, ACPI, SMP) that we may still read. */
    reserve(0, 0x100000);
    reserve((uint64_t)__image_start, (uint64_t)__bss_end);
    for (uint32_t i = 0; i < kern_boot.nmods; i++) {
        const struct kern_module *m = &kern_boot.mods[i];
        reserve(m->start & ~(PAGE_4K - 1), (m->start + m->size + PAGE_4K - 1) & ~(PAGE_4K - 1));
    }
    for (int i = 0; i < nranges; i++)
        total_bytes += ranges[i].end - ranges[i].base;
    if (top > 4 * PAGE_1G && extend_identity_map(top) < 0)
        return -ENOMEM;
    kern_mem_prezero(PREZERO_MAX);
    return total_bytes ? 0 : -ENOMEM;
}

void kern_mem_prezero(unsigned max_frames)
{
    while (max_frames-- && nprezeroed < PREZERO_MAX) {
        uint64_t f = frame_alloc();
        if (!f)
            return;
        zero((void *)f, PAGE_2M);
        prezeroed[nprezeroed++] = f;
    }
}

uint64_t kern_mem_free_bytes(void)
{
    uint64_t n = (nfree_frames + nprezeroed) * PAGE_2M;

    for (int i = 0; i < nranges; i++) {
        uint64_t b = (ranges[i].base + PAGE_2M - 1) & ~(PAGE_2M - 1);
        uint64_t e = ranges[i].end & ~(PAGE_2M - 1);
        if (e > b)
            n += e - b;
    }
    return n;
}

uint64_t kern_mem_total_bytes(void)
{
    return total_bytes;
}

void *kern_mem_sbrk(intptr_t incr)
{
    uint64_t old = heap_brk;

    /* Backed on first touch (kern_mem_fault), so a large malloc costs only what is used. */
    if (incr < 0) {
        if ((uint64_t)-incr > heap_brk - HEAP_BASE)
            return NULL;
    } else if ((uint64_t)incr > HEAP_BASE + HEAP_MAX - heap_brk) {
        return NULL;
    }
    heap_brk += incr; /* frames below a lowered break stay mapped: the next growth reuses them */
    return (void *)old;
}

/* Carved from 2 MiB frames, which are identity mapped (their physical address is their VA). */
static uint64_t dma_next, dma_end;

void *kern_mem_dma_alloc(size_t size, size_t align)
{
    if (!size || size > PAGE_2M || !align || (align & (align - 1)) || align > PAGE_4K)
        return NULL;
    if (align < 8)
        align = 8; /* whole words: zero() below never runs past the frame */
    uint64_t p = (dma_next + align - 1) & ~(uint64_t)(align - 1);
    if (!dma_next || p + size > dma_end) {
        uint64_t f = frame_alloc();
        if (!f)
            return NULL;
        dma_next = p = f;
        dma_end = f + PAGE_2M;
    }
    dma_next = p + size;
    zero((void *)p, (size + 7) & ~7ull);
    return (void *)p;
}

void *kern_mem_guest_alloc(uint64_t size)
{
    uint64_t len = (size + PAGE_2M - 1) & ~(PAGE_2M - 1);
    struct guest_block *slot = NULL;

    /*
     * Frames are taken on first touch, like an overcommitting OS: refuse only
     * what could never fit, so the error comes now rather than mid-boot.
     */
    if (!len || len / 2 > kern_mem_free_bytes() || len > GUEST_LIMIT - guest_next)
        return NULL;
    for (int i = 0; i < MAX_GUEST_BLOCKS; i++)
        if (!guest_blocks[i].size) {
            slot = &guest_blocks[i];
            break;
        }
    if (!slot)
        return NULL;
    *slot = (struct guest_block){guest_next, len};
    guest_next += len + PAGE_2M; /* an unmapped gap catches overruns */
    return (void *)slot->base;
}

void kern_mem_guest_free(void *p, uint64_t size)
{
    uint64_t base = (uint64_t)p;

    (void)size;
    for (int i = 0; i < MAX_GUEST_BLOCKS; i++) {
        struct guest_block *b = &guest_blocks[i];
        if (!b->size || b->base != base)
            continue;
        for (uint64_t va = b->base; va < b->base + b->size; va += PAGE_2M) {
            uint64_t *pde = pd_entry(va);
            if (pde && (*pde & PTE_P)) {
                frame_free(*pde & PTE_ADDR & ~(PAGE_2M - 1));
                *pde = 0;
                invlpg(va);
            }
        }
        b->size = 0;
        return;
    }
}

/* In ring 0 (the #PF handler): no newlib, no stdio. */
static _Noreturn void out_of_memory(void)
{
    kern_raw_puts("baremu: out of memory: all ");
    kern_raw_dec(total_bytes >> 20);
    kern_raw_puts(" MiB of this PC are in use; give the PC more memory or the guest less (-m)\r\n");
    kern_debug_exit(1);
    kern_acpi_poweroff();
    kern_halt();
}

static void fault_in(uint64_t addr)
{
    uint64_t va = addr & ~(PAGE_2M - 1);
    uint64_t f;

    if (nprezeroed) {
        f = prezeroed[--nprezeroed];
    } else {
        f = frame_alloc();
        if (!f)
            out_of_memory();
        zero((void *)f, PAGE_2M);
    }
    if (map_2m(va, f) < 0)
        out_of_memory();
}

bool kern_mem_fault(uint64_t addr, uint64_t error_code)
{
    if (error_code & PTE_P)
        return false; /* a protection fault, not a missing page */
    if (addr >= HEAP_BASE && addr < heap_brk) {
        fault_in(addr);
        return true;
    }
    for (int i = 0; i < MAX_GUEST_BLOCKS; i++) {
        struct guest_block *b = &guest_blocks[i];
        if (b->size && addr >= b->base && addr < b->base + b->size) {
            fault_in(addr);
            return true;
        }
    }
    return false;
}

int kern_mem_protect_null(void)
{
    uint64_t pt = page_alloc();

    if (!pt)
        return -ENOMEM;
    for (unsigned i = 1; i < 512; i++)
        ((uint64_t *)pt)[i] = (i * PAGE_4K) | PTE_P | PTE_W | PTE_U;
    kern_boot_pd[0][0] = pt | PTE_P | PTE_W | PTE_U;
    invlpg(0);
    return 0;
}

/* For the EFI entry: the same tables boot/entry.S builds before long mode. */
void kern_build_boot_tables(void);
void kern_build_boot_tables(void)
{
    for (unsigned i = 0; i < 4; i++) {
        for (unsigned j = 0; j < 512; j++)
            kern_boot_pd[i][j] =
                ((uint64_t)i * PAGE_1G + j * PAGE_2M) | PTE_P | PTE_W | PTE_U | PTE_PS;
        kern_boot_pdpt[i] = (uint64_t)kern_boot_pd[i] | PTE_P | PTE_W | PTE_U;
    }
    kern_boot_pml4[0] = (uint64_t)kern_boot_pdpt | PTE_P | PTE_W | PTE_U;
}
