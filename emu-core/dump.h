/*
 * dump.h - guest memory dumps (dump-guest-memory) as ELF cores, and what
 * the monitor needs to know about the guest architecture (its name, ELF
 * machine, register layout, virtual-address translation for HMP x).
 */
#ifndef EMU_DUMP_H
#define EMU_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct vcpu;
struct monitor;

struct dump_arch {
    const char *target; /* QMP's "target" ("riscv64") */
    uint16_t e_machine; /* ELF e_machine */
    uint32_t e_flags;
    const char *cpu_path_fmt; /* qom-path of a CPU, %d = index */
    /* Whether this description fits m's CPUs. */
    bool (*match)(const struct machine *m);
    /* Number of 64-bit words in NT_PRSTATUS pr_reg, and how to fill them. 0 or -errno. */
    int nregs;
    int (*prstatus_regs)(struct vcpu *cpu, uint64_t *regs);
    /* HMP info registers for one CPU. */
    void (*print_regs)(struct monitor *mon, struct vcpu *cpu);
    /*
     * Guest-virtual to guest-physical with the CPU's current translation
     * (HMP x). 0 and *pa, -EFAULT if unmapped, -ENOTSUP if not provided.
     */
    int (*translate)(struct vcpu *cpu, uint64_t va, uint64_t *pa);
    /* Where the CPU sits in its topology (query-cpus-fast "props"); NULL: core-id = index. */
    void (*cpu_topo)(struct vcpu *cpu, int *socket, int *core, int *thread);
};

#define DUMP_ARCH_REGISTER(a)                                                                      \
    static const struct dump_arch *const __dump_arch_ptr_##a                                       \
        __attribute__((used, section("baremu_dump_arch"))) = &(a)

/* The description for m's CPUs, or NULL. */
const struct dump_arch *dump_arch_of(const struct machine *m);

/*
 * Where dumps go: the platform opens the user's file name (hosted: a path
 * or /dev/fdset/N). Without one set, dump-guest-memory fails saying so.
 */
struct dump_file_ops {
    int (*open)(const char *name, void **handle);            /* 0 or -errno */
    int (*write)(void *handle, const void *buf, size_t len); /* 0 or -errno, all or nothing */
    int (*close)(void *handle);                              /* 0 or -errno */
};
void dump_set_file_ops(const struct dump_file_ops *ops);

enum dump_status {
    DUMP_STATUS_NONE,
    DUMP_STATUS_ACTIVE,
    DUMP_STATUS_COMPLETED,
    DUMP_STATUS_FAILED
};

struct dump_state {
    enum dump_status status;
    uint64_t completed, total;
};

/*
 * Write m's RAM (every RAM/ROM range of the memory address space, clipped
 * to [begin, begin+length) when length != 0) as an ELF core: PT_LOAD per
 * range at its guest-physical address (vaddr = paddr), NT_PRSTATUS per CPU.
 * The machine is paused meanwhile (STOP/RESUME events) and DUMP_COMPLETED
 * is sent. Returns 0 or -errno with a message in err.
 */
int dump_guest_memory(struct machine *m, const char *file, uint64_t begin, uint64_t length,
                      char *err, size_t errlen);
const struct dump_state *dump_query(void);

#endif
