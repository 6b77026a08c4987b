/*
 * img-map.c - baremu-img map: the allocation of an image and its backing
 * chain, merged into extents as qemu-img prints them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/img.h"

struct map_entry {
    uint64_t start, length, offset;
    int depth;
    bool present, zero, data, has_offset;
    const char *file;
};

static bool map_first;

static void map_dump(const struct map_entry *e, bool json)
{
    bool first = map_first;

    map_first = false;
    if (json) {
        printf("%s{ \"start\": %llu, \"length\": %llu, \"depth\": %d, \"present\": %s, "
               "\"zero\": %s, \"data\": %s",
               first ? "[" : ",\n", (unsigned long long)e->start, (unsigned long long)e->length,
               e->depth, e->present ? "true" : "false", e->zero ? "true" : "false",
               e->data ? "true" : "false");
        if (e->has_offset)
            printf(", \"offset\": %llu", (unsigned long long)e->offset);
        printf("}");
    } else if (e->data && e->has_offset) {
        printf("%#-16llx%#-16llx%#-16llx%s\n", (unsigned long long)e->start,
               (unsigned long long)e->length, (unsigned long long)e->offset, e->file);
    }
}

int img_map(int argc, char **argv)
{
    static const struct option lo[] = {{"output", required_argument, NULL, 'O'},
                                       {"force-share", no_argument, NULL, 'U'},
                                       {NULL, 0, NULL, 0}};
    const char *fmt = NULL;
    bool json = false, have = false;
    struct map_entry cur = {0};
    uint64_t off = 0, size;
    int c, layers = 0, ret = 0;
    struct blk *b;

    optind = 1;
    while ((c = getopt_long(argc, argv, "+f:U", lo, NULL)) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 'O':
            if (img_output_arg(optarg, &json) < 0)
                return 1;
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
    b = img_open(argv[optind], fmt, 0, NULL);
    if (!b)
        return 1;
    for (struct blk *l = b; l; l = blk_backing(l))
        layers++;
    size = blk_length(b);
    map_first = true;
    if (!json)
        printf("%-16s%-16s%-16s%s\n", "Offset", "Length", "Mapped to", "File");
    while (off < size) {
        uint64_t n, host = 0, chunk = size - off < (1ull << 30) ? size - off : (1ull << 30);
        int depth, st = blk_block_status_above(b, off, chunk, &n, &host, &depth);
        struct map_entry e;
        struct blk *l = b;

        if (st < 0) {
            img_error("Could not read the image map: %s", blk_last_error());
            ret = 1;
            break;
        }
        if (depth >= layers)
            depth = layers - 1;
        for (int i = 0; i < depth; i++)
            l = blk_backing(l);
        e = (struct map_entry){.start = off,
                               .length = n,
                               .offset = host,
                               .depth = depth,
                               .present = !!(st & BLK_STATUS_ALLOCATED),
                               .zero = !!(st & BLK_STATUS_ZERO),
                               .data = !!(st & BLK_STATUS_DATA),
                               .has_offset = !!(st & BLK_STATUS_OFFSET),
                               .file = blk_filename(l)};
        if ((st & BLK_STATUS_COMPRESSED) && !json) {
            img_error("File contains external, encrypted or compressed clusters.");
            ret = 1;
            break;
        }
        if (have && cur.depth == e.depth && cur.present == e.present && cur.zero == e.zero &&
            cur.data == e.data && cur.has_offset == e.has_offset && cur.file == e.file &&
            (!cur.has_offset || cur.offset + cur.length == e.offset)) {
            cur.length += e.length;
        } else {
            if (have)
                map_dump(&cur, json);
            cur = e;
            have = true;
        }
        off += n;
    }
    if (have && !ret)
        map_dump(&cur, json);
    if (json)
        printf("%s]\n", map_first ? "[" : "");
    blk_close(b);
    return ret;
}
