/*
 * kernel.h - the appliance kernel's internal interfaces, shared by kernel/,
 * drivers/ and boot/ (not by portable code, which sees only platform.h).
 *
 * Execution model: one CPU, interrupts disabled except while plat_wait()
 * sleeps in hlt, so interrupt handlers never race with the emulator.
 * Exceptions run on their own stacks (IST): a demand-paged guest RAM fault
 * never touches the interrupted code's stack.
 */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/boot-info.h"

/* ---- the boot ---- */

/* Filled by kern_bootinfo_*() at entry; read-only afterwards. */
extern struct kern_boot_info kern_boot;

/* Translate a Multiboot 1 / 2 information structure. Returns 0 or -EINVAL. */
int kern_bootinfo_mb1(uint32_t info_phys);
int kern_bootinfo_mb2(uint32_t info_phys);

/*
 * Split the kernel command line into argv (quotes '...' and "..." group,
 * backslash escapes the next character), argv[0] = "baremu". Returns argc
 * or -E2BIG / -EINVAL (unbalanced quote) with argv untouched.
 */
int kern_cmdline_split(const char *line, bool has_argv0, char ***argv_out);

/* ---- console output before and besides the chardev layer ---- */

void kern_puts(const char *s);
void kern_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kern_vprintf(const char *fmt, va_list ap);

/* For ring 0, where newlib's printf (SSE) cannot run under the paravirtual KVM. */
void kern_raw_puts(const char *s);
void kern_raw_dec(uint64_t v);

/* Print "baremu: <msg>" and stop the PC (power off if we can, else halt). */
_Noreturn void kern_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Stop this CPU for good with interrupts off. */
_Noreturn void kern_halt(void);

/* ---- traps ---- */

/* IDT, TSS with IST stacks; exceptions print a report and halt. */
void kern_trap_init(void);
/* Route legacy IRQ line irq (0-15) through the 8259 PIC to handler. */
void kern_irq_set_handler(int irq, void (*handler)(void));
/* Local APIC timer and spurious vectors. */
#define KERN_VEC_IRQ_BASE 0x20
/* ud2 then nopl 0x5ba4e000(%rax): the bytes of a kern_syscall() site. */
#define KERN_SYSCALL_SIG 0x5BA4E000801F0F0Bull /* little-endian, from the ud2's second byte */
#define KERN_VEC_TIMER 0x40
#define KERN_VEC_SPURIOUS 0xFF
void kern_set_vector_handler(int vec, void (*handler)(void));
/* A fault the kernel itself resolves (demand paging); true if handled. */
bool kern_mem_fault(uint64_t addr, uint64_t error_code);

/* ---- memory ---- */

/*
 * Take the usable ranges of kern_boot minus the image, the modules and the
 * first MiB; extend the identity map over all RAM. Returns 0 or -ENOMEM.
 */
int kern_mem_init(void);
/*
 * Unmap the first 4 KiB so that a NULL dereference faults with a report
 * instead of scribbling over the real-mode vector table. Call after the
 * BIOS data area (ACPI's EBDA pointer) has been read.
 */
int kern_mem_protect_null(void);
/* Zero up to max_frames spare frames for demand paging (ring 3; cheap to call often). */
void kern_mem_prezero(unsigned max_frames);
/* Bytes of physical memory not yet handed out. */
uint64_t kern_mem_free_bytes(void);
uint64_t kern_mem_total_bytes(void);
/* Guest RAM: a zero-filled virtual window backed on first touch. */
void *kern_mem_guest_alloc(uint64_t size);
void kern_mem_guest_free(void *p, uint64_t size);
/* Grow the malloc heap (newlib's _sbrk). NULL when memory runs out. */
void *kern_mem_sbrk(intptr_t incr);
/*
 * Zeroed memory for device DMA (NIC rings and buffers): physically
 * contiguous and identity mapped, so its address is also the bus address
 * (the heap is not: it lives at 512 GiB). align is a power of two up to
 * 4096, size at most 2 MiB. Never freed. NULL when memory runs out.
 */
void *kern_mem_dma_alloc(size_t size, size_t align);

/* ---- time ---- */

/* Calibrate the TSC (PIT channel 2) and the local APIC timer. */
void kern_time_init(void);
uint64_t kern_time_ns(void);
uint64_t kern_time_tsc_hz(void);
/* Interrupt at the given kern_time_ns() (or never: UINT64_MAX). */
void kern_time_arm(uint64_t deadline_ns);
/* False when there is no local APIC timer: sleeps must then be short polls. */
bool kern_time_can_wake(void);
/* Busy-wait, for device delays. */
void kern_udelay(uint32_t us);

/* ---- ACPI and power ---- */

/* Find the RSDP, FADT and \_S5; safe if the PC has no ACPI. */
void kern_acpi_init(void);
/* S5 through PM1a/PM1b control; returns only if that failed or is unknown. */
void kern_acpi_poweroff(void);
/* isa-debug-exit (QEMU) if present: QEMU exits with (status << 1) | 1. */
void kern_debug_exit(int status);

/* ---- privilege ---- */

/*
 * After kern_start() the kernel runs in ring 3: the paravirtual KVM of our
 * test machines (kvm_pvm) executes ring-3 code natively but emulates ring 0
 * instruction by instruction, without SSE. Ring 0 keeps only the trap
 * handlers (built with -mgeneral-regs-only); port I/O, MSRs, invlpg and hlt
 * from ring 3 go through kern_syscall() below. On other hypervisors and
 * real PCs this costs one trap per I/O, which the console's rate hides.
 */
enum kern_sys {
    KERN_SYS_OUT,        /* (port, size, value) */
    KERN_SYS_IN,         /* (port, size) -> value */
    KERN_SYS_RDMSR,      /* (msr) -> value */
    KERN_SYS_WRMSR,      /* (msr, value) */
    KERN_SYS_INVLPG,     /* (address) */
    KERN_SYS_SLEEP,      /* enable interrupts, hlt until one arrives, disable them */
    KERN_SYS_HALT,       /* stop for good */
    KERN_SYS_UART_WRITE, /* (buffer, length): the console, one trap per buffer */
    KERN_SYS_UART_DRAIN, /* move received bytes into the UART ring */
    KERN_SYS_VMRUN,      /* (struct svm_run_args *) -> SVM exit code (kernel/svm.h) */
    KERN_SYS_VMX,        /* (struct vmx_call *) -> 0 or -errno (kernel/vmx.h) */
};

/* Where we run: ring 3 normally, ring 0 in trap handlers (which must not trap to themselves). */
static inline bool kern_user_mode(void)
{
    uint16_t cs;
    __asm__("mov %%cs, %0" : "=r"(cs));
    return cs & 3;
}

static inline uint64_t kern_syscall(uint64_t op, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t n = 520;

    /*
     * The paravirtual KVM turns "int $n" from ring 3 into #UD and runs
     * SYSCALL's target still in ring 3, but delivers exceptions to ring 0:
     * so the call is a ud2 that the #UD handler completes. After returning it
     * emulates up to 1024 more instructions, which must not be SSE ones: the
     * loop runs them out. The nopl after the ud2 marks it as a call, so that
     * a compiler-made ud2 (__builtin_trap) is still reported as a fault.
     */
    __asm__ volatile("ud2\n"
                     "nopl 0x5ba4e000(%%rax)\n"
                     "1: dec %4\n"
                     "jnz 1b"
                     : "+a"(op), "+D"(a), "+S"(b), "+d"(c), "+c"(n)
                     :
                     : "memory");
    return op;
}

/* Boot entry after long mode: traps, then ring 3 at kern_main(magic, info). */
_Noreturn void kern_start(uint32_t magic, uint64_t info);
void kern_main(uint32_t magic, uint64_t info);

/* ---- CPU helpers (work in ring 0 and ring 3) ---- */

static inline void outb(uint16_t port, uint8_t v)
{
    if (kern_user_mode())
        kern_syscall(KERN_SYS_OUT, port, 1, v);
    else
        __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
    if (kern_user_mode())
        kern_syscall(KERN_SYS_OUT, port, 2, v);
    else
        __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
    if (kern_user_mode())
        kern_syscall(KERN_SYS_OUT, port, 4, v);
    else
        __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    if (kern_user_mode())
        return (uint8_t)kern_syscall(KERN_SYS_IN, port, 1, 0);
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    if (kern_user_mode())
        return (uint16_t)kern_syscall(KERN_SYS_IN, port, 2, 0);
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    if (kern_user_mode())
        return (uint32_t)kern_syscall(KERN_SYS_IN, port, 4, 0);
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
/* DR0-DR3 to and from dr[4] (ring 0): the guest's breakpoints while its vCPU runs. */
static inline void kern_save_dr0_3(uint64_t *dr)
{
    __asm__ volatile("mov %%dr0, %0" : "=r"(dr[0]));
    __asm__ volatile("mov %%dr1, %0" : "=r"(dr[1]));
    __asm__ volatile("mov %%dr2, %0" : "=r"(dr[2]));
    __asm__ volatile("mov %%dr3, %0" : "=r"(dr[3]));
}

static inline void kern_load_dr0_3(const uint64_t *dr)
{
    __asm__ volatile("mov %0, %%dr0" ::"r"(dr[0]));
    __asm__ volatile("mov %0, %%dr1" ::"r"(dr[1]));
    __asm__ volatile("mov %0, %%dr2" ::"r"(dr[2]));
    __asm__ volatile("mov %0, %%dr3" ::"r"(dr[3]));
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    if (kern_user_mode())
        return kern_syscall(KERN_SYS_RDMSR, msr, 0, 0);
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    if (kern_user_mode())
        kern_syscall(KERN_SYS_WRMSR, msr, v, 0);
    else
        __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline void invlpg(uint64_t va)
{
    if (kern_user_mode())
        kern_syscall(KERN_SYS_INVLPG, va, 0, 0);
    else
        __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}
/* Sleep until an interrupt (sti's shadow: one pending now still ends the hlt). */
static inline void kern_sleep(void)
{
    if (kern_user_mode())
        kern_syscall(KERN_SYS_SLEEP, 0, 0, 0);
    else
        __asm__ volatile("sti; hlt; cli" ::: "memory");
}
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

#endif
