/*
 * drive.c - the -drive table: each option string opened into a block node
 * (with an in-memory overlay under -snapshot), found by id or interface
 * by the board that plugs devices onto them.
 */
#include "block/block-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-core/config.h"
#include "emu-core/log.h"

#define BLK_MAX_DRIVES 16

struct blk_drive {
    struct blk_drive_info info;
    char id[64];
    char *serial;
    bool claimed;
};

static struct blk_drive drives[BLK_MAX_DRIVES];
static int ndrives;

/* aio= only picks how QEMU waits for I/O: accepted, it changes nothing here. */
static const char *const drive_keys[] = {"file",     "format",   "if",    "cache",
                                         "readonly", "snapshot", "id",    "discard",
                                         "serial",   "aio",      "media", NULL};

int blk_drive_add(const char *spec, bool snapshot)
{
    struct opts o = {0};
    char err[256];
    const char *file, *fmt, *ifs, *cache, *id, *discard;
    enum blk_cache_mode mode = BLK_CACHE_WRITEBACK;
    bool ro = false, snap = snapshot;
    struct blk_drive *d;
    struct blk *b;
    int ret = -EINVAL;

    if (opts_parse(&o, spec, NULL, err, sizeof(err)) < 0) {
        error_report("-drive %s: %s", spec, err);
        return -EINVAL;
    }
    for (size_t i = 0; i < o.count; i++) {
        bool known = false;
        for (int k = 0; drive_keys[k]; k++)
            known |= !strcmp(o.items[i].key, drive_keys[k]);
        if (!known) {
            error_report("-drive %s: invalid parameter '%s'", spec, o.items[i].key);
            goto out;
        }
    }
    file = opts_get(&o, "file");
    fmt = opts_get(&o, "format");
    ifs = opts_get(&o, "if");
    cache = opts_get(&o, "cache");
    id = opts_get(&o, "id");
    discard = opts_get(&o, "discard");
    if (!file || !*file) {
        error_report("-drive %s: file= is required (empty drives are not supported)", spec);
        goto out;
    }
    if (ndrives >= BLK_MAX_DRIVES) {
        error_report("-drive %s: too many drives (at most %d)", spec, BLK_MAX_DRIVES);
        goto out;
    }
    if (opts_get_bool(&o, "readonly", false, &ro) < 0 ||
        opts_get_bool(&o, "snapshot", snapshot, &snap) < 0) {
        error_report("-drive %s: readonly= and snapshot= take on or off", spec);
        goto out;
    }
    if (cache && blk_parse_cache_mode(cache, &mode) < 0) {
        error_report("-drive %s: invalid cache option '%s' (writeback, writethrough, none, "
                     "directsync or unsafe)",
                     spec, cache);
        goto out;
    }
    if (ifs && strcmp(ifs, "none") && strcmp(ifs, "virtio")) {
        error_report("-drive %s: interface if=%s is not supported (none or virtio)", spec, ifs);
        goto out;
    }
    if (discard && strcmp(discard, "ignore") && strcmp(discard, "off") &&
        strcmp(discard, "unmap") && strcmp(discard, "on")) {
        error_report("-drive %s: discard= takes ignore or unmap", spec);
        goto out;
    }
    if (opts_get(&o, "media") && strcmp(opts_get(&o, "media"), "disk")) {
        error_report("-drive %s: media=%s is not supported (only disk)", spec,
                     opts_get(&o, "media"));
        goto out;
    }
    if (fmt && !blk_find_driver(fmt)) {
        error_report("-drive %s: unknown format '%s' (raw or qcow2)", spec, fmt);
        goto out;
    }
    d = &drives[ndrives];
    memset(d, 0, sizeof(*d));
    d->info.iface = ifs && !strcmp(ifs, "none") ? BLK_IF_NONE : BLK_IF_VIRTIO;
    if (id)
        snprintf(d->id, sizeof(d->id), "%s", id);
    else
        snprintf(d->id, sizeof(d->id), "%s%d", d->info.iface == BLK_IF_NONE ? "none" : "virtio",
                 ndrives);
    if (blk_drive_find(d->id)) {
        error_report("-drive %s: duplicate drive id '%s'", spec, d->id);
        goto out;
    }
    ret = blk_open(&b, file, fmt, ro || snap ? 0 : BLK_O_RDWR, mode);
    if (ret < 0) {
        error_report("-drive %s: %s", spec, blk_last_error());
        goto out;
    }
    if (!fmt && !strcmp(blk_format(b), "raw"))
        warn_report("Image format was not specified for '%s' and probing guessed raw; a guest "
                    "could make it look like another format. Specify format=raw explicitly.",
                    file);
    if (snap && !ro) {
        struct blk *top;
        ret = blk_open_snapshot_overlay(&top, b);
        if (ret < 0) {
            blk_close(b);
            error_report("-drive %s: no memory for the snapshot overlay", spec);
            goto out;
        }
        b = top;
    }
    d->info.blk = b;
    d->info.id = d->id;
    d->info.discard = discard && (!strcmp(discard, "unmap") || !strcmp(discard, "on"));
    if (opts_get(&o, "serial"))
        d->serial = strdup(opts_get(&o, "serial"));
    d->info.serial = d->serial;
    /* Caches and the qcow2 dirty bit must reach the images however the run ends. */
    if (!ndrives++)
        atexit(blk_drives_close_all);
    ret = 0;
out:
    opts_free(&o);
    return ret;
}

const struct blk_drive_info *blk_drive_find(const char *id)
{
    for (int i = 0; i < ndrives; i++)
        if (!strcmp(drives[i].id, id))
            return &drives[i].info;
    return NULL;
}

const struct blk_drive_info *blk_drive_claim(const char *id, enum blk_drive_if iface)
{
    for (int i = 0; i < ndrives; i++) {
        struct blk_drive *d = &drives[i];
        if (id ? strcmp(d->id, id) : (d->claimed || d->info.iface != iface))
            continue;
        if (d->claimed) {
            error_report("drive '%s' is already in use by another device", d->id);
            return NULL;
        }
        d->claimed = true;
        return &d->info;
    }
    if (id)
        error_report("no drive with id '%s' (give it one with -drive ...,id=%s)", id, id);
    return NULL;
}

void blk_drives_close_all(void)
{
    for (int i = 0; i < ndrives; i++) {
        if (blk_close(drives[i].info.blk) < 0)
            error_report("drive '%s': %s", drives[i].id, blk_last_error());
        free(drives[i].serial);
    }
    ndrives = 0;
}
