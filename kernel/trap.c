/*
 * trap.c - GDT with a TSS, the IDT, the 8259 PIC, and what happens on an
 * exception: demand paging gets a chance, anything else prints the
 * registers and a frame-pointer backtrace on the console and stops.
 *
 * Built with -mgeneral-regs-only: the stubs do not save SSE registers.
 */
#include <stdint.h>
#include <string.h>

#include "kernel/kernel.h"

struct kern_trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

struct idt_gate {
    uint16_t off_lo, sel;
    uint8_t ist, type;
    uint16_t off_mid;
    uint32_t off_hi, zero;
} __attribute__((packed));

struct tss64 {
    uint32_t rsvd0;
    uint64_t rsp[3];
    uint64_t rsvd1;
    uint64_t ist[7];
    uint64_t rsvd2;
    uint16_t rsvd3, iomap;
} __attribute__((packed));

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

#define GDT_CODE64 0x08
#define GDT_TSS 0x18
#define IST_EXC 1    /* ordinary exceptions, including demand paging */
#define IST_DOUBLE 2 /* #DF, NMI, #MC: a second stack so a fault in the first still reports */
#define IST_SIZE (32 * 1024)

#define PIC1 0x20
#define PIC2 0xA0

extern const uint64_t kern_trap_stubs[256];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static uint64_t gdt[5] __attribute__((aligned(16))) = {
    0,
    0x00AF9A000000FFFFull, /* 0x08: 64-bit code, as boot/entry.S */
    0x00CF92000000FFFFull, /* 0x10: data */
    0,                     /* 0x18: TSS, filled at init (two slots) */
    0,
};
static uint8_t ist_exc[IST_SIZE] __attribute__((aligned(16)));
static uint8_t ist_double[IST_SIZE] __attribute__((aligned(16)));
static void (*vec_handlers[256])(void);
static uint16_t pic_mask = 0xFFFF;

static const char *const exc_names[32] = {
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "bound range",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor overrun",
    "invalid TSS",
    "segment not present",
    "stack fault",
    "general protection",
    "page fault",
    "reserved 15",
    "x87 floating point",
    "alignment check",
    "machine check",
    "SIMD floating point",
    "virtualization",
    "control protection",
};

static void set_gate(int vec, uint64_t handler, int ist)
{
    idt[vec] = (struct idt_gate){
        .off_lo = handler & 0xFFFF,
        .sel = GDT_CODE64,
        .ist = ist,
        .type = 0x8E, /* present, ring 0, interrupt gate: IF cleared on entry */
        .off_mid = (handler >> 16) & 0xFFFF,
        .off_hi = handler >> 32,
    };
}

static void pic_init(void)
{
    /* Remap the 8259s away from the exception vectors, everything masked. */
    outb(PIC1, 0x11);
    outb(PIC2, 0x11);
    outb(PIC1 + 1, KERN_VEC_IRQ_BASE);
    outb(PIC2 + 1, KERN_VEC_IRQ_BASE + 8);
    outb(PIC1 + 1, 4); /* slave on IRQ 2 */
    outb(PIC2 + 1, 2);
    outb(PIC1 + 1, 1); /* 8086 mode */
    outb(PIC2 + 1, 1);
    outb(PIC1 + 1, 0xFF);
    outb(PIC2 + 1, 0xFF);
}

void kern_trap_init(void)
{
    uint64_t t = (uint64_t)&tss;
    struct desc_ptr gp = {sizeof(gdt) - 1, (uint64_t)gdt};
    struct desc_ptr ip = {sizeof(idt) - 1, (uint64_t)idt};

    tss.ist[IST_EXC - 1] = (uint64_t)(ist_exc + IST_SIZE);
    tss.ist[IST_DOUBLE - 1] = (uint64_t)(ist_double + IST_SIZE);
    tss.iomap = sizeof(tss); /* no I/O bitmap */
    gdt[3] =
        (sizeof(tss) - 1) | ((t & 0xFFFFFF) << 16) | (0x89ull << 40) | (((t >> 24) & 0xFF) << 56);
    gdt[4] = t >> 32;
    __asm__ volatile("lgdt %0" : : "m"(gp));
    __asm__ volatile("ltr %w0" : : "r"(GDT_TSS));

    for (int v = 0; v < 256; v++) {
        int ist = 0;
        if (v < 32)
            ist = (v == 2 || v == 8 || v == 18) ? IST_DOUBLE : IST_EXC;
        set_gate(v, kern_trap_stubs[v], ist);
    }
    __asm__ volatile("lidt %0" : : "m"(ip));
    pic_init();
}

void kern_set_vector_handler(int vec, void (*handler)(void))
{
    vec_handlers[vec] = handler;
}

void kern_irq_set_handler(int irq, void (*handler)(void))
{
    vec_handlers[KERN_VEC_IRQ_BASE + irq] = handler;
    pic_mask &= ~(1u << irq);
    if (irq >= 8)
        pic_mask &= ~(1u << 2);
    outb(PIC1 + 1, pic_mask & 0xFF);
    outb(PIC2 + 1, pic_mask >> 8);
}

static uint64_t read_cr2(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

static uint64_t read_cr3(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

extern char __image_start[], __bss_end[];

/* A frame pointer we may follow: aligned, inside the identity-mapped low 4 GiB. */
static bool frame_ok(uint64_t fp)
{
    return fp && !(fp & 7) && fp >= 0x1000 && fp < 0xFFFFF000ull;
}

static _Noreturn void report(const struct kern_trap_frame *f)
{
    const char *name = f->vector < 32 && exc_names[f->vector] ? exc_names[f->vector] : "?";

    kern_printf("\r\nbaremu: CPU exception %lu (%s), error code %#lx\r\n", (unsigned long)f->vector,
                name, (unsigned long)f->error);
    kern_printf("  rip %016lx  cs %04lx  rflags %016lx\r\n", f->rip, f->cs, f->rflags);
    kern_printf("  rsp %016lx  ss %04lx  cr2 %016lx  cr3 %016lx\r\n", f->rsp, f->ss, read_cr2(),
                read_cr3());
    kern_printf("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\r\n", f->rax, f->rbx, f->rcx,
                f->rdx);
    kern_printf("  rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx\r\n", f->rsi, f->rdi, f->rbp,
                f->r8);
    kern_printf("  r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx\r\n", f->r9, f->r10, f->r11,
                f->r12);
    kern_printf("  r13 %016lx  r14 %016lx  r15 %016lx\r\n", f->r13, f->r14, f->r15);
    kern_printf("  backtrace (addr2line -e build/metal/baremu.elf):\r\n    %016lx\r\n", f->rip);
    uint64_t fp = f->rbp;
    for (int i = 0; i < 16 && frame_ok(fp); i++) {
        uint64_t ret = ((uint64_t *)fp)[1];
        if (ret < (uint64_t)__image_start || ret >= (uint64_t)__bss_end)
            break;
        kern_printf("    %016lx\r\n", ret);
        uint64_t next = ((uint64_t *)fp)[0];
        if (next <= fp)
            break;
        fp = next;
    }
    kern_halt();
}

void kern_trap_dispatch(struct kern_trap_frame *f);
void kern_trap_dispatch(struct kern_trap_frame *f)
{
    uint64_t vec = f->vector;

    if (vec < 32) {
        if (vec == 14 && kern_mem_fault(read_cr2(), f->error))
            return;
        report(f);
    }
    if (vec_handlers[vec])
        vec_handlers[vec]();
    if (vec >= KERN_VEC_IRQ_BASE && vec < KERN_VEC_IRQ_BASE + 16) {
        int irq = vec - KERN_VEC_IRQ_BASE;
        /* Spurious IRQ 7/15 (no handler) must not be acknowledged at the chip that raised none. */
        if (!vec_handlers[vec] && (irq == 7 || irq == 15)) {
            if (irq == 15)
                outb(PIC1, 0x20);
            return;
        }
        if (irq >= 8)
            outb(PIC2, 0x20);
        outb(PIC1, 0x20);
    }
}
