/*
 * img-info.c - baremu-img info, check, map and snapshot: read-mostly
 * commands whose output follows qemu-img 7.2's layout and JSON field names.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/img.h"

static void json_fstr(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void json_str(const char *s)
{
    json_fstr(stdout, s);
}

int img_output_arg(const char *arg, bool *json)
{
    if (!strcmp(arg, "json"))
        *json = true;
    else if (!strcmp(arg, "human"))
        *json = false;
    else {
        img_error("--output must be used with human or json as argument.");
        return -1;
    }
    return 0;
}

static void img_snapshot_header(FILE *f)
{
    fprintf(f, "%-10s%-17s%8s%20s%13s%11s\n", "ID", "TAG", "VM SIZE", "DATE", "VM CLOCK", "ICOUNT");
}

static void img_snapshot_line(FILE *f, const struct blk_snapshot_info *sn)
{
    char date[32] = "", clock[32], size[32], icount[32] = "";
    time_t t = sn->date_sec;
    struct tm tm;
    uint64_t secs = sn->vm_clock_nsec / 1000000000ull;

    if (localtime_r(&t, &tm))
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(clock, sizeof(clock), "%02d:%02d:%02d.%03d", (int)(secs / 3600),
             (int)((secs / 60) % 60), (int)(secs % 60),
             (int)((sn->vm_clock_nsec / 1000000) % 1000));
    img_size_str(sn->vm_state_size, size, sizeof(size));
    if (sn->icount != UINT64_MAX)
        snprintf(icount, sizeof(icount), "%llu", (unsigned long long)sn->icount);
    fprintf(f, "%-9s %-16s %8s%20s%13s%11s\n", sn->id, sn->name, size, date, clock, icount);
}

static void img_info_one(FILE *f, struct blk *b, bool json)
{
    struct blk_info in;
    struct blk_snapshot_info *sn = NULL;
    int nsn = 0;
    char sz[32];

    blk_get_info(b, &in);
    if (in.is_qcow2)
        nsn = blk_snapshot_list(b, &sn);
    if (nsn < 0)
        nsn = 0;
    if (json) {
        fprintf(f, "{\n");
        if (in.backing_file && in.backing_fmt) {
            fprintf(f, "    \"backing-filename-format\": ");
            json_fstr(f, in.backing_fmt);
            fprintf(f, ",\n");
        }
        if (nsn) {
            fprintf(f, "    \"snapshots\": [\n");
            for (int i = 0; i < nsn; i++) {
                fprintf(f, "        {\n");
                if (sn[i].icount != UINT64_MAX)
                    fprintf(f, "            \"icount\": %llu,\n", (unsigned long long)sn[i].icount);
                fprintf(f, "            \"vm-clock-nsec\": %llu,\n",
                        (unsigned long long)(sn[i].vm_clock_nsec % 1000000000ull));
                fprintf(f, "            \"name\": ");
                json_fstr(f, sn[i].name);
                fprintf(f, ",\n            \"date-sec\": %u,\n", sn[i].date_sec);
                fprintf(f, "            \"date-nsec\": %u,\n", sn[i].date_nsec);
                fprintf(f, "            \"vm-clock-sec\": %llu,\n",
                        (unsigned long long)(sn[i].vm_clock_nsec / 1000000000ull));
                fprintf(f, "            \"id\": ");
                json_fstr(f, sn[i].id);
                fprintf(f, ",\n            \"vm-state-size\": %llu\n",
                        (unsigned long long)sn[i].vm_state_size);
                fprintf(f, "        }%s\n", i + 1 < nsn ? "," : "");
            }
            fprintf(f, "    ],\n");
        }
        fprintf(f, "    \"virtual-size\": %llu,\n", (unsigned long long)in.virtual_size);
        fprintf(f, "    \"filename\": ");
        json_fstr(f, blk_filename(b));
        fprintf(f, ",\n");
        if (in.cluster_size)
            fprintf(f, "    \"cluster-size\": %u,\n", in.cluster_size);
        fprintf(f, "    \"format\": ");
        json_fstr(f, in.format);
        fprintf(f, ",\n");
        if (in.actual_size >= 0)
            fprintf(f, "    \"actual-size\": %lld,\n", (long long)in.actual_size);
        if (in.is_qcow2) {
            fprintf(f,
                    "    \"format-specific\": {\n        \"type\": \"qcow2\",\n"
                    "        \"data\": {\n            \"compat\": \"%s\",\n"
                    "            \"compression-type\": \"zlib\",\n",
                    in.compat == 2 ? "0.10" : "1.1");
            if (in.compat >= 3)
                fprintf(f,
                        "            \"lazy-refcounts\": %s,\n            \"refcount-bits\": %d,\n"
                        "            \"corrupt\": %s,\n            \"extended-l2\": false\n",
                        in.lazy_refcounts ? "true" : "false", in.refcount_bits,
                        in.corrupt ? "true" : "false");
            else
                fprintf(f, "            \"refcount-bits\": %d\n", in.refcount_bits);
            fprintf(f, "        }\n    },\n");
        }
        if (in.backing_file) {
            fprintf(f, "    \"full-backing-filename\": ");
            json_fstr(f, in.backing_file_full);
            fprintf(f, ",\n    \"backing-filename\": ");
            json_fstr(f, in.backing_file);
            fprintf(f, ",\n");
        }
        fprintf(f, "    \"dirty-flag\": %s\n}\n", in.dirty ? "true" : "false");
    } else {
        fprintf(f, "image: %s\nfile format: %s\n", blk_filename(b), in.format);
        img_size_str(in.virtual_size, sz, sizeof(sz));
        fprintf(f, "virtual size: %s (%llu bytes)\n", sz, (unsigned long long)in.virtual_size);
        if (in.actual_size >= 0) {
            img_size_str((uint64_t)in.actual_size, sz, sizeof(sz));
            fprintf(f, "disk size: %s\n", sz);
        } else {
            fprintf(f, "disk size: unavailable\n");
        }
        if (in.cluster_size)
            fprintf(f, "cluster_size: %u\n", in.cluster_size);
        if (in.backing_file) {
            fprintf(f, "backing file: %s", in.backing_file);
            if (strcmp(in.backing_file, in.backing_file_full))
                fprintf(f, " (actual path: %s)", in.backing_file_full);
            fprintf(f, "\n");
            if (in.backing_fmt)
                fprintf(f, "backing file format: %s\n", in.backing_fmt);
        }
        if (in.dirty)
            fprintf(f, "cleanly shut down: no\n");
        if (nsn) {
            fprintf(f, "Snapshot list:\n");
            img_snapshot_header(f);
            for (int i = 0; i < nsn; i++)
                img_snapshot_line(f, &sn[i]);
        }
        if (in.is_qcow2) {
            fprintf(f, "Format specific information:\n    compat: %s\n    compression type: zlib\n",
                    in.compat == 2 ? "0.10" : "1.1");
            if (in.compat >= 3)
                fprintf(f, "    lazy refcounts: %s\n", in.lazy_refcounts ? "true" : "false");
            fprintf(f, "    refcount bits: %d\n", in.refcount_bits);
            if (in.compat >= 3)
                fprintf(f, "    corrupt: %s\n    extended l2: false\n",
                        in.corrupt ? "true" : "false");
        }
    }
    free(sn);
}

int img_info(int argc, char **argv)
{
    static const struct option lo[] = {{"output", required_argument, NULL, 'O'},
                                       {"backing-chain", no_argument, NULL, 'B'},
                                       {"force-share", no_argument, NULL, 'U'},
                                       {NULL, 0, NULL, 0}};
    const char *fmt = NULL;
    bool json = false, chain = false;
    struct blk *b;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "+f:hU", lo, NULL)) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 'O':
            if (img_output_arg(optarg, &json) < 0)
                return 1;
            break;
        case 'B':
            chain = true;
            break;
        case 'U':
            break;
        default:
            return 1;
        }
    }
    if (optind != argc - 1) {
        img_error("Expecting one image file name");
        return 1;
    }
    b = img_open(argv[optind], fmt, chain ? 0 : BLK_O_NO_BACKING, NULL);
    if (!b)
        return 1;
    if (chain && json)
        printf("[");
    for (struct blk *cur = b; cur; cur = chain ? blk_backing(cur) : NULL) {
        if (chain && json) {
            /* A list of the same objects, each indented one level more. */
            char *text = NULL, *line, *save = NULL;
            size_t len = 0;
            FILE *mf = open_memstream(&text, &len);
            if (!mf)
                break;
            img_info_one(mf, cur, json);
            fclose(mf);
            printf(cur == b ? "\n" : ",\n");
            for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                printf("%s    %s", line == text ? "" : "\n", line);
            free(text);
            continue;
        }
        if (cur != b)
            printf("\n");
        img_info_one(stdout, cur, json);
    }
    if (chain && json)
        printf("\n]\n");
    blk_close(b);
    return 0;
}

static void img_check_print(void *opaque, const char *msg)
{
    (void)opaque;
    fprintf(stderr, "%s\n", msg);
}

int img_check(int argc, char **argv)
{
    static const struct option lo[] = {{"output", required_argument, NULL, 'O'},
                                       {"force-share", no_argument, NULL, 'U'},
                                       {NULL, 0, NULL, 0}};
    struct blk_check_result r;
    const char *fmt = NULL, *file;
    bool json = false, quiet = false;
    int fix = 0, c, ret;
    struct blk *b;

    optind = 1;
    while ((c = getopt_long(argc, argv, "+f:r:qU", lo, NULL)) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 'r':
            if (!strcmp(optarg, "leaks"))
                fix = BLK_FIX_LEAKS;
            else if (!strcmp(optarg, "all"))
                fix = BLK_FIX_LEAKS | BLK_FIX_ERRORS;
            else {
                img_error("Unknown option value for -r (expecting 'leaks' or 'all'): %s", optarg);
                return 1;
            }
            break;
        case 'O':
            if (img_output_arg(optarg, &json) < 0)
                return 1;
            break;
        case 'q':
            quiet = true;
            break;
        case 'U':
            break;
        default:
            return 1;
        }
    }
    if (optind != argc - 1) {
        img_error("Expecting one image file name");
        return 1;
    }
    file = argv[optind];
    b = img_open(file, fmt, (fix ? BLK_O_RDWR : 0) | BLK_O_CHECK | BLK_O_NO_BACKING, NULL);
    if (!b)
        return 1;
    ret = blk_check(b, &r, fix, quiet ? NULL : img_check_print, NULL);
    if (ret == -ENOTSUP) {
        img_error("This image format does not support checks");
        blk_close(b);
        return 63;
    }
    if (ret < 0) {
        img_error("Check failed: %s", blk_last_error());
        blk_close(b);
        return 1;
    }
    if (json) {
        /* Field order as qemu-img 7.2 prints it (its dictionary's order). */
        printf("{\n");
        if (r.image_end_offset)
            printf("    \"image-end-offset\": %lld,\n", (long long)r.image_end_offset);
        if (r.total_clusters && r.compressed_clusters)
            printf("    \"compressed-clusters\": %llu,\n",
                   (unsigned long long)r.compressed_clusters);
        if (r.total_clusters)
            printf("    \"total-clusters\": %llu,\n", (unsigned long long)r.total_clusters);
        if (r.corruptions)
            printf("    \"corruptions\": %d,\n", r.corruptions);
        if (r.corruptions_fixed)
            printf("    \"corruptions-fixed\": %d,\n", r.corruptions_fixed);
        printf("    \"check-errors\": %d,\n", r.check_errors);
        if (r.leaks)
            printf("    \"leaks\": %d,\n", r.leaks);
        if (r.leaks_fixed)
            printf("    \"leaks-fixed\": %d,\n", r.leaks_fixed);
        if (r.total_clusters && r.allocated_clusters)
            printf("    \"allocated-clusters\": %llu,\n", (unsigned long long)r.allocated_clusters);
        printf("    \"filename\": ");
        json_str(file);
        printf(",\n    \"format\": ");
        json_str(blk_format(b));
        if (r.total_clusters && r.fragmented_clusters)
            printf(",\n    \"fragmented-clusters\": %llu",
                   (unsigned long long)r.fragmented_clusters);
        printf("\n}\n");
    } else if (!quiet) {
        if (r.corruptions_fixed || r.leaks_fixed)
            printf("The following inconsistencies were found and repaired:\n\n"
                   "    %d leaked clusters\n    %d corruptions\n\n"
                   "Double checking the fixed image now...\n",
                   r.leaks_fixed, r.corruptions_fixed);
        if (!r.corruptions && !r.leaks && !r.check_errors) {
            printf("No errors were found on the image.\n");
        } else {
            if (r.corruptions)
                printf("\n%d errors were found on the image.\n"
                       "Data may be corrupted, or further writes to the image may corrupt it.\n",
                       r.corruptions);
            if (r.leaks)
                printf("\n%d leaked clusters were found on the image.\n"
                       "This means waste of disk space, but no harm to data.\n",
                       r.leaks);
            if (r.check_errors)
                printf("\n%d internal errors have occurred during the check.\n", r.check_errors);
        }
        if (r.total_clusters && r.allocated_clusters)
            printf("%llu/%llu = %0.2f%% allocated, %0.2f%% fragmented, %0.2f%% compressed "
                   "clusters\n",
                   (unsigned long long)r.allocated_clusters, (unsigned long long)r.total_clusters,
                   r.allocated_clusters * 100.0 / r.total_clusters,
                   r.fragmented_clusters * 100.0 / r.allocated_clusters,
                   r.compressed_clusters * 100.0 / r.allocated_clusters);
        if (r.image_end_offset)
            printf("Image end offset: %lld\n", (long long)r.image_end_offset);
    }
    blk_close(b);
    if (r.check_errors)
        return 1;
    if (r.corruptions)
        return 2;
    if (r.leaks)
        return 3;
    return 0;
}

int img_snapshot(int argc, char **argv)
{
    const char *fmt = NULL, *name = NULL;
    char action = 0;
    struct blk *b;
    int c, ret = 0;

    optind = 1;
    while ((c = getopt(argc, argv, "+f:la:c:d:qU")) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 'l':
        case 'a':
        case 'c':
        case 'd':
            if (action) {
                img_error("Cannot mix '-l', '-a', '-c', '-d'");
                return 1;
            }
            action = (char)c;
            name = optarg;
            break;
        case 'q':
        case 'U':
            break;
        default:
            return 1;
        }
    }
    if (optind != argc - 1) {
        img_error("Expecting one image file name");
        return 1;
    }
    if (!action)
        action = 'l';
    b = img_open(argv[optind], fmt, (action == 'l' ? 0 : BLK_O_RDWR) | BLK_O_NO_BACKING, NULL);
    if (!b)
        return 1;
    switch (action) {
    case 'l': {
        struct blk_snapshot_info *sn;
        int n = blk_snapshot_list(b, &sn);
        if (n < 0) {
            img_error("%s", blk_last_error());
            ret = n;
            break;
        }
        if (n) {
            printf("Snapshot list:\n");
            img_snapshot_header(stdout);
            for (int i = 0; i < n; i++)
                img_snapshot_line(stdout, &sn[i]);
        }
        free(sn);
        break;
    }
    case 'c':
        ret = blk_snapshot_create(b, name);
        if (ret < 0)
            img_error("Could not create snapshot '%s': %s", name, blk_last_error());
        break;
    case 'a':
        ret = blk_snapshot_apply(b, name);
        if (ret < 0)
            img_error("Could not apply snapshot '%s': %s", name, blk_last_error());
        break;
    case 'd':
        ret = blk_snapshot_delete(b, name);
        if (ret < 0)
            img_error("Could not delete snapshot '%s': %s", name, blk_last_error());
        break;
    }
    if (blk_close(b) < 0 && ret >= 0) {
        img_error("%s", blk_last_error());
        ret = -EIO;
    }
    return ret < 0;
}
