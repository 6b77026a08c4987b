/*
 * accel.h - the accelerator interface and vCPUs.
 *
 * An accelerator runs vCPUs: KVM, SVM and VMX run x86 guests on the real
 * CPU; the emulated CPUs (RISC-V now, AArch64 later) are accelerators too.
 * vCPUs run in slices from the single-threaded main loop; per-vCPU state is
 * kept apart so threads can come later.
 *
 * Register direction of truth: while vcpu_run() executes, the accelerator's
 * copy is authoritative; get_reg/set_reg are valid only between runs.
 */
#ifndef EMU_ACCEL_H
#define EMU_ACCEL_H

#include <stdbool.h>
#include <stdint.h>

struct machine;
struct vcpu;

enum vcpu_exit_reason {
    VCPU_EXIT_KICKED,   /* slice over or exit requested; just run again */
    VCPU_EXIT_HALT,     /* waiting for an interrupt (wfi/hlt) */
    VCPU_EXIT_MMIO,     /* hardware-assisted only: an access to emulate */
    VCPU_EXIT_PIO,
    VCPU_EXIT_SHUTDOWN, /* triple fault or similar: stop the VM */
    VCPU_EXIT_ERROR,    /* accelerator failure; error holds -errno */
};

struct vcpu_exit {
    enum vcpu_exit_reason reason;
    union {
        struct {
            uint64_t addr;
            uint64_t data;
            unsigned size;
            bool is_write;
        } mmio;
        struct {
            uint16_t port;
            uint32_t data;
            unsigned size;
            bool is_write;
        } pio;
        int error;
    };
};

struct accel_ops {
    const char *name;
    /* Whether it can run here: 0, or -errno with a reason for the user. */
    int (*probe)(void);
    int (*init)(struct machine *m);
    /* Create per-vCPU state for cpu (cpu->arch_state is the target's). */
    int (*vcpu_create)(struct vcpu *cpu);
    void (*vcpu_destroy)(struct vcpu *cpu);
    /*
     * Run until an exit. Must return no later than the host time
     * cpu->slice_end_ns (approximately, ~100 us) and promptly once
     * cpu->exit_request is set. slice_end_ns can move earlier during the
     * run: device code called from inside vcpu_run() (an access emulated
     * without returning) may arm a timer that expires first, and the main
     * loop then pulls slice_end_ns in; an accelerator that loops over
     * exits must notice that (its host timer included). Returns 0 with *exit filled, or -errno
     * (treated as VCPU_EXIT_ERROR). The main loop keeps one exit struct per
     * vCPU: after an MMIO/PIO read it stores the data in it and passes the
     * same struct to the next vcpu_run(), which completes the access.
     */
    int (*vcpu_run)(struct vcpu *cpu, struct vcpu_exit *exit);
    void (*vcpu_reset)(struct vcpu *cpu);
    /* Registers by the architecture's GDB numbering. 0 or -EINVAL. */
    int (*get_reg)(struct vcpu *cpu, int regno, uint64_t *val);
    int (*set_reg)(struct vcpu *cpu, int regno, uint64_t val);
    /* Interrupt input (architecture-defined line numbers). */
    void (*set_irq)(struct vcpu *cpu, int line, int level);
    /* Pull dirty bits into the RAM blocks' bitmaps (migration). */
    int (*dirty_log_sync)(struct machine *m);
    /* Make a running vcpu_run() return soon. */
    void (*kick)(struct vcpu *cpu);
};

struct vcpu {
    int index;
    struct machine *machine;
    const struct accel_ops *accel;
    void *arch; /* the target's CPU state */
    volatile int exit_request;
    uint64_t slice_end_ns; /* host ns */
    bool halted;
    bool stopped; /* paused by the monitor */
};

/*
 * The vCPU being run or whose exit the main loop is handling, NULL outside
 * (device timers, host I/O): for per-CPU hardware reached at one address,
 * like the x86 local APIC page, and for a vCPU that wakes another.
 */
struct vcpu *vcpu_current(void);
/* Set by the main loop around each run; also for tests that drive per-CPU hardware. */
void vcpu_set_current(struct vcpu *cpu);

/* Registered accelerators, in order of preference for -accel auto. */
const struct accel_ops *accel_find(const char *name);
#define ACCEL_REGISTER(ops)                                                                        \
    static const struct accel_ops *const __accel_ptr_##ops                                         \
        __attribute__((used, section("baremu_accels"))) = &(ops)

#endif
