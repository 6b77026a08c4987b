/*
 * machine.h - a machine: its address spaces, virtual clock, vCPUs, devices
 * and run state, and the main loop that runs it.
 */
#ifndef EMU_MACHINE_H
#define EMU_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "accel.h"
#include "clock.h"
#include "config.h"
#include "memory.h"

#define MACHINE_MAX_CPUS 64

struct machine;

struct machine_type {
    const char *name;
    const char *desc;
    bool is_default;
    uint64_t default_ram;
    int max_cpus;
    const char *default_accel; /* used for -accel auto */
    const char *default_nic;   /* -nic's model= when none is given; NULL: model= required */
    /*
     * Build the board from m->cfg: memory, CPUs (after m->accel is set),
     * devices, firmware. Returns 0, or -errno after error_report() saying
     * what the user must fix.
     */
    int (*init)(struct machine *m);
    /* Board-level reset after devices and CPUs (reload boot info etc.). May be NULL. */
    void (*reset)(struct machine *m);
    /*
     * The monitor's inject-nmi (QEMU's NMIState interface): deliver an
     * external NMI to the machine's CPUs as the hardware's NMI button
     * would (on x86 through each CPU's LINT1, see x86_machine_nmi).
     * Called from the main loop between vCPU slices. Returns 0 (even if
     * the guest masked it), or -errno. NULL: the machine has no NMI, and
     * inject-nmi fails as QEMU's does where no NMIState exists.
     */
    int (*nmi)(struct machine *m);
};

#define MACHINE_TYPE_REGISTER(t)                                                                   \
    static const struct machine_type *const __machine_type_ptr_##t                                 \
        __attribute__((used, section("baremu_machine_types"))) = &(t)

const struct machine_type *machine_type_find(const char *name); /* NULL: default */
void machine_type_list(void); /* -M help */
void accel_list(void);        /* -accel help */

enum run_state { RUN_STATE_PRELAUNCH, RUN_STATE_RUNNING, RUN_STATE_PAUSED, RUN_STATE_SHUTDOWN };

enum shutdown_cause {
    SHUTDOWN_NONE = 0,
    SHUTDOWN_GUEST_POWEROFF, /* the guest powered off */
    SHUTDOWN_GUEST_RESET,    /* the guest asked for reset (becomes poweroff with -no-reboot) */
    SHUTDOWN_GUEST_PANIC,
    SHUTDOWN_HOST_QUIT,      /* monitor quit, Ctrl-A x, signal */
    SHUTDOWN_HOST_ERROR,     /* an accelerator failed */
};

struct machine {
    const struct machine_type *type;
    /*
     * machine_create's own copy of the configuration with the defaults
     * resolved: ram_size is the type's default when -m was not given, smp
     * is at least 1.
     */
    const struct emu_config *cfg;
    struct mem_region sysmem;
    struct address_space as; /* memory */
    struct mem_region iomem;
    struct address_space as_io; /* x86 I/O ports (empty elsewhere) */
    struct vclock clock;
    const struct accel_ops *accel;
    struct vcpu *cpus[MACHINE_MAX_CPUS];
    int ncpus;
    struct device *devices;
    enum run_state state;
    enum shutdown_cause shutdown_request;
    bool reset_request;
    int exit_status; /* process exit status after shutdown */
    void *board; /* the board's own state */
};

/*
 * Create the machine named by cfg (type, RAM, accelerator) and call the
 * board's init. Returns 0 and *out, or -errno after error_report().
 */
int machine_create(struct machine **out, const struct emu_config *cfg);

/*
 * Run until shutdown (from the paused state with -S). Does not reset first:
 * the board's init leaves the machine in its reset state. Returns the process exit status (0 after a guest
 * poweroff, the guest's code after a failing poweroff, 0 after quit, 1 on
 * error).
 */
int machine_run(struct machine *m);

/*
 * Requests are acted upon by the main loop between vCPU slices. A guest that
 * asks for a reset requests shutdown with SHUTDOWN_GUEST_RESET (so that
 * -no-reboot applies); machine_request_reset() is the host's (monitor
 * system_reset) and always resets. With -no-shutdown a guest poweroff or
 * panic pauses instead. exit_status is used by GUEST_POWEROFF, GUEST_PANIC
 * and HOST_QUIT; HOST_ERROR always exits 1.
 */
void machine_request_shutdown(struct machine *m, enum shutdown_cause cause, int exit_status);
void machine_request_reset(struct machine *m);
void machine_pause(struct machine *m);  /* stops vCPUs and the virtual clock */
void machine_resume(struct machine *m);
/* Reset devices (creation order), vCPUs, then the board hook. */
void machine_reset(struct machine *m);
/* Make every vCPU leave vcpu_run() soon. */
void machine_kick_all(struct machine *m);
/*
 * The machine type's nmi hook (inject-nmi, HMP nmi). Returns 0, -ENOTSUP
 * when the type has none, or the hook's -errno.
 */
int machine_inject_nmi(struct machine *m);

/*
 * Run-state changes, reported from this one place (machine_pause/resume and
 * the main loop) so the monitor can send QMP's STOP, RESUME, RESET and
 * SHUTDOWN events. guest: the guest caused it (RESET, SHUTDOWN); cause is
 * the shutdown cause (SHUTDOWN only). NULL: nobody listens.
 */
enum machine_event { MACHINE_EVENT_STOP, MACHINE_EVENT_RESUME, MACHINE_EVENT_RESET,
                     MACHINE_EVENT_SHUTDOWN };
extern void (*machine_event_hook)(struct machine *m, enum machine_event ev, bool guest,
                                  enum shutdown_cause cause);

/* Add a vCPU (arch state set by the target); calls the accelerator's vcpu_create. */
int machine_add_vcpu(struct machine *m, struct vcpu *cpu);

/* The machine being run (one per process on both platforms for now). */
extern struct machine *current_machine;

#endif
