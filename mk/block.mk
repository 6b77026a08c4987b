# block/ (block layer) and tools/baremu-img. The top Makefile already puts
# block/*.c into libbaremu.a; deflate for qcow2 compressed clusters is zlib.
LDLIBS += -lz

IMG_SRCS := $(wildcard tools/*.c)
IMG_OBJS := $(IMG_SRCS:%.c=$(HOST_BUILD)/%.o)

all: $(HOST_BUILD)/baremu-img

$(HOST_BUILD)/baremu-img: $(IMG_OBJS) $(CORE_LIB)
	$(CC) $(CFLAGS) -o $@ $(IMG_OBJS) -Wl,--whole-archive $(CORE_LIB) -Wl,--no-whole-archive $(LDLIBS)

# Test drivers of the block suite (tests/suites/block.sh).
BLOCK_TEST_BINS := $(HOST_BUILD)/tests/block/blk-io $(HOST_BUILD)/tests/block/blk-fuzz
test: $(BLOCK_TEST_BINS)
all: $(BLOCK_TEST_BINS)

$(HOST_BUILD)/tests/block/%: tests/block/%.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -Wl,--whole-archive $(CORE_LIB) -Wl,--no-whole-archive $(LDLIBS)

# make fuzz: coverage-guided runs of the qcow2 parser (libFuzzer via clang,
# ASan/UBSan); make test runs the self-contained blk-fuzz instead. The block
# layer is rebuilt with clang for coverage, with host/block-file.c named
# explicitly: from the library the linker would take the first definition of
# plat_bfile_*, block/'s weak fallbacks.
FUZZ_QCOW2_SRCS := $(filter-out block/drive.c block/qmp-block.c block/plat-fallback.c,$(wildcard block/*.c))
build/fuzz/fuzz-qcow2: tests/fuzz/fuzz-qcow2.c $(FUZZ_QCOW2_SRCS) host/block-file.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	clang -std=gnu11 -g -O1 -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  tests/fuzz/fuzz-qcow2.c $(FUZZ_QCOW2_SRCS) host/block-file.c $(CORE_LIB) $(LDLIBS) -o $@

.PHONY: fuzz-qcow2 fuzz-qcow2-long
fuzz-qcow2: build/fuzz/fuzz-qcow2
# Seeds: small images (512-byte clusters) with data, zero and compressed
# clusters, a snapshot and a backing file name, made by our own blk-io.
fuzz-qcow2-long: fuzz-qcow2 $(HOST_BUILD)/baremu-img $(HOST_BUILD)/tests/block/blk-io
	@mkdir -p build/fuzz/corpus-qcow2 build/fuzz/seed-qcow2
	bash tests/fuzz/qcow2-seeds.sh build/fuzz/seed-qcow2
	build/fuzz/fuzz-qcow2 -max_total_time=$${FUZZ_SECONDS:-300} -max_len=65536 \
	  build/fuzz/corpus-qcow2 build/fuzz/seed-qcow2
fuzz: fuzz-qcow2-long
