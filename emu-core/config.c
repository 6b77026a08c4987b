/*
 * config.c - key=value option strings and the command line in QEMU's
 * spelling. Users bring QEMU command lines, so the option names, the ",,"
 * escape, bare -m numbers meaning MiB and the error wording follow QEMU.
 */
#include "emu-core/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/machine.h"
#include "emu-core/rng.h"
#include "net/net.h"

/* ---- option strings ---- */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int opts_set(struct opts *o, const char *key, size_t keylen, const char *value)
{
    for (size_t i = 0; i < o->count; i++) {
        if (strlen(o->items[i].key) == keylen && !memcmp(o->items[i].key, key, keylen)) {
            char *v = strdup(value);
            if (!v)
                return -ENOMEM;
            free(o->items[i].value);
            o->items[i].value = v;
            return 0;
        }
    }
    struct opt_pair *n = realloc(o->items, (o->count + 1) * sizeof(*n));
    if (!n)
        return -ENOMEM;
    o->items = n;
    n[o->count].key = strndup(key, keylen);
    n[o->count].value = strdup(value);
    if (!n[o->count].key || !n[o->count].value) {
        free(n[o->count].key);
        free(n[o->count].value);
        return -ENOMEM;
    }
    o->count++;
    return 0;
}

/*
 * Copy one value starting at *p up to an unescaped ',' into a new string,
 * turning ",," into ','. Leaves *p at the terminating ',' or NUL.
 */
static char *opts_take_value(const char **p)
{
    const char *s = *p;
    char *v = malloc(strlen(s) + 1), *d = v;

    if (!v)
        return NULL;
    while (*s) {
        if (*s == ',') {
            if (s[1] != ',')
                break;
            s++;
        }
        *d++ = *s++;
    }
    *d = 0;
    *p = s;
    return v;
}

int opts_parse(struct opts *o, const char *str, const char *implied_key, char *err, size_t errlen)
{
    struct opts tmp = {0};
    const char *p = str;
    bool first = true;
    int ret = 0;

    while (*p) {
        if (*p == ',') { /* an empty item, as in "a=b,,c" after its escape or a trailing comma */
            p++;
            first = false;
            continue;
        }
        /* A key ends at '=' or ','; the implied item has no key at all. */
        size_t klen = strcspn(p, "=,");
        if (p[klen] != '=' && first && implied_key) {
            char *v = opts_take_value(&p);
            ret = v ? opts_set(&tmp, implied_key, strlen(implied_key), v) : -ENOMEM;
            free(v);
        } else if (p[klen] != '=') {
            /* QEMU's shorthand: a bare "foo" means foo=on. */
            ret = opts_set(&tmp, p, klen, "on");
            p += klen;
        } else if (klen == 0) {
            set_err(err, errlen, "'%s': empty option name", str);
            ret = -EINVAL;
        } else {
            const char *key = p;
            p += klen + 1;
            char *v = opts_take_value(&p);
            ret = v ? opts_set(&tmp, key, klen, v) : -ENOMEM;
            free(v);
        }
        if (ret)
            goto fail;
        first = false;
        if (*p == ',')
            p++;
    }
    for (size_t i = 0; i < tmp.count; i++) {
        ret = opts_set(o, tmp.items[i].key, strlen(tmp.items[i].key), tmp.items[i].value);
        if (ret)
            goto fail;
    }
    opts_free(&tmp);
    return 0;

fail:
    if (ret == -ENOMEM)
        set_err(err, errlen, "out of memory");
    opts_free(&tmp);
    return -EINVAL;
}

void opts_free(struct opts *o)
{
    for (size_t i = 0; i < o->count; i++) {
        free(o->items[i].key);
        free(o->items[i].value);
    }
    free(o->items);
    o->items = NULL;
    o->count = 0;
}

const char *opts_get(const struct opts *o, const char *key)
{
    for (size_t i = 0; i < o->count; i++)
        if (!strcmp(o->items[i].key, key))
            return o->items[i].value;
    return NULL;
}

const char *opts_unknown_key(const struct opts *o, const char *const *known)
{
    for (size_t i = 0; i < o->count; i++) {
        size_t j = 0;
        while (known[j] && strcmp(o->items[i].key, known[j]))
            j++;
        if (!known[j])
            return o->items[i].key;
    }
    return NULL;
}

int opts_get_bool(const struct opts *o, const char *key, bool def, bool *out)
{
    const char *v = opts_get(o, key);

    if (!v) {
        *out = def;
        return 0;
    }
    if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true")) {
        *out = true;
        return 0;
    }
    if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false")) {
        *out = false;
        return 0;
    }
    return -EINVAL;
}

int opts_get_size(const struct opts *o, const char *key, uint64_t def, uint64_t *out)
{
    const char *v = opts_get(o, key);

    if (!v) {
        *out = def;
        return 0;
    }
    return parse_size(v, 1, out);
}

/*
 * QEMU's size syntax: decimal with an optional fraction ("1.5G"), or hex
 * ("0x1000", no fraction), then an optional case-insensitive unit
 * B/K/M/G/T/P/E in powers of 1024.
 */
int parse_size(const char *s, uint64_t default_unit, uint64_t *out)
{
    uint64_t whole = 0, frac = 0, frac_div = 1, unit = default_unit;
    const char *p = s;
    bool hex = false;

    if (!(*p >= '0' && *p <= '9'))
        return -EINVAL;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        hex = true;
        p += 2;
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
            return -EINVAL;
        for (;; p++) {
            unsigned d;
            if (*p >= '0' && *p <= '9')
                d = *p - '0';
            else if (*p >= 'a' && *p <= 'f')
                d = *p - 'a' + 10;
            else if (*p >= 'A' && *p <= 'F')
                d = *p - 'A' + 10;
            else
                break;
            if (whole >> 60)
                return -EINVAL;
            whole = whole << 4 | d;
        }
    } else {
        for (; *p >= '0' && *p <= '9'; p++)
            if (__builtin_mul_overflow(whole, 10, &whole) ||
                __builtin_add_overflow(whole, (uint64_t)(*p - '0'), &whole))
                return -EINVAL;
    }
    if (*p == '.' && !hex) {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return -EINVAL;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (frac_div >= 1000000000000000000ull)
                continue; /* digits past 1e-18 cannot matter */
            frac = frac * 10 + (*p - '0');
            frac_div *= 10;
        }
    }
    if (*p) {
        static const char units[] = "bkmgtpe";
        const char *u = strchr(units, *p | 0x20);
        if (!u || p[1])
            return -EINVAL;
        unit = 1ull << (10 * (u - units));
    }
    /* A fraction of a byte means nothing; QEMU refuses it too. */
    if (frac && unit == 1)
        return -EINVAL;
    uint64_t total;
    if (__builtin_mul_overflow(whole, unit, &total))
        return -EINVAL;
    if (frac) {
        /* frac/frac_div < 1, so the product fits after dividing unit first when possible. */
        unsigned __int128 f = (unsigned __int128)frac * unit / frac_div;
        if (__builtin_add_overflow(total, (uint64_t)f, &total))
            return -EINVAL;
    }
    *out = total;
    return 0;
}

/* ---- the command line ---- */

enum opt_id {
    OPT_MACHINE,
    OPT_MEM,
    OPT_SMP,
    OPT_ACCEL,
    OPT_ENABLE_KVM,
    OPT_CPU,
    OPT_BIOS,
    OPT_KERNEL,
    OPT_INITRD,
    OPT_APPEND,
    OPT_DTB,
    OPT_NOGRAPHIC,
    OPT_DISPLAY,
    OPT_SERIAL,
    OPT_MONITOR,
    OPT_CHARDEV,
    OPT_QMP,
    OPT_MON,
    OPT_ADD_FD,
    OPT_OBJECT,
    OPT_DEVICE,
    OPT_DRIVE,
    OPT_NETDEV,
    OPT_NIC,
    OPT_NO_REBOOT,
    OPT_NO_SHUTDOWN,
    OPT_STOPPED,
    OPT_SNAPSHOT,
    OPT_NODEFAULTS,
    OPT_LOG,
    OPT_LOGFILE,
    OPT_HELP,
    OPT_VERSION,
};

struct opt_def {
    const char *name;
    bool has_arg;
    enum opt_id id;
    const char *help; /* NULL: an alias, not listed */
};

static const struct opt_def opt_defs[] = {
    {"M", true, OPT_MACHINE, NULL},
    {"machine", true, OPT_MACHINE,
     "-machine TYPE[,KEY=VALUE...]  (-M) board; 'help' lists them; accel=, dumpdtb=FILE"},
    {"m", true, OPT_MEM, "-m [size=]SIZE    guest RAM; a bare number is MiB (256, 1G)"},
    {"smp", true, OPT_SMP, "-smp [cpus=]N     number of vCPUs"},
    {"accel", true, OPT_ACCEL,
     "-accel NAME       accelerator ('help' lists them); repeat for fallbacks"},
    {"enable-kvm", false, OPT_ENABLE_KVM, "-enable-kvm       same as -accel kvm"},
    {"cpu", true, OPT_CPU, "-cpu MODEL        CPU model ('help': the board lists them)"},
    {"bios", true, OPT_BIOS, "-bios FILE        firmware ('none': no firmware)"},
    {"kernel", true, OPT_KERNEL, "-kernel FILE      kernel or payload image"},
    {"initrd", true, OPT_INITRD, "-initrd FILE      initial ramdisk"},
    {"append", true, OPT_APPEND, "-append CMDLINE   kernel command line"},
    {"dtb", true, OPT_DTB, "-dtb FILE         device tree blob instead of the generated one"},
    {"nographic", false, OPT_NOGRAPHIC,
     "-nographic        serial0 and the monitor on stdio (Ctrl-A h for help)"},
    {"display", true, OPT_DISPLAY, "-display none     (the only display baremu has)"},
    {"serial", true, OPT_SERIAL,
     "-serial DEV       stdio, mon:stdio, file:PATH, null, none (up to 4)"},
    {"monitor", true, OPT_MONITOR,
     "-monitor DEV      HMP on stdio, tcp:HOST:PORT,server=on,wait=off, unix:PATH,server=on, none"},
    {"qmp", true, OPT_QMP,
     "-qmp DEV         QMP on tcp:HOST:PORT,server=on,wait=off, unix:PATH,server=on, stdio"},
    {"chardev", true, OPT_CHARDEV,
     "-chardev socket,id=ID,(path=P|host=H,port=N),server=on[,wait=off] | stdio,id=ID  (for -mon)"},
    {"mon", true, OPT_MON, "-mon chardev=ID[,mode=readline|control]  a monitor on a -chardev"},
    {"add-fd", true, OPT_ADD_FD,
     "-add-fd fd=N,set=M[,opaque=S]  put inherited fd N in fd set M (/dev/fdset/M)"},
    {"object", true, OPT_OBJECT,
     "-object secret,id=ID,(data=S|file=PATH)[,format=raw|base64]  a secret (for secret=ID)\n"
     "                  rng-random,id=ID[,filename=PATH] | rng-builtin,id=ID  (for rng=ID)"},
    {"device", true, OPT_DEVICE,
     "-device DRIVER,OPTS  virtio-blk-device/-pci,drive=ID; virtio-net-device,netdev=ID[,mac=M]\n"
     "                  virtio-rng-device/-pci[,rng=ID][,max-bytes=N,period=MS]"},
    {"drive", true, OPT_DRIVE,
     "-drive file=F[,if=virtio|none][,format=raw|qcow2][,id=ID][,readonly=on][,cache=M]"},
    {"nic", true, OPT_NIC,
     "-nic user[,model=M][,mac=M][,hostfwd=...]  a NIC on a new -netdev ('none': no NIC)"},
    {"netdev", true, OPT_NETDEV,
     "-netdev user,id=ID[,net=A/M][,hostfwd=tcp::HP-:GP][,tftp=DIR]  a network ('help' lists)"},
    {"no-reboot", false, OPT_NO_REBOOT, "-no-reboot        exit instead of rebooting"},
    {"no-shutdown", false, OPT_NO_SHUTDOWN,
     "-no-shutdown      pause instead of exiting on poweroff"},
    {"S", false, OPT_STOPPED, "-S                start with the vCPUs stopped"},
    {"snapshot", false, OPT_SNAPSHOT, "-snapshot         discard disk writes at exit"},
    {"nodefaults", false, OPT_NODEFAULTS, "-nodefaults       no default serial console"},
    {"d", true, OPT_LOG, "-d ITEM,...       log items (guest_errors, unimp, int, exec, mmu)"},
    {"D", true, OPT_LOGFILE, "-D FILE           log to FILE instead of stderr"},
    {"h", false, OPT_HELP, NULL},
    {"help", false, OPT_HELP, "-h, -help         this text"},
    {"version", false, OPT_VERSION, "-version          version"},
};

const char *config_help_extra;

void config_print_help(void)
{
    printf("usage: baremu [options]\n\n"
           "Options are spelled as QEMU's (-opt or --opt):\n");
    for (size_t i = 0; i < sizeof(opt_defs) / sizeof(opt_defs[0]); i++)
        if (opt_defs[i].help)
            printf("  %s\n", opt_defs[i].help);
    if (config_help_extra)
        printf("%s", config_help_extra);
    printf("\nWithout -serial or -nographic, QEMU would open a graphical console; baremu\n"
           "has none and behaves as with -nographic: serial0 on stdio, muxed with the\n"
           "console escapes (Ctrl-A h lists them, Ctrl-A x quits).\n");
}

static void print_version(void)
{
    printf("baremu version %s, QEMU-compatible command line\n", BAREMU_VERSION);
}

static const struct opt_def *find_opt(const char *name)
{
    for (size_t i = 0; i < sizeof(opt_defs) / sizeof(opt_defs[0]); i++)
        if (!strcmp(opt_defs[i].name, name))
            return &opt_defs[i];
    return NULL;
}

/* Append one name to the ':'-separated accelerator fallback list. */
static int add_accel(struct emu_config *cfg, const char *name, size_t len)
{
    size_t old = cfg->accel ? strlen(cfg->accel) : 0;
    char *s = malloc(old + len + 2);

    if (!s)
        return -ENOMEM;
    if (old)
        memcpy(s, cfg->accel, old);
    if (old)
        s[old++] = ':';
    memcpy(s + old, name, len);
    s[old + len] = 0;
    free((char *)cfg->accel);
    cfg->accel = s;
    return 0;
}

static int parse_mem(struct emu_config *cfg, const char *opt, const char *arg, char *err,
                     size_t errlen)
{
    struct opts o = {0};
    uint64_t size;
    int ret = -EINVAL;

    if (opts_parse(&o, arg, "size", err, errlen) < 0)
        goto out;
    for (size_t i = 0; i < o.count; i++) {
        if (strcmp(o.items[i].key, "size")) {
            set_err(err, errlen, "%s: '%s' is not supported (no memory hotplug)", opt,
                    o.items[i].key);
            goto out;
        }
    }
    const char *v = opts_get(&o, "size");
    if (!v || parse_size(v, 1ull << 20, &size) < 0 || size == 0) {
        set_err(err, errlen, "%s: invalid size '%s'", opt, v ? v : arg);
        goto out;
    }
    cfg->ram_size = size;
    ret = 0;
out:
    opts_free(&o);
    return ret;
}

static int parse_uint(const char *s, long max, long *out)
{
    char *end;

    if (!(*s >= '0' && *s <= '9'))
        return -EINVAL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v > max)
        return -EINVAL;
    *out = v;
    return 0;
}

static int parse_smp(struct emu_config *cfg, const char *opt, const char *arg, char *err,
                     size_t errlen)
{
    static const char *const topo[] = {"sockets", "dies", "clusters", "cores", "threads"};
    struct opts o = {0};
    long cpus = 0, maxcpus = 0, n[5] = {0}, v;
    int ret = -EINVAL;

    if (opts_parse(&o, arg, "cpus", err, errlen) < 0)
        goto out;
    for (size_t i = 0; i < o.count; i++) {
        const char *k = o.items[i].key;
        long *slot = !strcmp(k, "cpus") ? &cpus : !strcmp(k, "maxcpus") ? &maxcpus : NULL;
        for (size_t t = 0; t < sizeof(topo) / sizeof(topo[0]) && !slot; t++)
            if (!strcmp(k, topo[t]))
                slot = &n[t];
        if (!slot) {
            set_err(err, errlen, "%s: unknown parameter '%s'", opt, k);
            goto out;
        }
        if (parse_uint(o.items[i].value, 4096, &v) < 0 || v == 0) {
            set_err(err, errlen, "%s: invalid %s '%s'", opt, k, o.items[i].value);
            goto out;
        }
        *slot = v;
    }
    long sockets = n[0], dies = n[1] ? n[1] : 1, clusters = n[2] ? n[2] : 1, cores = n[3],
         threads = n[4];
    if (dies != 1 || clusters != 1) {
        set_err(err, errlen, "%s: dies and clusters other than 1 are not supported", opt);
        goto out;
    }
    /* QEMU 7.2's machine_parse_smp_config(): the missing counts, cores before sockets. */
    if (!cpus && !maxcpus) {
        sockets = sockets ? sockets : 1;
        cores = cores ? cores : 1;
        threads = threads ? threads : 1;
    } else {
        maxcpus = maxcpus ? maxcpus : cpus;
        if (!cores) {
            sockets = sockets ? sockets : 1;
            threads = threads ? threads : 1;
            cores = maxcpus / (sockets * threads);
        } else if (!sockets) {
            threads = threads ? threads : 1;
            sockets = maxcpus / (cores * threads);
        }
        threads = threads ? threads : maxcpus / (sockets * cores);
    }
    long product = sockets * cores * threads;
    maxcpus = maxcpus ? maxcpus : product;
    cpus = cpus ? cpus : maxcpus;
    if (!sockets || !cores || !threads || product != maxcpus) {
        set_err(err, errlen,
                "%s: sockets (%ld) * cores (%ld) * threads (%ld) does not make maxcpus (%ld)", opt,
                sockets, cores, threads, maxcpus);
        goto out;
    }
    /* Without CPU hotplug, maxcpus can only equal the number we start with. */
    if (maxcpus != cpus) {
        set_err(err, errlen, "%s: maxcpus must equal cpus (no CPU hotplug)", opt);
        goto out;
    }
    cfg->smp_sockets = (int)sockets;
    cfg->smp_cores = (int)cores;
    cfg->smp_threads = (int)threads;
    cfg->smp = (int)cpus;
    ret = 0;
out:
    opts_free(&o);
    return ret;
}

static int parse_accel(struct emu_config *cfg, const char *opt, const char *arg, char *err,
                       size_t errlen)
{
    struct opts o = {0};
    int ret = -EINVAL;

    if (opts_parse(&o, arg, "accel", err, errlen) < 0)
        goto out;
    const char *name = opts_get(&o, "accel");
    if (!name || !*name) {
        set_err(err, errlen, "%s: no accelerator named", opt);
        goto out;
    }
    for (size_t i = 0; i < o.count; i++) {
        const char *k = o.items[i].key, *v = o.items[i].value;
        /* vCPUs run in slices on one thread, which is what thread=single asks for. */
        if (!strcmp(k, "accel") || (!strcmp(k, "thread") && !strcmp(v, "single")))
            continue;
        /* baremu's own: turn the emulated CPUs' code generator off (the interpreter remains) */
        if (!strcmp(k, "jit") && (!strcmp(v, "on") || !strcmp(v, "off"))) {
            cfg->no_jit = !strcmp(v, "off");
            continue;
        }
        set_err(err, errlen, "%s: %s=%s is not supported", opt, k, v);
        goto out;
    }
    ret = add_accel(cfg, name, strlen(name));
out:
    opts_free(&o);
    return ret;
}

static int parse_display(struct emu_config *cfg, const char *opt, const char *arg, char *err,
                         size_t errlen)
{
    size_t n = strcspn(arg, ",");

    if (n != 4 || strncmp(arg, "none", 4)) {
        set_err(err, errlen, "%s %.*s: only '-display none' is supported (baremu has no "
                "graphical display)", opt, (int)n, arg);
        return -EINVAL;
    }
    cfg->display_none = true;
    return 0;
}

static int add_list(const char **list, int *n, const char *opt, const char *arg, char *err,
                    size_t errlen)
{
    if (*n >= CONFIG_MAX_LIST) {
        set_err(err, errlen, "%s: too many (at most %d)", opt, CONFIG_MAX_LIST);
        return -EINVAL;
    }
    list[(*n)++] = arg;
    return 0;
}

/* Checks that need the whole command line. */
static int config_finish(struct emu_config *cfg, bool accel_opt, char *err, size_t errlen)
{
    const char *macc = opts_get(&cfg->machine, "accel");

    if (macc) {
        if (accel_opt) {
            set_err(err, errlen, "the -accel and -machine accel= options are incompatible");
            return -EINVAL;
        }
        cfg->accel = strdup(macc);
    }
    return 0;
}

int config_parse(struct emu_config *cfg, int argc, char **argv, char *err, size_t errlen,
                 int *info_exit)
{
    bool accel_opt = false;
    int ret = 0;

    memset(cfg, 0, sizeof(*cfg));
    config_secrets_clear();
    rng_backends_clear();
    cfg->argv0 = argc > 0 ? argv[0] : "baremu";
    *info_exit = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *arg = NULL;

        if (a[0] != '-' || !a[1]) {
            set_err(err, errlen, "%s: unexpected argument (QEMU would take it as a disk image; "
                    "baremu has no disks yet)", a);
            return -EINVAL;
        }
        const char *name = a + 1 + (a[1] == '-');
        const struct opt_def *d = find_opt(name);
        if (!d) {
            set_err(err, errlen, "%s: invalid option", a);
            return -EINVAL;
        }
        if (d->has_arg) {
            if (i + 1 >= argc) {
                set_err(err, errlen, "%s: requires an argument", a);
                return -EINVAL;
            }
            arg = argv[++i];
        }

        switch (d->id) {
        case OPT_MACHINE:
            if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
                machine_type_list();
                *info_exit = 1;
                return 0;
            }
            if (opts_parse(&cfg->machine, arg, "type", err, errlen) < 0) {
                char msg[200];
                snprintf(msg, sizeof(msg), "%s", err);
                set_err(err, errlen, "%s: %s", a, msg);
                return -EINVAL;
            }
            break;
        case OPT_MEM:
            ret = parse_mem(cfg, a, arg, err, errlen);
            break;
        case OPT_SMP:
            ret = parse_smp(cfg, a, arg, err, errlen);
            break;
        case OPT_ACCEL:
            if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
                accel_list();
                *info_exit = 1;
                return 0;
            }
            accel_opt = true;
            ret = parse_accel(cfg, a, arg, err, errlen);
            break;
        case OPT_ENABLE_KVM:
            accel_opt = true;
            ret = add_accel(cfg, "kvm", 3);
            break;
        case OPT_CPU:
            cfg->cpu = arg;
            break;
        case OPT_BIOS:
            cfg->bios = arg;
            break;
        case OPT_KERNEL:
            cfg->kernel = arg;
            break;
        case OPT_INITRD:
            cfg->initrd = arg;
            break;
        case OPT_APPEND:
            cfg->append = arg;
            break;
        case OPT_DTB:
            cfg->dtb = arg;
            break;
        case OPT_NOGRAPHIC:
            cfg->nographic = true;
            break;
        case OPT_DISPLAY:
            ret = parse_display(cfg, a, arg, err, errlen);
            break;
        case OPT_SERIAL:
            if (cfg->nserial >= CONFIG_MAX_SERIAL) {
                set_err(err, errlen, "%s: too many serial ports (at most %d)", a,
                        CONFIG_MAX_SERIAL);
                return -EINVAL;
            }
            cfg->serial[cfg->nserial++] = arg;
            break;
        case OPT_MONITOR:
            cfg->monitor = arg;
            break;
        case OPT_CHARDEV:
            ret = add_list(cfg->chardevs, &cfg->nchardevs, a, arg, err, errlen);
            break;
        case OPT_QMP:
            ret = add_list(cfg->qmps, &cfg->nqmps, a, arg, err, errlen);
            break;
        case OPT_MON:
            ret = add_list(cfg->mons, &cfg->nmons, a, arg, err, errlen);
            break;
        case OPT_ADD_FD:
            ret = add_list(cfg->add_fds, &cfg->nadd_fds, a, arg, err, errlen);
            break;
        case OPT_OBJECT:
            ret = config_object_add(arg, err, errlen);
            if (ret == 1) {
                *info_exit = 1;
                return 0;
            }
            break;
        case OPT_DEVICE:
            ret = add_list(cfg->devices, &cfg->ndevices, a, arg, err, errlen);
            break;
        case OPT_DRIVE:
            ret = add_list(cfg->drives, &cfg->ndrives, a, arg, err, errlen);
            break;
        case OPT_NIC:
            ret = add_list(cfg->nics, &cfg->nnics, a, arg, err, errlen);
            break;
        case OPT_NETDEV:
            if (!strcmp(arg, "help")) {
                net_backend_type_list();
                *info_exit = 1;
                return 0;
            }
            ret = add_list(cfg->netdevs, &cfg->nnetdevs, a, arg, err, errlen);
            break;
        case OPT_NO_REBOOT:
            cfg->no_reboot = true;
            break;
        case OPT_NO_SHUTDOWN:
            cfg->no_shutdown = true;
            break;
        case OPT_STOPPED:
            cfg->start_stopped = true;
            break;
        case OPT_SNAPSHOT:
            cfg->snapshot = true;
            break;
        case OPT_NODEFAULTS:
            cfg->nodefaults = true;
            break;
        case OPT_LOG:
            cfg->log_items = arg;
            break;
        case OPT_LOGFILE:
            cfg->log_file = arg;
            break;
        case OPT_HELP:
            config_print_help();
            *info_exit = 1;
            return 0;
        case OPT_VERSION:
            print_version();
            *info_exit = 1;
            return 0;
        }
        if (ret < 0)
            return -EINVAL;
    }
    return config_finish(cfg, accel_opt, err, errlen);
}
