/*
 * baremu-img - disk image tool with qemu-img's commands, option spelling
 * and output layout. This file: dispatch, shared helpers, create, resize
 * and amend. The rest are in img-info.c and img-convert.c.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/img.h"

void img_error(const char *fmt, ...)
{
    va_list ap;

    fputs("baremu-img: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int img_parse_size(const char *s, uint64_t *out)
{
    char *end;
    double v;
    int shift = 0;

    if (!*s || *s == '-')
        return -EINVAL;
    v = strtod(s, &end);
    if (end == s)
        return -EINVAL;
    switch (*end) {
    case 0:
    case 'b':
    case 'B':
        break;
    case 'k':
    case 'K':
        shift = 10;
        break;
    case 'm':
    case 'M':
        shift = 20;
        break;
    case 'g':
    case 'G':
        shift = 30;
        break;
    case 't':
    case 'T':
        shift = 40;
        break;
    case 'p':
    case 'P':
        shift = 50;
        break;
    case 'e':
    case 'E':
        shift = 60;
        break;
    default:
        return -EINVAL;
    }
    if (*end && end[1])
        return -EINVAL;
    v = ldexp(v, shift);
    if (v < 0 || v >= 18446744073709551616.0)
        return -ERANGE;
    *out = (uint64_t)v;
    return 0;
}

void img_size_str(uint64_t v, char *buf, size_t len)
{
    static const char *const suffixes[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    int i;

    frexp(v / (1000.0 / 1024.0), &i);
    i = (i - 1) / 10;
    if (i < 0)
        i = 0;
    if (i > 6)
        i = 6;
    snprintf(buf, len, "%0.3g %sB", (double)v / (double)(1ull << (i * 10)), suffixes[i]);
}

struct blk *img_open(const char *file, const char *fmt, unsigned flags, const char *cache)
{
    enum blk_cache_mode mode = BLK_CACHE_WRITEBACK;
    struct blk *b;

    if (cache && blk_parse_cache_mode(cache, &mode) < 0) {
        img_error("Invalid cache option: %s", cache);
        return NULL;
    }
    if (blk_open(&b, file, fmt, flags, mode) < 0) {
        img_error("Could not open '%s': %s", file, blk_last_error());
        return NULL;
    }
    return b;
}

static bool img_progress_on;

void img_progress(void *opaque, uint64_t done, uint64_t total)
{
    static int last = -1;
    int pct = total ? (int)(done * 10000 / total) : 10000;

    (void)opaque;
    if (pct == last)
        return;
    last = pct;
    img_progress_on = true;
    printf("    (%.2f/100%%)\r", pct / 100.0);
    fflush(stdout);
}

void img_progress_end(void)
{
    if (img_progress_on)
        printf("    (100.00/100%%)\n");
    img_progress_on = false;
}

static int img_parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes")) {
        *out = true;
        return 0;
    }
    if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no")) {
        *out = false;
        return 0;
    }
    return -EINVAL;
}

int img_parse_create_opts(const char *opts, struct blk_create_opts *o, struct img_create_extra *x)
{
    char *dup = strdup(opts), *save = NULL, *tok;
    int ret = 0;

    if (!dup)
        return -ENOMEM;
    for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *val = strchr(tok, '=');
        uint64_t n;
        bool bv;

        if (!val) {
            img_error("Invalid parameter '%s'", tok);
            ret = -EINVAL;
            break;
        }
        *val++ = 0;
        if (!strcmp(tok, "size")) {
            if (img_parse_size(val, &o->size) < 0)
                goto bad;
            x->have_size = true;
        } else if (!strcmp(tok, "compat")) {
            if (!strcmp(val, "0.10") || !strcmp(val, "v2"))
                o->compat = 2;
            else if (!strcmp(val, "1.1") || !strcmp(val, "v3"))
                o->compat = 3;
            else
                goto bad;
            x->have_compat = true;
        } else if (!strcmp(tok, "backing_file")) {
            o->backing_file = strdup(val);
        } else if (!strcmp(tok, "backing_fmt")) {
            o->backing_fmt = strdup(val);
        } else if (!strcmp(tok, "cluster_size")) {
            if (img_parse_size(val, &n) < 0 || n > (1u << 30))
                goto bad;
            o->cluster_size = (uint32_t)n;
        } else if (!strcmp(tok, "lazy_refcounts")) {
            if (img_parse_bool(val, &bv) < 0)
                goto bad;
            o->lazy_refcounts = bv;
            x->have_lazy = true;
        } else if (!strcmp(tok, "refcount_bits")) {
            char *end;
            n = strtoull(val, &end, 10);
            if (*end || !n || n > 64)
                goto bad;
            o->refcount_bits = (int)n;
            x->have_refcount_bits = true;
        } else if (!strcmp(tok, "preallocation")) {
            if (strcmp(val, "off")) {
                img_error("Unsupported preallocation mode '%s' (only 'off')", val);
                ret = -ENOTSUP;
                break;
            }
        } else if (!strcmp(tok, "extended_l2")) {
            if (img_parse_bool(val, &bv) < 0 || bv) {
                img_error("extended_l2=on is not supported");
                ret = -ENOTSUP;
                break;
            }
        } else if (!strcmp(tok, "compression_type")) {
            if (strcmp(val, "zlib")) {
                img_error("compression_type=%s is not supported (only zlib)", val);
                ret = -ENOTSUP;
                break;
            }
        } else {
            img_error("Invalid parameter '%s'", tok);
            ret = -EINVAL;
            break;
        }
        continue;
    bad:
        img_error("Parameter '%s' expects a valid value, got '%s'", tok, val);
        ret = -EINVAL;
        break;
    }
    free(dup);
    return ret;
}

int img_create(int argc, char **argv)
{
    struct blk_create_opts o = {0};
    struct img_create_extra x = {0};
    const char *fmt = "raw", *file;
    bool unsafe = false, quiet = false;
    int c;

    optind = 1;
    while ((c = getopt(argc, argv, "+f:o:b:F:uq")) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 'o':
            if (!strcmp(optarg, "help") || !strcmp(optarg, "?")) {
                printf("Supported options:\n  backing_file=<str>\n  backing_fmt=<str>\n"
                       "  cluster_size=<size>\n  compat=<str> (0.10 or 1.1)\n"
                       "  lazy_refcounts=<bool (on/off)>\n  refcount_bits=<num>\n"
                       "  size=<size>\n");
                return 0;
            }
            if (img_parse_create_opts(optarg, &o, &x) < 0)
                return 1;
            break;
        case 'b':
            o.backing_file = optarg;
            break;
        case 'F':
            o.backing_fmt = optarg;
            break;
        case 'u':
            unsafe = true;
            break;
        case 'q':
            quiet = true;
            break;
        default:
            return 1;
        }
    }
    if (optind >= argc) {
        img_error("Expecting image file name");
        return 1;
    }
    file = argv[optind++];
    if (optind < argc) {
        if (img_parse_size(argv[optind], &o.size) < 0) {
            img_error("Invalid image size specified. You may use k, M, G, T, P or E suffixes "
                      "for");
            img_error("kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
            return 1;
        }
        x.have_size = true;
        optind++;
    }
    if (optind < argc) {
        img_error("Invalid parameter '%s'", argv[optind]);
        return 1;
    }
    if (o.backing_file && strcmp(fmt, "raw")) {
        char path[4096];
        struct blk *bb;
        /* The backing file must exist (unless -u) and gives the size when none is set. */
        blk_resolve_backing_path(file, o.backing_file, path, sizeof(path));
        if (blk_open(&bb, path, o.backing_fmt, BLK_O_NO_BACKING, BLK_CACHE_WRITEBACK) < 0) {
            if (!unsafe || !x.have_size) {
                img_error("%s: Could not open backing image: %s", file, blk_last_error());
                return 1;
            }
        } else {
            if (!o.backing_fmt) {
                /* As qemu-img 7.2: probing the backing format is refused, but named. */
                img_error("%s: Backing file specified without backing format", file);
                fprintf(stderr, "Detected format of %s.", blk_format(bb));
                blk_close(bb);
                return 1;
            }
            if (!x.have_size)
                o.size = blk_length(bb);
            blk_close(bb);
        }
    } else if (!x.have_size) {
        img_error("%s: Image creation needs a size parameter", file);
        return 1;
    }
    o.size = (o.size + 511) & ~511ull;
    if (!quiet) {
        if (!strcmp(fmt, "qcow2")) {
            printf("Formatting '%s', fmt=qcow2 cluster_size=%u", file,
                   o.cluster_size ? o.cluster_size : 65536);
            printf(" extended_l2=off compression_type=zlib size=%llu", (unsigned long long)o.size);
            if (x.have_compat)
                printf(" compat=%s", o.compat == 2 ? "0.10" : "1.1");
            if (o.backing_file)
                printf(" backing_file=%s", o.backing_file);
            if (o.backing_fmt)
                printf(" backing_fmt=%s", o.backing_fmt);
            printf(" lazy_refcounts=%s refcount_bits=%d\n", o.lazy_refcounts ? "on" : "off",
                   o.refcount_bits ? o.refcount_bits : 16);
        } else {
            printf("Formatting '%s', fmt=%s size=%llu\n", file, fmt, (unsigned long long)o.size);
        }
        fflush(stdout); /* before any error, in the order qemu-img prints them */
    }
    if (blk_create(file, fmt, &o) < 0) {
        img_error("%s: %s", file, blk_last_error());
        return 1;
    }
    return 0;
}

int img_resize(int argc, char **argv)
{
    const char *fmt = NULL, *file, *arg;
    bool shrink = false, quiet = false;
    static const struct option lo[] = {{"shrink", no_argument, NULL, 'S'}, {NULL, 0, NULL, 0}};
    uint64_t delta, size;
    struct blk *b;
    int c, ret;

    optind = 1;
    /* "-1G" is a size, not an option: stop at the first non-option argument. */
    while ((c = getopt_long(argc, argv, "+f:q", lo, NULL)) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 'S':
            shrink = true;
            break;
        case 'q':
            quiet = true;
            break;
        default:
            return 1;
        }
    }
    if (argc - optind != 2) {
        img_error("Expecting image file name and size");
        return 1;
    }
    file = argv[optind];
    arg = argv[optind + 1];
    b = img_open(file, fmt, BLK_O_RDWR, NULL);
    if (!b)
        return 1;
    if (img_parse_size(arg[0] == '+' || arg[0] == '-' ? arg + 1 : arg, &delta) < 0) {
        img_error("Invalid image size specified");
        blk_close(b);
        return 1;
    }
    size = arg[0] == '+'   ? blk_length(b) + delta
           : arg[0] == '-' ? (delta > blk_length(b) ? 0 : blk_length(b) - delta)
                           : delta;
    if (size < blk_length(b) && !shrink) {
        img_error("Use the --shrink option to perform a shrink operation.");
        blk_close(b);
        return 1;
    }
    ret = blk_truncate(b, size);
    if (ret < 0)
        img_error("%s", blk_last_error());
    else if (!quiet)
        printf("Image resized.\n");
    if (blk_close(b) < 0 && ret >= 0) {
        img_error("%s", blk_last_error());
        ret = -EIO;
    }
    return ret < 0;
}

int img_amend(int argc, char **argv)
{
    struct blk_create_opts o = {0};
    struct img_create_extra x = {0};
    struct blk_amend_opts a = {.lazy_refcounts = -1};
    const char *fmt = NULL, *opts = NULL;
    struct blk *b;
    int c, ret;

    optind = 1;
    while ((c = getopt(argc, argv, "+f:o:qp")) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 'o':
            opts = optarg;
            break;
        case 'q':
        case 'p':
            break;
        default:
            return 1;
        }
    }
    if (!opts) {
        img_error("Must specify options (-o)");
        return 1;
    }
    if (optind != argc - 1) {
        img_error("Expecting one image file name");
        return 1;
    }
    if (img_parse_create_opts(opts, &o, &x) < 0)
        return 1;
    if (o.cluster_size) {
        img_error("Changing the cluster size is not supported");
        return 1;
    }
    a.compat = x.have_compat ? o.compat : 0;
    a.lazy_refcounts = x.have_lazy ? o.lazy_refcounts : -1;
    a.refcount_bits = x.have_refcount_bits ? o.refcount_bits : 0;
    a.size = x.have_size ? o.size : 0;
    a.backing_file = o.backing_file;
    a.backing_fmt = o.backing_fmt;
    b = img_open(argv[optind], fmt, BLK_O_RDWR | BLK_O_NO_BACKING, NULL);
    if (!b)
        return 1;
    ret = blk_amend(b, &a);
    if (ret < 0)
        img_error("Error while amending options: %s", blk_last_error());
    if (blk_close(b) < 0 && ret >= 0)
        ret = -EIO;
    return ret < 0;
}

static void img_usage(void)
{
    printf("baremu-img - disk image utility (qemu-img compatible)\n"
           "usage: baremu-img [command] [command options]\n\n"
           "Command syntax:\n"
           "  amend [-f fmt] -o options filename\n"
           "  check [-f fmt] [--output=human|json] [-r leaks|all] filename\n"
           "  commit [-f fmt] [-t cache] [-d] [-p] filename\n"
           "  compare [-f fmt] [-F fmt] [-s] [-q] filename1 filename2\n"
           "  convert [-c] [-p] [-n] [-f fmt] [-t cache] [-T src_cache] [-O output_fmt] "
           "[-o options] [-S sparse_size] filename [filename2 [...]] output_filename\n"
           "  create [-f fmt] [-o options] [-b backing_file [-F backing_fmt]] [-u] filename "
           "[size]\n"
           "  info [-f fmt] [--output=human|json] [--backing-chain] filename\n"
           "  map [-f fmt] [--output=human|json] filename\n"
           "  snapshot [-l | -a snapshot | -c snapshot | -d snapshot] filename\n"
           "  rebase [-f fmt] [-p] [-u] -b backing_file [-F backing_fmt] filename\n"
           "  resize [-f fmt] [--shrink] filename [+ | -]size\n\n"
           "Supported formats: qcow2 raw\n");
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {
        {"create", img_create},   {"info", img_info},         {"check", img_check},
        {"map", img_map},         {"snapshot", img_snapshot}, {"convert", img_convert},
        {"compare", img_compare}, {"commit", img_commit},     {"rebase", img_rebase},
        {"resize", img_resize},   {"amend", img_amend},
    };

    if (argc < 2) {
        img_error("Not enough arguments\nTry 'baremu-img --help' for more information");
        return 1;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        img_usage();
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("baremu-img version 0.1 (qemu-img 7.2 compatible commands)\n");
        return 0;
    }
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (!strcmp(argv[1], cmds[i].name))
            return cmds[i].fn(argc - 1, argv + 1);
    img_error("Command not found: %s", argv[1]);
    return 1;
}
