/*
 * qmp-block.c - query-block and HMP info block over the -drive table, in
 * QEMU 7.2's shapes. Here rather than in emu-core because the monitor core
 * must not depend on the block layer; platforms register it at start-up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block/block.h"
#include "emu-core/config.h"
#include "emu-core/machine.h"
#include "emu-core/monitor.h"

void blk_monitor_register(void);

/*
 * The drive table has no iterator, so walk the command line's -drive
 * options in order and name each drive as blk_drive_add() does.
 */
static const struct blk_drive_info *drive_nth(const struct emu_config *cfg, int i,
                                              enum blk_cache_mode *cache)
{
    struct opts o = {0};
    char err[200], id[64];
    const struct blk_drive_info *d = NULL;

    *cache = BLK_CACHE_WRITEBACK;
    if (opts_parse(&o, cfg->drives[i], NULL, err, sizeof(err)) < 0)
        return NULL;
    const char *ifs = opts_get(&o, "if"), *cm = opts_get(&o, "cache");
    if (opts_get(&o, "id"))
        snprintf(id, sizeof(id), "%s", opts_get(&o, "id"));
    else
        snprintf(id, sizeof(id), "%s%d", ifs && !strcmp(ifs, "none") ? "none" : "virtio", i);
    if (cm)
        blk_parse_cache_mode(cm, cache);
    d = blk_drive_find(id);
    opts_free(&o);
    return d;
}

static int set_all(struct json_value *o, const char *const *keys, struct json_value *(*mk)(void))
{
    for (; *keys; keys++)
        if (json_object_set(o, *keys, mk()) < 0)
            return -1;
    return 0;
}

static struct json_value *zero(void)
{
    return json_int(0);
}

static struct json_value *drive_image(struct blk *b)
{
    struct json_value *img = json_object();
    struct blk_info info;

    if (!img || blk_get_info(b, &info) < 0) {
        json_free(img);
        return NULL;
    }
    int r = json_object_set(img, "virtual-size", json_int((int64_t)blk_length(b)));
    r |= json_object_set(img, "filename", json_string(blk_filename(b)));
    if (info.cluster_size)
        r |= json_object_set(img, "cluster-size", json_int(info.cluster_size));
    r |= json_object_set(img, "format", json_string(blk_format(b)));
    if (info.actual_size >= 0)
        r |= json_object_set(img, "actual-size", json_int(info.actual_size));
    if (info.is_qcow2) {
        struct json_value *fs = json_object(), *d = json_object();
        if (!fs || !d) {
            json_free(fs);
            json_free(d);
            json_free(img);
            return NULL;
        }
        r |= json_object_set(d, "compat", json_string(info.compat == 3 ? "1.1" : "0.10"));
        r |= json_object_set(d, "compression-type", json_string("zlib"));
        r |= json_object_set(d, "lazy-refcounts", json_bool(info.lazy_refcounts));
        r |= json_object_set(d, "refcount-bits", json_int(info.refcount_bits));
        r |= json_object_set(d, "corrupt", json_bool(info.corrupt));
        r |= json_object_set(d, "extended-l2", json_bool(info.extended_l2));
        r |= json_object_set(fs, "type", json_string("qcow2"));
        r |= json_object_set(fs, "data", d);
        r |= json_object_set(img, "format-specific", fs);
    }
    if (info.backing_file)
        r |= json_object_set(img, "backing-filename", json_string(info.backing_file));
    r |= json_object_set(img, "dirty-flag", json_bool(info.dirty));
    if (r) {
        json_free(img);
        return NULL;
    }
    return img;
}

static struct json_value *drive_inserted(struct blk *b, enum blk_cache_mode cache, int node)
{
    static const char *const zero_keys[] = {"iops_rd", "iops_wr",         "iops", "bps_wr", "bps",
                                            "bps_rd",  "write_threshold", NULL};
    struct json_value *ins = json_object(), *c = json_object();
    char name[32];
    int depth = 0, r;

    if (!ins || !c) {
        json_free(ins);
        json_free(c);
        return NULL;
    }
    for (struct blk *p = blk_backing(b); p; p = blk_backing(p))
        depth++;
    snprintf(name, sizeof(name), "#block%03d", node);
    /* json_object_set() takes its value even when it fails, so each is set exactly once. */
    r = json_object_set(c, "no-flush", json_bool(cache == BLK_CACHE_UNSAFE));
    r |= json_object_set(c, "direct",
                         json_bool(cache == BLK_CACHE_NONE || cache == BLK_CACHE_DIRECTSYNC));
    r |= json_object_set(
        c, "writeback",
        json_bool(cache != BLK_CACHE_WRITETHROUGH && cache != BLK_CACHE_DIRECTSYNC));
    r |= json_object_set(ins, "cache", c);
    r |= set_all(ins, zero_keys, zero);
    r |= json_object_set(ins, "detect_zeroes", json_string("off"));
    r |= json_object_set(ins, "image", drive_image(b));
    r |= json_object_set(ins, "ro", json_bool(blk_is_read_only(b)));
    r |= json_object_set(ins, "node-name", json_string(name));
    r |= json_object_set(ins, "backing_file_depth", json_int(depth));
    r |= json_object_set(ins, "drv", json_string(blk_format(b)));
    r |= json_object_set(ins, "encrypted", json_bool(false));
    r |= json_object_set(ins, "file", json_string(blk_filename(b)));
    if (r) {
        json_free(ins);
        return NULL;
    }
    return ins;
}

static int qmp_query_block(struct monitor *mon, const struct json_value *args,
                           struct json_value **ret, struct monitor_error *err)
{
    struct machine *m = current_machine;
    struct json_value *list = json_array();
    int r = list ? 0 : -1;

    (void)mon, (void)args;
    for (int i = 0; !r && m && i < m->cfg->ndrives; i++) {
        enum blk_cache_mode cache;
        const struct blk_drive_info *d = drive_nth(m->cfg, i, &cache);
        if (!d)
            continue;
        bool virtio = d->iface == BLK_IF_VIRTIO;
        struct json_value *o = json_object();
        if (!o) {
            r = -1;
            break;
        }
        /* A virtio-blk disk is fixed; an if=none drive is QEMU's removable, empty-slot kind. */
        if (virtio)
            r |= json_object_set(o, "io-status", json_string("ok"));
        r |= json_object_set(o, "device", json_string(d->id));
        r |= json_object_set(o, "locked", json_bool(false));
        r |= json_object_set(o, "removable", json_bool(!virtio));
        r |= json_object_set(o, "inserted", drive_inserted(d->blk, cache, i + 1));
        r |= json_object_set(o, "type", json_string("unknown"));
        if (r)
            json_free(o);
        else
            r = json_array_append(list, o);
    }
    if (r) {
        json_free(list);
        monitor_error_set(err, QMP_ERR_GENERIC, "out of memory");
        return -1;
    }
    *ret = list;
    return 0;
}

static const struct monitor_cmd blk_query_block_cmd = {"query-block", NULL, qmp_query_block};

void blk_monitor_register(void)
{
    monitor_register(&blk_query_block_cmd);
}
