/*
 * main-loop.c - the single-threaded main loop: timers, host input and vCPU
 * slices, with run-state requests acted upon between slices.
 */
#include <errno.h>
#include <string.h>

#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/platform.h"

/* Long enough to amortise the loop, short enough that console input feels immediate. */
#define SLICE_NS 10000000ull

/* Turn a pending shutdown or reset request into a state change. */
static void machine_handle_requests(struct machine *m)
{
    enum shutdown_cause cause = m->shutdown_request;
    const struct emu_config *cfg = m->cfg;
    bool guest_reset = false;

    if (cause == SHUTDOWN_GUEST_RESET && !cfg->no_reboot) {
        m->shutdown_request = SHUTDOWN_NONE;
        m->reset_request = true;
        guest_reset = true;
    } else if ((cause == SHUTDOWN_GUEST_POWEROFF || cause == SHUTDOWN_GUEST_PANIC) &&
               cfg->no_shutdown) {
        /* -no-shutdown: keep the guest's state around, as QEMU does, for the monitor. */
        m->shutdown_request = SHUTDOWN_NONE;
        m->exit_status = 0;
        if (machine_event_hook)
            machine_event_hook(m, MACHINE_EVENT_SHUTDOWN, true, cause);
        machine_pause(m);
    } else if (cause != SHUTDOWN_NONE) {
        if (cause == SHUTDOWN_GUEST_RESET)
            m->exit_status = 0; /* -no-reboot: a reboot ends the run successfully */
        if (m->state == RUN_STATE_RUNNING)
            vclock_stop(&m->clock);
        m->state = RUN_STATE_SHUTDOWN;
        if (machine_event_hook)
            machine_event_hook(m, MACHINE_EVENT_SHUTDOWN, cause != SHUTDOWN_HOST_QUIT &&
                               cause != SHUTDOWN_HOST_ERROR, cause);
        return;
    }
    if (m->reset_request) {
        m->reset_request = false;
        machine_reset(m);
        if (machine_event_hook)
            machine_event_hook(m, MACHINE_EVENT_RESET, guest_reset, SHUTDOWN_NONE);
    }
}

/*
 * Act on one exit. MMIO/PIO exits come from hardware-assisted accelerators:
 * the access is done here and, for reads, the data goes back in the same
 * exit struct, which the next vcpu_run() receives to complete the access.
 */
static void machine_handle_exit(struct machine *m, struct vcpu *cpu, struct vcpu_exit *ex)
{
    uint64_t v;

    switch (ex->reason) {
    case VCPU_EXIT_KICKED:
        break;
    case VCPU_EXIT_HALT:
        cpu->halted = true;
        break;
    case VCPU_EXIT_MMIO:
        if (ex->mmio.is_write) {
            address_space_store(&m->as, ex->mmio.addr, ex->mmio.size, ex->mmio.data);
        } else {
            address_space_load(&m->as, ex->mmio.addr, ex->mmio.size, &v);
            ex->mmio.data = v;
        }
        break;
    case VCPU_EXIT_PIO:
        if (ex->pio.is_write) {
            address_space_store(&m->as_io, ex->pio.port, ex->pio.size, ex->pio.data);
        } else {
            address_space_load(&m->as_io, ex->pio.port, ex->pio.size, &v);
            ex->pio.data = (uint32_t)v;
        }
        break;
    case VCPU_EXIT_SHUTDOWN:
        /* A triple fault resets the machine on real hardware and in QEMU. */
        machine_request_shutdown(m, SHUTDOWN_GUEST_RESET, 0);
        break;
    case VCPU_EXIT_ERROR:
        error_report("vCPU %d: accelerator '%s' failed: %s", cpu->index, m->accel->name,
                     strerror(ex->error < 0 ? -ex->error : ex->error));
        machine_request_shutdown(m, SHUTDOWN_HOST_ERROR, 1);
        break;
    }
}

static bool machine_has_request(const struct machine *m)
{
    return m->shutdown_request != SHUTDOWN_NONE || m->reset_request;
}

/* The vCPU inside vcpu_run() or whose exit is being handled, or NULL. */
static struct vcpu *running_vcpu;

struct vcpu *vcpu_current(void)
{
    return running_vcpu;
}

void vcpu_set_current(struct vcpu *cpu)
{
    running_vcpu = cpu;
}

/*
 * A timer armed while a vCPU runs (a guest's MMIO to its local APIC that the
 * accelerator handles without leaving vcpu_run(), say) and now the earliest:
 * the slice must end by its expiry, not at the end computed before it was
 * armed. Accelerators that stay in vcpu_run() across exits watch
 * slice_end_ns (accel.h).
 */
static void machine_timer_new_head(void *opaque, uint64_t expire_ns)
{
    struct machine *m = opaque;
    struct vcpu *cpu = running_vcpu;

    if (!cpu)
        return;
    uint64_t host = vclock_host_deadline(&m->clock, expire_ns);
    if (host < cpu->slice_end_ns)
        cpu->slice_end_ns = host;
}

/* Host time of the next timer expiry; UINT64_MAX when none is armed or the clock is stopped. */
static uint64_t next_timer_host_ns(struct machine *m)
{
    uint64_t next = vclock_next_deadline(&m->clock);

    return next == UINT64_MAX ? UINT64_MAX : vclock_host_deadline(&m->clock, next);
}

int machine_run(struct machine *m)
{
    struct vcpu_exit exits[MACHINE_MAX_CPUS];

    memset(exits, 0, sizeof(exits));
    current_machine = m;
    m->clock.on_new_head = machine_timer_new_head;
    m->clock.on_new_head_opaque = m;
    if (m->cfg->start_stopped) {
        /* -S: "prelaunch" until cont, as QEMU reports it. */
        m->state = RUN_STATE_PRELAUNCH;
    } else {
        machine_resume(m);
    }

    for (;;) {
        machine_handle_requests(m);
        if (m->state == RUN_STATE_SHUTDOWN)
            break;

        vclock_run_timers(&m->clock);
        plat_poll();
        if (machine_has_request(m))
            continue;

        bool ran = false;
        if (m->state == RUN_STATE_RUNNING) {
            for (int i = 0; i < m->ncpus && !machine_has_request(m); i++) {
                struct vcpu *cpu = m->cpus[i];
                if (cpu->halted || cpu->stopped)
                    continue;
                uint64_t now = plat_clock_ns();
                uint64_t end = now + SLICE_NS;
                uint64_t timer = next_timer_host_ns(m);
                cpu->slice_end_ns = timer < end ? timer : end;
                cpu->exit_request = 0;
                /*
                 * The vCPU keeps its whole slice across the accesses handled here
                 * (kvm returns on each MMIO/PIO exit; svm/vmx handle theirs inside):
                 * handing over at every exit would give a vCPU that spins waiting for
                 * another a whole slice per access of the one it waits for.
                 */
                do {
                    running_vcpu = cpu;
                    int r = m->accel->vcpu_run(cpu, &exits[i]);
                    if (r < 0) {
                        exits[i].reason = VCPU_EXIT_ERROR;
                        exits[i].error = r;
                    }
                    /* Still current: an access to per-CPU hardware (the local APIC) is its. */
                    machine_handle_exit(m, cpu, &exits[i]);
                    running_vcpu = NULL;
                    /* Timers due during a long slice of one vCPU must not wait for the others. */
                    vclock_run_timers(&m->clock);
                } while ((exits[i].reason == VCPU_EXIT_MMIO || exits[i].reason == VCPU_EXIT_PIO) &&
                         !cpu->exit_request && m->state == RUN_STATE_RUNNING &&
                         !machine_has_request(m) && plat_clock_ns() < cpu->slice_end_ns);
                ran = true;
            }
        }
        if (!ran && !machine_has_request(m)) {
            /* Nothing runnable: sleep until the next timer or host input. */
            plat_wait(next_timer_host_ns(m));
        }
    }
    return m->exit_status;
}
