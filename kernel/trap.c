/*
 * trap.c - GDT with a TSS, the IDT, the 8259 PIC, and what happens on an
 * exception: demand paging gets a chance, anything else prints the
 * registers and a frame-pointer backtrace on the console and stops.
 *
 * Also the ring-3 entry (kern_start) and the int $0x80 gate through which
 * ring 3 does what needs ring 0 (see kernel.h).
 *
 * Built with -mgeneral-regs-only: the stubs do not save SSE registers, and
 * ring 0 under the paravirtual KVM cannot run SSE at all. For the same
 * reason reports are formatted here, not with newlib's printf.
 */
#include <stdint.h>
#include <string.h>

#include "drivers/uart.h"
#include "kernel/kernel.h"
#include "kernel/svm.h"
#include "kernel/vmx.h"

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
#define GDT_USER_DATA (0x28 | 3)
#define GDT_USER_CODE (0x30 | 3)
#define IST_EXC 1    /* ordinary exceptions, including demand paging */
#define IST_DOUBLE 2 /* #DF, NMI, #MC: a second stack so a fault in the first still reports */
#define IST_SIZE (32 * 1024)

#define PIC1 0x20
#define PIC2 0xA0

extern const uint64_t kern_trap_stubs[256];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static uint64_t gdt[7] __attribute__((aligned(16))) = {
    0,
    0x00AF9A000000FFFFull, /* 0x08: 64-bit code, as boot/entry.S */
    0x00CF92000000FFFFull, /* 0x10: data */
    0,                     /* 0x18: TSS, filled at init (two slots) */
    0,
    0x00CFF2000000FFFFull, /* 0x28: ring-3 data */
    0x00AFFA000000FFFFull, /* 0x30: ring-3 64-bit code */
};
static uint8_t ist_exc[IST_SIZE] __attribute__((aligned(16)));
static uint8_t ist_double[IST_SIZE] __attribute__((aligned(16)));
/* Ring 0's stack for interrupts and system calls from ring 3. */
static uint8_t kern_ring0_stack[IST_SIZE] __attribute__((aligned(16)));
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

static void set_gate(int vec, uint64_t handler, int ist, int dpl)
{
    idt[vec] = (struct idt_gate){
        .off_lo = handler & 0xFFFF,
        .sel = GDT_CODE64,
        .ist = ist,
        .type = 0x8E | dpl << 5, /* present, interrupt gate: IF cleared on entry */
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
    tss.rsp[0] = (uint64_t)(kern_ring0_stack + IST_SIZE);
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
        set_gate(v, kern_trap_stubs[v], ist, 0);
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

static void raw_puts(const char *str)
{
    size_t n = 0;

    while (str[n])
        n++;
    uart_write(str, n);
}

static void raw_hex(uint64_t v, int digits)
{
    char b[17];

    for (int i = digits - 1; i >= 0; i--, v >>= 4)
        b[i] = "0123456789abcdef"[v & 15];
    b[digits] = 0;
    raw_puts(b);
}

void kern_raw_dec(uint64_t v)
{
    char b[21];
    int i = 20;

    b[i] = 0;
    do {
        b[--i] = '0' + v % 10;
        v /= 10;
    } while (v);
    raw_puts(b + i);
}

void kern_raw_puts(const char *s)
{
    raw_puts(s);
}

static void reg(const char *name, uint64_t v)
{
    raw_puts("  ");
    raw_puts(name);
    raw_puts(" ");
    raw_hex(v, 16);
}

static _Noreturn void report(const struct kern_trap_frame *f)
{
    const char *name = f->vector < 32 && exc_names[f->vector] ? exc_names[f->vector] : "?";

    raw_puts("\r\nbaremu: CPU exception ");
    kern_raw_dec(f->vector);
    raw_puts(" (");
    raw_puts(name);
    raw_puts("), error code ");
    raw_hex(f->error, 4);
    raw_puts("\r\n");
    reg("rip", f->rip), reg("cs ", f->cs), reg("rfl", f->rflags), raw_puts("\r\n");
    reg("rsp", f->rsp), reg("ss ", f->ss), reg("cr2", read_cr2()), reg("cr3", read_cr3());
    raw_puts("\r\n");
    reg("rax", f->rax), reg("rbx", f->rbx), reg("rcx", f->rcx), reg("rdx", f->rdx);
    raw_puts("\r\n");
    reg("rsi", f->rsi), reg("rdi", f->rdi), reg("rbp", f->rbp), reg("r8 ", f->r8);
    raw_puts("\r\n");
    reg("r9 ", f->r9), reg("r10", f->r10), reg("r11", f->r11), reg("r12", f->r12);
    raw_puts("\r\n");
    reg("r13", f->r13), reg("r14", f->r14), reg("r15", f->r15), raw_puts("\r\n");
    raw_puts("  backtrace (addr2line -e build/metal/baremu.elf):\r\n    ");
    raw_hex(f->rip, 16);
    raw_puts("\r\n");
    uint64_t fp = f->rbp;
    for (int i = 0; i < 16 && frame_ok(fp); i++) {
        uint64_t ret = ((uint64_t *)fp)[1];
        if (ret < (uint64_t)__image_start || ret >= (uint64_t)__bss_end)
            break;
        raw_puts("    ");
        raw_hex(ret, 16);
        raw_puts("\r\n");
        uint64_t next = ((uint64_t *)fp)[0];
        if (next <= fp)
            break;
        fp = next;
    }
    kern_halt();
}

uint64_t kern_sys_dispatch(uint64_t a, uint64_t b, uint64_t c, uint64_t op);
uint64_t kern_sys_dispatch(uint64_t a, uint64_t b, uint64_t c, uint64_t op)
{
    uint16_t port = a;
    uint32_t v32 = c, lo, hi;

    switch (op) {
    case KERN_SYS_OUT:
        if (b == 1)
            __asm__ volatile("outb %b0, %w1" : : "a"(v32), "Nd"(port));
        else if (b == 2)
            __asm__ volatile("outw %w0, %w1" : : "a"(v32), "Nd"(port));
        else
            __asm__ volatile("outl %0, %w1" : : "a"(v32), "Nd"(port));
        return 0;
    case KERN_SYS_IN:
        if (b == 1) {
            uint8_t v;
            __asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(port));
            return v;
        }
        if (b == 2) {
            uint16_t v;
            __asm__ volatile("inw %w1, %0" : "=a"(v) : "Nd"(port));
            return v;
        }
        __asm__ volatile("inl %w1, %0" : "=a"(lo) : "Nd"(port));
        return lo;
    case KERN_SYS_RDMSR:
        __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"((uint32_t)a));
        return ((uint64_t)hi << 32) | lo;
    case KERN_SYS_WRMSR:
        __asm__ volatile("wrmsr" : : "c"((uint32_t)a), "a"((uint32_t)b), "d"((uint32_t)(b >> 32)));
        return 0;
    case KERN_SYS_INVLPG:
        __asm__ volatile("invlpg (%0)" : : "r"(a) : "memory");
        return 0;
    case KERN_SYS_SLEEP:
        __asm__ volatile("sti; hlt; cli" ::: "memory");
        return 0;
    case KERN_SYS_UART_WRITE:
        uart_put_direct((const void *)a, b);
        return 0;
    case KERN_SYS_UART_DRAIN:
        uart_drain_rx();
        return 0;
    case KERN_SYS_VMRUN:
        return kern_svm_vmrun(a);
    case KERN_SYS_VMX:
        return kern_vmx_call(a);
    case KERN_SYS_HALT:
        for (;;)
            __asm__ volatile("cli; hlt");
    }
    return (uint64_t)-1;
}

void kern_start(uint32_t magic, uint64_t info)
{
    extern uint8_t kern_stack_top[];
    void kern_tls_init(void);

    kern_tls_init();
    uart_init(UART_COM1);
    kern_trap_init();
    /*
     * Ring 3 with interrupts off: only KERN_SYS_SLEEP lets them in. The
     * stack starts as after a call (aligned to 16 less the return address),
     * with a zero frame pointer that ends backtraces.
     */
    __asm__ volatile("xor %%ebp, %%ebp\n"
                     "pushq %[ss]\n"
                     "pushq %[sp]\n"
                     "pushq $0x2\n"
                     "pushq %[cs]\n"
                     "pushq %[ip]\n"
                     "iretq"
                     :
                     : [ss] "i"(GDT_USER_DATA), [sp] "r"((uint64_t)kern_stack_top - 8),
                       [cs] "i"(GDT_USER_CODE), [ip] "r"((uint64_t)kern_main), "D"((uint64_t)magic),
                       "S"(info)
                     : "memory");
    __builtin_unreachable();
}

void kern_trap_dispatch(struct kern_trap_frame *f);
void kern_trap_dispatch(struct kern_trap_frame *f)
{
    uint64_t vec = f->vector;

    if (vec == 6 && (f->cs & 3) && *(const uint8_t *)f->rip == 0x0F &&
        *(const uint64_t *)(f->rip + 1) == KERN_SYSCALL_SIG) {
        f->rax = kern_sys_dispatch(f->rdi, f->rsi, f->rdx, f->rax);
        f->rip += 2;
        return;
    }
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
