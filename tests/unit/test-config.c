/*
 * test-config.c - option strings, sizes and the QEMU-spelled command line,
 * including the exact error lines users see.
 */
#include <errno.h>
#include <string.h>

#include "emu-core/config.h"
#include "tests/unit/check.h"

static int parse(struct emu_config *cfg, char *err, const char *a1, const char *a2,
                 const char *a3, const char *a4)
{
    char *argv[6] = {"baremu", (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL};
    int argc = 1, info = 0;

    while (argc < 5 && argv[argc])
        argc++;
    err[0] = 0;
    return config_parse(cfg, argc, argv, err, 256, &info);
}

static void test_opts(void)
{
    struct opts o = {0};
    char err[128];

    CHECK_EQ(opts_parse(&o, "virt,dumpdtb=x.dtb,aclint=on", "type", err, sizeof(err)), 0);
    CHECK(opts_get(&o, "type") && !strcmp(opts_get(&o, "type"), "virt"));
    CHECK(opts_get(&o, "dumpdtb") && !strcmp(opts_get(&o, "dumpdtb"), "x.dtb"));
    CHECK(opts_get(&o, "nothere") == NULL);
    bool b = false;
    CHECK_EQ(opts_get_bool(&o, "aclint", false, &b), 0);
    CHECK(b);
    CHECK_EQ(opts_get_bool(&o, "absent", true, &b), 0);
    CHECK(b);
    opts_free(&o);
    CHECK_EQ(o.count, 0);

    /* ",," escapes a comma inside a value, also in the implied one. */
    CHECK_EQ(opts_parse(&o, "a,,b,file=x,,y,,,z=1", "id", err, sizeof(err)), 0);
    CHECK(opts_get(&o, "id") && !strcmp(opts_get(&o, "id"), "a,b"));
    CHECK(opts_get(&o, "file") && !strcmp(opts_get(&o, "file"), "x,y,"));
    CHECK(opts_get(&o, "z") && !strcmp(opts_get(&o, "z"), "1"));
    opts_free(&o);

    /* Later keys override; repeated parses merge (-machine given twice). */
    CHECK_EQ(opts_parse(&o, "k=1,k=2", NULL, err, sizeof(err)), 0);
    CHECK_EQ(opts_parse(&o, "k=3,j=4", NULL, err, sizeof(err)), 0);
    CHECK(!strcmp(opts_get(&o, "k"), "3"));
    CHECK(!strcmp(opts_get(&o, "j"), "4"));
    CHECK_EQ(o.count, 2);
    /* A bare later item means key=on; bad bools are refused. */
    CHECK_EQ(opts_parse(&o, "flag,bad=maybe", NULL, err, sizeof(err)), 0);
    CHECK(!strcmp(opts_get(&o, "flag"), "on"));
    CHECK_EQ(opts_get_bool(&o, "bad", false, &b), -EINVAL);
    /* Empty key: error, and o is left as it was. */
    CHECK_EQ(opts_parse(&o, "x=1,=2", NULL, err, sizeof(err)), -EINVAL);
    CHECK(opts_get(&o, "x") == NULL);
    CHECK_EQ(opts_parse(&o, "", NULL, err, sizeof(err)), 0);
    opts_free(&o);

    uint64_t sz;
    CHECK_EQ(opts_parse(&o, "size=64k,bad=12Q", NULL, err, sizeof(err)), 0);
    CHECK_EQ(opts_get_size(&o, "size", 0, &sz), 0);
    CHECK_EQ(sz, 65536);
    CHECK_EQ(opts_get_size(&o, "none", 7, &sz), 0);
    CHECK_EQ(sz, 7);
    CHECK_EQ(opts_get_size(&o, "bad", 0, &sz), -EINVAL);
    opts_free(&o);
}

static void test_sizes(void)
{
    uint64_t v = 0;

    CHECK_EQ(parse_size("4096", 1, &v), 0);
    CHECK_EQ(v, 4096);
    CHECK_EQ(parse_size("256", 1 << 20, &v), 0);
    CHECK_EQ(v, 256ull << 20);
    CHECK_EQ(parse_size("256M", 1, &v), 0);
    CHECK_EQ(v, 256ull << 20);
    CHECK_EQ(parse_size("1g", 1, &v), 0);
    CHECK_EQ(v, 1ull << 30);
    CHECK_EQ(parse_size("2T", 1, &v), 0);
    CHECK_EQ(v, 2ull << 40);
    CHECK_EQ(parse_size("1.5G", 1, &v), 0);
    CHECK_EQ(v, 3ull << 29);
    CHECK_EQ(parse_size("512B", 1 << 20, &v), 0);
    CHECK_EQ(v, 512);
    CHECK_EQ(parse_size("0x1000", 1, &v), 0);
    CHECK_EQ(v, 0x1000);
    CHECK_EQ(parse_size("16E", 1, &v), -EINVAL); /* 2^64 overflows */
    CHECK_EQ(parse_size("99999999999999999999", 1, &v), -EINVAL);
    CHECK_EQ(parse_size("xyz", 1, &v), -EINVAL);
    CHECK_EQ(parse_size("", 1, &v), -EINVAL);
    CHECK_EQ(parse_size("-1", 1, &v), -EINVAL);
    CHECK_EQ(parse_size("12MB", 1, &v), -EINVAL);
    CHECK_EQ(parse_size("1.5", 1, &v), -EINVAL); /* a fraction of a byte */
    CHECK_EQ(parse_size("1.", 1, &v), -EINVAL);
    CHECK_EQ(parse_size("0x", 1, &v), -EINVAL);
}

static void test_cmdline(void)
{
    struct emu_config cfg;
    char err[256];

    CHECK_EQ(parse(&cfg, err, "-M", "virt,dumpdtb=x.dtb", "-m", "256"), 0);
    CHECK(!strcmp(opts_get(&cfg.machine, "type"), "virt"));
    CHECK(!strcmp(opts_get(&cfg.machine, "dumpdtb"), "x.dtb"));
    CHECK_EQ(cfg.ram_size, 256ull << 20);
    CHECK_EQ(parse(&cfg, err, "--machine", "virt", "--m", "size=1G"), 0);
    CHECK_EQ(cfg.ram_size, 1ull << 30);
    CHECK_EQ(parse(&cfg, err, "-smp", "4", "-nographic", NULL), 0);
    CHECK_EQ(cfg.smp, 4);
    CHECK(cfg.nographic);
    CHECK_EQ(parse(&cfg, err, "-smp", "cpus=2", "-S", "-no-reboot"), 0);
    CHECK_EQ(cfg.smp, 2);
    CHECK(cfg.start_stopped && cfg.no_reboot && !cfg.no_shutdown);
    CHECK_EQ(parse(&cfg, err, "-smp", "sockets=2,cores=2", NULL, NULL), 0);
    CHECK_EQ(cfg.smp, 4);
    CHECK_EQ(parse(&cfg, err, "-smp", "cpus=3,cores=2", NULL, NULL), -EINVAL);
    /* The topology as QEMU 7.2 fills it in: cores before sockets. */
    CHECK_EQ(parse(&cfg, err, "-smp", "4", NULL, NULL), 0);
    CHECK(cfg.smp_sockets == 1 && cfg.smp_cores == 4 && cfg.smp_threads == 1);
    CHECK_EQ(parse(&cfg, err, "-smp", "4,sockets=2", NULL, NULL), 0);
    CHECK(cfg.smp_sockets == 2 && cfg.smp_cores == 2 && cfg.smp_threads == 1);
    CHECK_EQ(parse(&cfg, err, "-smp", "8,threads=2", NULL, NULL), 0);
    CHECK(cfg.smp_sockets == 1 && cfg.smp_cores == 4 && cfg.smp_threads == 2);
    CHECK_EQ(parse(&cfg, err, "-smp", "cores=3,threads=2", NULL, NULL), 0);
    CHECK(cfg.smp == 6 && cfg.smp_sockets == 1);
    CHECK_EQ(parse(&cfg, err, "-smp", "6,cores=3", NULL, NULL), 0);
    CHECK(cfg.smp_sockets == 2 && cfg.smp_cores == 3 && cfg.smp_threads == 1);
    CHECK_EQ(parse(&cfg, err, "-smp", "4,maxcpus=8", NULL, NULL), -EINVAL);
    CHECK_EQ(parse(&cfg, err, "-smp", "4,dies=2", NULL, NULL), -EINVAL);
    CHECK_EQ(parse(&cfg, err, "-smp", "5,sockets=2", NULL, NULL), -EINVAL);
    CHECK_EQ(parse(&cfg, err, "-smp", "0", NULL, NULL), -EINVAL);

    /* Accelerators: -accel, repeated as a fallback list, or -machine accel=. */
    CHECK_EQ(parse(&cfg, err, "-accel", "tcg,thread=single", NULL, NULL), 0);
    CHECK(!strcmp(cfg.accel, "tcg"));
    CHECK_EQ(parse(&cfg, err, "-accel", "kvm", "-accel", "tcg"), 0);
    CHECK(!strcmp(cfg.accel, "kvm:tcg"));
    CHECK_EQ(parse(&cfg, err, "-machine", "virt,accel=tcg", NULL, NULL), 0);
    CHECK(!strcmp(cfg.accel, "tcg"));
    CHECK_EQ(parse(&cfg, err, "-machine", "accel=tcg", "-accel", "tcg"), -EINVAL);
    CHECK_EQ(parse(&cfg, err, "-accel", "tcg,thread=multi", NULL, NULL), -EINVAL);
    CHECK_EQ(parse(&cfg, err, NULL, NULL, NULL, NULL), 0);
    CHECK(cfg.accel == NULL && cfg.ram_size == 0 && cfg.nserial == 0);

    CHECK_EQ(parse(&cfg, err, "-bios", "fw.elf", "-kernel", "u-boot.bin"), 0);
    CHECK(!strcmp(cfg.bios, "fw.elf") && !strcmp(cfg.kernel, "u-boot.bin"));
    CHECK_EQ(parse(&cfg, err, "-initrd", "i", "-append", "console=ttyS0 a=b,c"), 0);
    CHECK(!strcmp(cfg.initrd, "i") && !strcmp(cfg.append, "console=ttyS0 a=b,c"));
    CHECK_EQ(parse(&cfg, err, "-dtb", "x.dtb", "-cpu", "rv64"), 0);
    CHECK(!strcmp(cfg.dtb, "x.dtb") && !strcmp(cfg.cpu, "rv64"));
    CHECK_EQ(parse(&cfg, err, "-display", "none", "-snapshot", "-no-shutdown"), 0);
    CHECK(cfg.display_none && cfg.snapshot && cfg.no_shutdown);
    CHECK_EQ(parse(&cfg, err, "-display", "gtk", NULL, NULL), -EINVAL);
    CHECK(strstr(err, "only '-display none'") != NULL);
    CHECK_EQ(parse(&cfg, err, "-d", "guest_errors", "-D", "log.txt"), 0);
    CHECK(!strcmp(cfg.log_items, "guest_errors") && !strcmp(cfg.log_file, "log.txt"));

    /* Lists: kept in order for the parts that will implement them. */
    CHECK_EQ(parse(&cfg, err, "-serial", "mon:stdio", "-serial", "file:x.log"), 0);
    CHECK_EQ(cfg.nserial, 2);
    CHECK(!strcmp(cfg.serial[0], "mon:stdio") && !strcmp(cfg.serial[1], "file:x.log"));
    CHECK_EQ(parse(&cfg, err, "-drive", "file=a.img,if=none", "-device", "virtio-blk"), 0);
    CHECK_EQ(cfg.ndrives, 1);
    CHECK_EQ(cfg.ndevices, 1);
    CHECK_EQ(parse(&cfg, err, "-chardev", "stdio,id=c", "-monitor", "none"), 0);
    CHECK_EQ(cfg.nchardevs, 1);
    CHECK(!strcmp(cfg.monitor, "none"));
    {
        char *argv[] = {"baremu", "-serial", "null", "-serial", "null", "-serial", "null",
                        "-serial", "null", "-serial", "null"};
        int info;
        CHECK_EQ(config_parse(&cfg, 11, argv, err, sizeof(err), &info), -EINVAL);
        CHECK(!strcmp(err, "-serial: too many serial ports (at most 4)"));
    }

    /* The exact error lines (main prefixes "baremu: "). */
    CHECK_EQ(parse(&cfg, err, "-foo", NULL, NULL, NULL), -EINVAL);
    CHECK(!strcmp(err, "-foo: invalid option"));
    CHECK_EQ(parse(&cfg, err, "--foo", NULL, NULL, NULL), -EINVAL);
    CHECK(!strcmp(err, "--foo: invalid option"));
    CHECK_EQ(parse(&cfg, err, "-m", NULL, NULL, NULL), -EINVAL);
    CHECK(!strcmp(err, "-m: requires an argument"));
    CHECK_EQ(parse(&cfg, err, "-m", "xyz", NULL, NULL), -EINVAL);
    CHECK(!strcmp(err, "-m: invalid size 'xyz'"));
    CHECK_EQ(parse(&cfg, err, "-m", "0", NULL, NULL), -EINVAL);
    CHECK_EQ(parse(&cfg, err, "-m", "size=1G,maxmem=2G", NULL, NULL), -EINVAL);
    CHECK_EQ(parse(&cfg, err, "disk.img", NULL, NULL, NULL), -EINVAL);
    CHECK_EQ(parse(&cfg, err, "-", NULL, NULL, NULL), -EINVAL);

    /* -version prints and asks for a clean exit. */
    {
        char *argv[] = {"baremu", "-version", "-foo"};
        int info = 0;
        CHECK_EQ(config_parse(&cfg, 3, argv, err, sizeof(err), &info), 0);
        CHECK_EQ(info, 1);
    }
}

int main(void)
{
    test_opts();
    test_sizes();
    test_cmdline();
    return check_summary("test-config");
}
