/*
 * machine.c - machine types and accelerators from their linker-section
 * registries, machine creation, and the run-state requests the main loop
 * (main-loop.c) acts upon.
 */
#include "emu-core/machine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/device.h"
#include "emu-core/log.h"
#include "net/net.h"

struct machine *current_machine;
void (*machine_event_hook)(struct machine *m, enum machine_event ev, bool guest,
                           enum shutdown_cause cause);

/*
 * The linker provides these bounds for each section that exists; weak so a
 * build without any machine type (unit tests) or accelerator still links.
 */
extern const struct machine_type *const __start_baremu_machine_types[] __attribute__((weak));
extern const struct machine_type *const __stop_baremu_machine_types[] __attribute__((weak));
extern const struct accel_ops *const __start_baremu_accels[] __attribute__((weak));
extern const struct accel_ops *const __stop_baremu_accels[] __attribute__((weak));

#define FOR_EACH_MACHINE_TYPE(p)                                                                   \
    for (const struct machine_type *const *p = __start_baremu_machine_types;                      \
         p && p < __stop_baremu_machine_types; p++)
#define FOR_EACH_ACCEL(p)                                                                          \
    for (const struct accel_ops *const *p = __start_baremu_accels; p && p < __stop_baremu_accels; \
         p++)

const struct machine_type *machine_type_find(const char *name)
{
    FOR_EACH_MACHINE_TYPE(p)
    {
        if (name ? !strcmp((*p)->name, name) : (*p)->is_default)
            return *p;
    }
    return NULL;
}

void machine_type_list(void)
{
    printf("Supported machines are:\n");
    FOR_EACH_MACHINE_TYPE(p)
    {
        printf("%-20s %s%s\n", (*p)->name, (*p)->desc ? (*p)->desc : "",
               (*p)->is_default ? " (default)" : "");
    }
}

const struct accel_ops *accel_find(const char *name)
{
    FOR_EACH_ACCEL(p)
    {
        if (!strcmp((*p)->name, name))
            return *p;
    }
    return NULL;
}

void accel_list(void)
{
    printf("Accelerators supported in this build:\n");
    FOR_EACH_ACCEL(p)
    {
        printf("%s\n", (*p)->name);
    }
}

static void accel_names(char *buf, size_t len)
{
    size_t n = 0;

    buf[0] = 0;
    FOR_EACH_ACCEL(p)
    {
        int w = snprintf(buf + n, len - n, "%s%s", n ? ", " : "", (*p)->name);
        if (w < 0 || (size_t)w >= len - n)
            break;
        n += w;
    }
}

static int accel_usable(const struct accel_ops *a)
{
    int ret = a->probe ? a->probe() : 0;

    if (ret < 0)
        warn_report("accelerator '%s' is not available here: %s", a->name, strerror(-ret));
    return ret;
}

/*
 * Walk the ':'-separated list (QEMU's "-accel kvm -accel tcg" fallbacks);
 * "auto" is the type's default, or else the first registered one that probes.
 */
static const struct accel_ops *accel_choose(const struct machine_type *t, const char *list)
{
    const char *p = list ? list : "auto";
    char name[32], avail[256];

    while (*p) {
        size_t n = strcspn(p, ":");
        snprintf(name, sizeof(name), "%.*s", (int)n, p);
        p += n + (p[n] == ':');

        if (!strcmp(name, "auto") && !t->default_accel) {
            FOR_EACH_ACCEL(a)
            {
                if ((*a)->probe == NULL || (*a)->probe() == 0)
                    return *a;
            }
            error_report("no accelerator can run here");
            return NULL;
        }
        const char *want = strcmp(name, "auto") ? name : t->default_accel;
        const struct accel_ops *a = accel_find(want);
        if (!a) {
            accel_names(avail, sizeof(avail));
            error_report("-accel %s: no such accelerator (this build has: %s)", want,
                         avail[0] ? avail : "none");
            return NULL;
        }
        if (accel_usable(a) == 0)
            return a;
    }
    error_report("none of the accelerators asked for can run here");
    return NULL;
}

/* What the command line asks for that nothing implements yet: refuse, never ignore. */
static int machine_check_unsupported(const struct machine_type *t, const struct emu_config *cfg)
{
    /* The virt, pc and microvm boards plug -drive and their virtio -device themselves. */
    if (!strcmp(t->name, "virt") || !strcmp(t->name, "pc") || !strcmp(t->name, "microvm"))
        return 0;
    if (cfg->ndrives) {
        error_report("-drive %s: block devices are not supported yet", cfg->drives[0]);
        return -ENOTSUP;
    }
    if (cfg->ndevices) {
        error_report("-device %s: adding devices with -device is not supported yet",
                     cfg->devices[0]);
        return -ENOTSUP;
    }
    return 0;
}

struct machine_alloc {
    struct machine m;
    struct emu_config cfg; /* resolved copy, see struct machine */
};

int machine_create(struct machine **out, const struct emu_config *cfg)
{
    const char *tname = opts_get(&cfg->machine, "type");
    const struct machine_type *t = machine_type_find(tname);
    struct machine_alloc *ma;
    struct machine *m;
    int ret;

    if (!t) {
        if (tname)
            error_report("-machine %s: unknown machine type (-machine help lists them)", tname);
        else
            error_report("no default machine type in this build; use -machine");
        return -ENOENT;
    }
    ret = machine_check_unsupported(t, cfg);
    if (ret < 0)
        return ret;

    ma = calloc(1, sizeof(*ma));
    if (!ma)
        return -ENOMEM;
    m = &ma->m;
    ma->cfg = *cfg;
    if (!ma->cfg.ram_size)
        ma->cfg.ram_size = t->default_ram;
    if (ma->cfg.smp <= 0)
        ma->cfg.smp = 1;
    int max = t->max_cpus > 0 ? t->max_cpus : 1;
    if (max > MACHINE_MAX_CPUS)
        max = MACHINE_MAX_CPUS;
    if (ma->cfg.smp > max) {
        error_report("-smp %d: machine '%s' supports at most %d CPUs", ma->cfg.smp, t->name, max);
        ret = -EINVAL;
        goto fail;
    }
    m->type = t;
    m->cfg = &ma->cfg;
    m->state = RUN_STATE_PRELAUNCH;

    mem_region_init_container(&m->sysmem, "system", UINT64_MAX);
    address_space_init(&m->as, &m->sysmem, "memory");
    mem_region_init_container(&m->iomem, "io", 0x10000);
    address_space_init(&m->as_io, &m->iomem, "I/O");
    vclock_init(&m->clock);

    m->accel = accel_choose(t, ma->cfg.accel);
    if (!m->accel) {
        ret = -ENODEV;
        goto fail;
    }
    if (m->accel->init) {
        ret = m->accel->init(m);
        if (ret < 0) {
            error_report("accelerator '%s' failed to start: %s", m->accel->name, strerror(-ret));
            goto fail;
        }
    }
    /* The -netdev back ends come first (with -nic's): the board's NICs claim them by id. */
    ret = net_expand_nics(&ma->cfg, t->default_nic);
    if (ret < 0)
        goto fail;
    ret = net_create_all(&ma->cfg);
    if (ret < 0)
        goto fail;
    /* Devices created by the board may look for the machine through this. */
    current_machine = m;
    ret = t->init(m);
    if (ret < 0) {
        current_machine = NULL;
        goto fail;
    }
    for (struct net_backend *nb = net_backend_next(NULL); nb; nb = net_backend_next(nb))
        if (!nb->has_fe)
            warn_report("netdev %s has no NIC (add -device ...,netdev=%s)", nb->id, nb->id);
    *out = m;
    return 0;

fail:
    /* Start-up failed and the process is about to exit: no teardown of half-built state. */
    if (!m->accel)
        free(ma);
    return ret;
}

int machine_add_vcpu(struct machine *m, struct vcpu *cpu)
{
    int ret;

    if (m->ncpus >= MACHINE_MAX_CPUS)
        return -ENOSPC;
    cpu->index = m->ncpus;
    cpu->machine = m;
    cpu->accel = m->accel;
    if (m->accel && m->accel->vcpu_create) {
        ret = m->accel->vcpu_create(cpu);
        if (ret < 0)
            return ret;
    }
    m->cpus[m->ncpus++] = cpu;
    return 0;
}

void machine_kick_all(struct machine *m)
{
    for (int i = 0; i < m->ncpus; i++) {
        m->cpus[i]->exit_request = 1;
        if (m->accel && m->accel->kick)
            m->accel->kick(m->cpus[i]);
    }
}

int machine_inject_nmi(struct machine *m)
{
    return m->type->nmi ? m->type->nmi(m) : -ENOTSUP;
}

void machine_request_shutdown(struct machine *m, enum shutdown_cause cause, int exit_status)
{
    /* The first cause wins: a quit racing a guest poweroff keeps its status. */
    if (m->shutdown_request == SHUTDOWN_NONE) {
        m->shutdown_request = cause;
        m->exit_status = cause == SHUTDOWN_HOST_ERROR ? 1 : exit_status;
    }
    machine_kick_all(m);
}

void machine_request_reset(struct machine *m)
{
    m->reset_request = true;
    machine_kick_all(m);
}

void machine_pause(struct machine *m)
{
    if (m->state != RUN_STATE_RUNNING && m->state != RUN_STATE_PRELAUNCH)
        return;
    m->state = RUN_STATE_PAUSED;
    vclock_stop(&m->clock);
    machine_kick_all(m);
    if (machine_event_hook)
        machine_event_hook(m, MACHINE_EVENT_STOP, false, SHUTDOWN_NONE);
}

void machine_resume(struct machine *m)
{
    if (m->state == RUN_STATE_SHUTDOWN || m->state == RUN_STATE_RUNNING)
        return;
    m->state = RUN_STATE_RUNNING;
    vclock_start(&m->clock);
    if (machine_event_hook)
        machine_event_hook(m, MACHINE_EVENT_RESUME, false, SHUTDOWN_NONE);
}

void machine_reset(struct machine *m)
{
    for (struct device *d = m->devices; d; d = d->next)
        device_reset(d);
    for (int i = 0; i < m->ncpus; i++) {
        struct vcpu *cpu = m->cpus[i];
        if (m->accel && m->accel->vcpu_reset)
            m->accel->vcpu_reset(cpu);
        cpu->halted = false;
    }
    if (m->type->reset)
        m->type->reset(m);
}
