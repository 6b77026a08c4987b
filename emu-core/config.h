/*
 * config.h - the command line, in QEMU's spelling, and key=value option
 * strings ("virt,dumpdtb=x.dtb", "file=a.qcow2,if=none,id=d0").
 *
 * The same parser serves the hosted program's argv and the appliance's
 * kernel command line.
 */
#ifndef EMU_CONFIG_H
#define EMU_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct opt_pair {
    char *key;
    char *value;
};

/* A parsed option string; keys are unique, later ones override. */
struct opts {
    struct opt_pair *items;
    size_t count;
};

/*
 * Parse "a=b,c=d". If implied_key is not NULL, a leading item without '='
 * is its value ("virt,x=y" with implied "type"). ",," escapes a comma in a
 * value as in QEMU; a later item without '=' means key=on. Items are added
 * to o (start from a zeroed struct), so repeated options merge as QEMU's
 * -machine does. Returns 0 or -EINVAL with a message in err (o unchanged).
 */
int opts_parse(struct opts *o, const char *str, const char *implied_key, char *err, size_t errlen);
void opts_free(struct opts *o);
const char *opts_get(const struct opts *o, const char *key);
/* The first key of o not in known (a NULL-terminated list), or NULL if all are known. */
const char *opts_unknown_key(const struct opts *o, const char *const *known);
/* on|off|yes|no|true|false; -EINVAL on other text; def if absent. */
int opts_get_bool(const struct opts *o, const char *key, bool def, bool *out);
/* Size with optional k/M/G/T suffix (binary); -EINVAL on bad text or overflow. */
int opts_get_size(const struct opts *o, const char *key, uint64_t def, uint64_t *out);
/* Parse one size string ("256M", "1G", "4096"); bare numbers are bytes unless
 * default_unit says otherwise (-m takes MiB by default). */
int parse_size(const char *s, uint64_t default_unit, uint64_t *out);

#define BAREMU_VERSION "0.1.0"

/*
 * Chardev ids the board looks up: "serial0".."serial3" for -serial (or the
 * default mon:stdio) in order. A muxed console (mon:stdio, -nographic) is
 * the console mux of console/console.h with serial0 as its front end 0.
 */
#define CONFIG_MAX_SERIAL 4
#define CONFIG_MAX_LIST 32

struct emu_config {
    const char *argv0;
    struct opts machine;   /* -M/-machine; "type" holds the name */
    uint64_t ram_size;     /* -m, bytes; 0 means the board's default */
    int smp;               /* -smp, 0 means 1 */
    /* -smp's topology, resolved as QEMU 7.2 does (cores before sockets); 0 without -smp. */
    int smp_sockets, smp_cores, smp_threads;
    /* -accel/-machine accel=; NULL means auto. Repeated -accel (QEMU's fallback
     * list) is kept as "kvm:tcg": the first that probes wins. */
    const char *accel;
    bool no_jit;           /* -accel ...,jit=off: emulated CPUs interpret only */
    const char *cpu;       /* -cpu */
    const char *bios;      /* -bios; NULL: board default */
    const char *kernel, *initrd, *append, *dtb;
    bool nographic;        /* -nographic: serial0 and monitor on stdio (mux) */
    bool display_none;
    bool no_reboot, no_shutdown;
    bool start_stopped;    /* -S */
    bool nodefaults;       /* -nodefaults: no default serial0 on mon:stdio */
    bool snapshot;         /* -snapshot */
    const char *serial[CONFIG_MAX_SERIAL]; /* -serial specs, in order */
    int nserial;
    const char *monitor;   /* -monitor spec */
    const char *chardevs[CONFIG_MAX_LIST]; /* -chardev option strings */
    int nchardevs;
    const char *qmps[CONFIG_MAX_LIST]; /* -qmp specs */
    int nqmps;
    const char *mons[CONFIG_MAX_LIST]; /* -mon option strings */
    int nmons;
    const char *add_fds[CONFIG_MAX_LIST]; /* -add-fd option strings (hosted) */
    int nadd_fds;
    const char *devices[CONFIG_MAX_LIST];  /* -device option strings */
    int ndevices;
    const char *drives[CONFIG_MAX_LIST];   /* -drive option strings */
    int ndrives;
    const char *netdevs[CONFIG_MAX_LIST];  /* -netdev option strings */
    int nnetdevs;
    const char *nics[CONFIG_MAX_LIST];     /* -nic option strings */
    int nnics;
    const char *log_items; /* -d */
    const char *log_file;  /* -D */
};

/*
 * Parse argv (argv[0] is the program name). Unknown options, a missing
 * argument or a malformed value give -EINVAL and a one-line message in err
 * naming the option, e.g. "-m: invalid size 'abc'". -h/-help/-version and
 * -M help/-accel help set *info_exit to 1 after printing. cfg is zeroed first.
 */
int config_parse(struct emu_config *cfg, int argc, char **argv, char *err, size_t errlen,
                 int *info_exit);

/* Print the option summary (-help), then config_help_extra if set. */
void config_print_help(void);

/*
 * Option lines a platform adds to -help (the appliance's -net-appliance and
 * metal.* options, which it takes off the command line before
 * config_parse); NULL: none. Set before config_parse.
 */
extern const char *config_help_extra;

/*
 * -object, as QEMU spells it; baremu has the "secret" type only:
 *   -object secret,id=ID,data=TEXT[,format=raw|base64]
 *   -object secret,id=ID,file=PATH[,format=raw|base64]
 * (PATH is read whole, a trailing newline included, as QEMU does.) config_parse
 * calls this for each -object in order, so a secret exists before anything
 * that names it is set up. Returns 0, 1 after printing the list for "help",
 * or -EINVAL/-ENOMEM with a message in err that names the object by type and
 * id only: a secret's value is never printed.
 */
int config_object_add(const char *arg, char *err, size_t errlen);

/* The secret with this id, NUL-terminated (never empty, no NUL inside), or NULL. */
const char *config_secret_lookup(const char *id);

/* Forget (and overwrite) every secret; config_parse starts with this. */
void config_secrets_clear(void);

/* Standard base64 ('=' padding, no whitespace); out needs len / 4 * 3 bytes. 0 or -EINVAL. */
int config_base64_decode(const char *in, size_t len, char *out, size_t *outlen);

#endif
