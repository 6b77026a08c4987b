/*
 * kvm.c - the "kvm" accelerator: x86 guests on the host CPU through Linux's
 * /dev/kvm, with every device ours (no in-kernel irqchip, PIT or APIC).
 *
 * It lives in host/ because it is the hosted platform's way to run x86
 * code (ioctl, mmap, signals); the appliance has its own svm/vmx. Guest RAM
 * reaches KVM as memory slots kept in step with the machine's address space
 * by a mem_listener; everything else exits to us as MMIO or port I/O.
 *
 * Slices end by a POSIX timer whose signal sets kvm_run.immediate_exit, so
 * a signal that lands just before KVM_RUN still makes it return at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "emu-core/log.h"
#include "emu-core/machine.h"
#include "emu-core/platform.h"
#include "host/kvm-internal.h"
#include "targets/x86/x86.h"

#define KVM_SLICE_MIN_NS 50000ull /* a slice always lets the guest run a little */

struct kvm_global kvm = {.sys_fd = -1, .vm_fd = -1};

/* The kvm_run of the vCPU inside KVM_RUN, for the slice timer's signal. */
static struct kvm_run *volatile kvm_running;

static void kvm_slice_signal(int sig)
{
    struct kvm_run *run = kvm_running;

    (void)sig;
    if (run)
        run->immediate_exit = 1;
}

static int kvm_check_cap(int fd, long cap)
{
    int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);
    return r < 0 ? 0 : r;
}

/* Open /dev/kvm and check what we rely on; fd returned or -errno. */
static int kvm_open_checked(const char **why)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        *why = "cannot open /dev/kvm";
        return -errno;
    }
    if (ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
        *why = "/dev/kvm has an unexpected API version";
        close(fd);
        return -ENOTSUP;
    }
    if (!kvm_check_cap(fd, KVM_CAP_USER_MEMORY) || !kvm_check_cap(fd, KVM_CAP_IMMEDIATE_EXIT) ||
        !kvm_check_cap(fd, KVM_CAP_EXT_CPUID)) {
        *why = "/dev/kvm lacks user memory, immediate exit or CPUID control";
        close(fd);
        return -ENOTSUP;
    }
    return fd;
}

static int kvm_probe(void)
{
    const char *why = NULL;
    int fd = kvm_open_checked(&why);

    if (fd < 0) {
        warn_report("kvm: %s: %s", why, strerror(-fd));
        return fd;
    }
    /* A VM that cannot be created (module loaded, no VT-x/AMD-V) is no use either. */
    int vm = ioctl(fd, KVM_CREATE_VM, 0);
    int err = errno;
    close(fd);
    if (vm < 0) {
        warn_report("kvm: KVM_CREATE_VM failed: %s", strerror(err));
        return -err;
    }
    close(vm);
    return 0;
}

static int kvm_init(struct machine *m)
{
    const char *why = NULL;
    struct sigaction sa;
    struct sigevent sev;

    kvm.sys_fd = kvm_open_checked(&why);
    if (kvm.sys_fd < 0) {
        error_report("kvm: %s", why);
        return kvm.sys_fd;
    }
    kvm.vm_fd = ioctl(kvm.sys_fd, KVM_CREATE_VM, 0);
    if (kvm.vm_fd < 0)
        return -errno;
    kvm.run_size = ioctl(kvm.sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if ((long)kvm.run_size <= 0)
        return -EIO;
    kvm.readonly_mem = kvm_check_cap(kvm.vm_fd, KVM_CAP_READONLY_MEM);
    kvm.max_slots = kvm_check_cap(kvm.vm_fd, KVM_CAP_NR_MEMSLOTS);
    if (kvm.max_slots <= 0 || kvm.max_slots > KVM_MAX_SLOTS)
        kvm.max_slots = KVM_MAX_SLOTS;
    /* VT-x needs a TSS for real mode; where the cap exists, put it where QEMU does. */
    if (kvm_check_cap(kvm.vm_fd, KVM_CAP_SET_TSS_ADDR) &&
        ioctl(kvm.vm_fd, KVM_SET_TSS_ADDR, 0xfeffd000ul) < 0)
        warn_report("kvm: KVM_SET_TSS_ADDR: %s", strerror(errno));

    int n = 256;
    kvm.cpuid = calloc(1, sizeof(*kvm.cpuid) + n * sizeof(kvm.cpuid->entries[0]));
    if (!kvm.cpuid)
        return -ENOMEM;
    kvm.cpuid->nent = n;
    if (ioctl(kvm.sys_fd, KVM_GET_SUPPORTED_CPUID, kvm.cpuid) < 0)
        return -errno;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = kvm_slice_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(KVM_SLICE_SIGNAL, &sa, NULL) < 0)
        return -errno;
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = KVM_SLICE_SIGNAL;
    if (timer_create(CLOCK_MONOTONIC, &sev, &kvm.slice_timer) < 0)
        return -errno;

    kvm.machine = m;
    kvm.mem_listener.commit = kvm_mem_commit;
    address_space_add_listener(&m->as, &kvm.mem_listener);
    return 0;
}

static int kvm_vcpu_create(struct vcpu *cpu)
{
    struct x86_cpu *x = x86_cpu_of(cpu);
    struct kvm_vcpu_state *st = calloc(1, sizeof(*st));
    int ret;

    if (!st)
        return -ENOMEM;
    st->fd = ioctl(kvm.vm_fd, KVM_CREATE_VCPU, (unsigned long)cpu->index);
    if (st->fd < 0) {
        ret = -errno;
        goto fail;
    }
    st->run = mmap(NULL, kvm.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, st->fd, 0);
    if (st->run == MAP_FAILED) {
        ret = -errno;
        close(st->fd);
        goto fail;
    }
    ret = kvm_vcpu_setup_cpuid(st, x);
    if (ret < 0)
        goto fail_unmap;
    if (ioctl(st->fd, KVM_GET_SREGS, &st->reset_sregs) < 0) {
        ret = -errno;
        goto fail_unmap;
    }
    x->accel_state = st;
    kvm_vcpu_load_reset_state(cpu);
    return 0;

fail_unmap:
    munmap(st->run, kvm.run_size);
    close(st->fd);
fail:
    free(st);
    return ret;
}

static void kvm_vcpu_destroy(struct vcpu *cpu)
{
    struct x86_cpu *x = x86_cpu_of(cpu);
    struct kvm_vcpu_state *st = x->accel_state;

    if (!st)
        return;
    munmap(st->run, kvm.run_size);
    close(st->fd);
    free(st);
    x->accel_state = NULL;
}

static void kvm_vcpu_reset(struct vcpu *cpu)
{
    struct kvm_vcpu_state *st = x86_cpu_of(cpu)->accel_state;

    st->pending = KVM_PENDING_NONE;
    st->pio_index = st->pio_count = 0;
    st->in_hlt = false;
    st->run->request_interrupt_window = 0;
    kvm_vcpu_load_reset_state(cpu);
}

/* Describe element st->pio_index of the current string (or single) port access. */
static void kvm_pio_exit(struct kvm_vcpu_state *st, struct vcpu_exit *ex)
{
    struct kvm_run *run = st->run;
    uint8_t *p = (uint8_t *)run + run->io.data_offset + st->pio_index * run->io.size;
    uint32_t v = 0;

    ex->reason = VCPU_EXIT_PIO;
    ex->pio.port = run->io.port;
    ex->pio.size = run->io.size;
    ex->pio.is_write = run->io.direction == KVM_EXIT_IO_OUT;
    if (ex->pio.is_write)
        memcpy(&v, p, run->io.size);
    ex->pio.data = v;
    st->pending = ex->pio.is_write ? KVM_PENDING_NONE : KVM_PENDING_PIO_IN;
}

/* Put the data of the read the main loop just did where KVM expects it. */
static void kvm_complete_access(struct kvm_vcpu_state *st, const struct vcpu_exit *ex)
{
    struct kvm_run *run = st->run;

    if (st->pending == KVM_PENDING_PIO_IN) {
        uint8_t *p = (uint8_t *)run + run->io.data_offset + st->pio_index * run->io.size;
        memcpy(p, &ex->pio.data, run->io.size);
    } else if (st->pending == KVM_PENDING_MMIO_READ) {
        memcpy(run->mmio.data, &ex->mmio.data, run->mmio.len);
    }
    st->pending = KVM_PENDING_NONE;
}

/*
 * Offer the interrupt controller's interrupt (local APIC or PIC) if the
 * guest can take one now, else ask to be told when. NMIs (the APIC's LINT1
 * or NMI IPIs) go in with KVM_NMI, which KVM holds until the guest can
 * take one.
 */
static void kvm_inject(struct x86_cpu *x, struct kvm_vcpu_state *st)
{
    struct kvm_run *run = st->run;

    if (x->nmi_pending) {
        x->nmi_pending = false;
        if (ioctl(st->fd, KVM_NMI) < 0)
            log_guest_error("kvm: KVM_NMI: %s", strerror(errno));
    }

    if (x->intr_level && run->ready_for_interrupt_injection && run->if_flag && x->intr_ack) {
        int vec = x->intr_ack(x->intr_opaque);
        if (vec >= 0) {
            struct kvm_interrupt irq = {.irq = (uint32_t)vec};
            if (ioctl(st->fd, KVM_INTERRUPT, &irq) < 0)
                log_guest_error("kvm: KVM_INTERRUPT %d: %s", vec, strerror(errno));
        }
    }
    run->request_interrupt_window = x->intr_level ? 1 : 0;
}

/*
 * CR8 is the local APIC's TPR[7:4] (SDM vol. 3A 11.8.6.1). Without an
 * in-kernel APIC, KVM keeps the guest's CR8 in kvm_run.cr8: hand it our TPR
 * on entry, and take a value the guest changed (MOV to CR8) back on exit.
 */
static void kvm_cr8_to_kvm(struct x86_cpu *x, struct kvm_vcpu_state *st)
{
    if (!x->intc || !x->intc->get_cr8)
        return;
    st->cr8_in = x->intc->get_cr8(x->intr_opaque);
    st->run->cr8 = st->cr8_in;
}

static void kvm_cr8_from_kvm(struct x86_cpu *x, struct kvm_vcpu_state *st)
{
    if (x->intc && x->intc->set_cr8 && st->run->cr8 != st->cr8_in)
        x->intc->set_cr8(x->intr_opaque, (uint8_t)(st->run->cr8 & 15));
}

/* Arm the slice timer for end_ns (at least KVM_SLICE_MIN_NS away); returns the time armed. */
static uint64_t kvm_arm_slice(uint64_t end_ns)
{
    struct itimerspec its = {0};
    uint64_t min = plat_clock_ns() + KVM_SLICE_MIN_NS;

    if (end_ns < min)
        end_ns = min;
    its.it_value.tv_sec = end_ns / 1000000000ull;
    its.it_value.tv_nsec = end_ns % 1000000000ull;
    timer_settime(kvm.slice_timer, TIMER_ABSTIME, &its, NULL);
    return end_ns;
}

static int kvm_vcpu_run(struct vcpu *cpu, struct vcpu_exit *ex)
{
    struct x86_cpu *x = x86_cpu_of(cpu);
    struct kvm_vcpu_state *st = x->accel_state;
    struct kvm_run *run = st->run;

    kvm_complete_access(st, ex);
    /* String I/O (rep ins/outs): one element per exit, without entering the guest. */
    if (st->pio_count && ++st->pio_index < st->pio_count) {
        kvm_pio_exit(st, ex);
        return 0;
    }
    st->pio_count = 0;

    if (x86_cpu_mp_poll(cpu)) {
        ex->reason = VCPU_EXIT_HALT; /* waiting for SIPI */
        return 0;
    }
    if (st->in_hlt) {
        /* HLT ends on an interrupt the CPU takes (IF=1); with IF=0 it stays halted. */
        if (!(x->intr_level && run->if_flag) && !x->nmi_pending) {
            ex->reason = VCPU_EXIT_HALT;
            return 0;
        }
        st->in_hlt = false;
    }

    uint64_t armed = kvm_arm_slice(cpu->slice_end_ns);
    for (;;) {
        kvm_inject(x, st);
        kvm_cr8_to_kvm(x, st);
        /*
         * The slice timer's signal sets immediate_exit only once kvm_running is set; one
         * that came before (the slice may be 50 us, less than this path takes when nested)
         * is caught by the clock check after. Never clear the flag here: a signal between
         * the two lines would be lost, and a guest spinning without exits (Linux's APIC
         * calibration waits for the PIT's interrupts that way) would run on for good.
         */
        kvm_running = run;
        atomic_signal_fence(memory_order_seq_cst); /* the handler sees run before the check */
        if (cpu->exit_request || plat_clock_ns() >= armed)
            run->immediate_exit = 1;
        int r = ioctl(st->fd, KVM_RUN, 0);
        int err = errno;
        kvm_running = NULL;
        run->immediate_exit = 0;
        kvm_cr8_from_kvm(x, st);
        if (r < 0) {
            if (err == EINTR || err == EAGAIN) {
                ex->reason = VCPU_EXIT_KICKED;
                return 0;
            }
            error_report("kvm: KVM_RUN: %s", strerror(err));
            return -err;
        }
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            st->pio_index = 0;
            st->pio_count = run->io.count;
            kvm_pio_exit(st, ex);
            return 0;
        case KVM_EXIT_MMIO:
            ex->reason = VCPU_EXIT_MMIO;
            ex->mmio.addr = run->mmio.phys_addr;
            ex->mmio.size = run->mmio.len;
            ex->mmio.is_write = run->mmio.is_write;
            ex->mmio.data = 0;
            if (run->mmio.is_write)
                memcpy(&ex->mmio.data, run->mmio.data, run->mmio.len);
            st->pending = run->mmio.is_write ? KVM_PENDING_NONE : KVM_PENDING_MMIO_READ;
            return 0;
        case KVM_EXIT_HLT:
            /*
             * An interrupt that came up while the guest had IF=0 (window requested) is
             * still waiting when it runs STI; HLT: KVM without its own APIC reports the
             * HLT first. The pin will not rise again, so halting here would sleep until
             * some other device event (forever, for a tickless guest): take it now.
             */
            if (x->intr_level && run->if_flag)
                continue;
            st->in_hlt = true;
            ex->reason = VCPU_EXIT_HALT;
            return 0;
        case KVM_EXIT_IRQ_WINDOW_OPEN:
            if (plat_clock_ns() >= cpu->slice_end_ns || cpu->exit_request) {
                ex->reason = VCPU_EXIT_KICKED;
                return 0;
            }
            continue; /* inject it now */
        case KVM_EXIT_INTR:
            ex->reason = VCPU_EXIT_KICKED;
            return 0;
        case KVM_EXIT_SHUTDOWN:
            ex->reason = VCPU_EXIT_SHUTDOWN;
            return 0;
        case KVM_EXIT_SYSTEM_EVENT:
            if (run->system_event.type == KVM_SYSTEM_EVENT_RESET) {
                ex->reason = VCPU_EXIT_SHUTDOWN;
                return 0;
            }
            machine_request_shutdown(cpu->machine, SHUTDOWN_GUEST_POWEROFF, 0);
            ex->reason = VCPU_EXIT_KICKED;
            return 0;
        default:
            return kvm_report_exit(cpu, st);
        }
    }
}

static void kvm_kick(struct vcpu *cpu)
{
    struct kvm_vcpu_state *st = x86_cpu_of(cpu)->accel_state;

    if (st)
        st->run->immediate_exit = 1;
}

static void kvm_set_irq(struct vcpu *cpu, int line, int level)
{
    (void)line;
    irq_set(x86_cpu_intr_pin(cpu), level);
}

static const struct accel_ops kvm_accel_ops = {
    .name = "kvm",
    .probe = kvm_probe,
    .init = kvm_init,
    .vcpu_create = kvm_vcpu_create,
    .vcpu_destroy = kvm_vcpu_destroy,
    .vcpu_run = kvm_vcpu_run,
    .vcpu_reset = kvm_vcpu_reset,
    .get_reg = kvm_get_reg,
    .set_reg = kvm_set_reg,
    .set_irq = kvm_set_irq,
    .kick = kvm_kick,
};
ACCEL_REGISTER(kvm_accel_ops);
