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
