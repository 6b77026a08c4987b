# baremu - top-level build.
#   make            build/host/baremu (installs missing Debian packages first)
#   make test       build and run every test (prints "N passed, N failed")
#   make run        boot the default guest (OpenSBI + U-Boot on RISC-V virt)
#   make bench      side-by-side speed comparison with QEMU
#   make fuzz       (later) longer fuzzing runs

HOST_BUILD := build/host
CC ?= gcc
CFLAGS_OPT ?= -O2
CFLAGS := -std=gnu11 $(CFLAGS_OPT) -g -Wall -Wextra -Werror -fno-strict-aliasing \
          -I. $(shell pkg-config --cflags libfdt 2>/dev/null) $(EXTRA_CFLAGS)
LDLIBS := $(shell pkg-config --libs libfdt 2>/dev/null || echo -lfdt) -lm

# Portable code: sees the machine only through emu-core/platform.h.
PORTABLE_SRCS := $(wildcard emu-core/*.c) $(wildcard targets/*/*.c) \
                 $(wildcard hw/*/*.c) $(wildcard console/*.c) $(wildcard block/*.c) \
                 $(wildcard net/*.c)
# The hosted platform (Linux). host/main.c holds main(); tests link the rest.
HOST_SRCS := $(filter-out host/main.c,$(wildcard host/*.c))

PORTABLE_OBJS := $(PORTABLE_SRCS:%.c=$(HOST_BUILD)/%.o)
HOST_OBJS := $(HOST_SRCS:%.c=$(HOST_BUILD)/%.o)
CORE_LIB := $(HOST_BUILD)/libbaremu.a

UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(HOST_BUILD)/tests/%)

DEPS_STAMP := build/.deps-ok

.PHONY: all deps test unit-test guest-tests run bench clean format
all: $(HOST_BUILD)/baremu

# Debian packages (DESIGN.md); re-run when the list changes.
$(DEPS_STAMP): scripts/setup-deps.sh
	bash scripts/setup-deps.sh
	@mkdir -p $(dir $@) && touch $@
deps: $(DEPS_STAMP)

$(HOST_BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(CORE_LIB): $(PORTABLE_OBJS) $(HOST_OBJS)
	@rm -f $@
	ar rcs $@ $^

# --whole-archive keeps the registry sections (machines, devices, accels).
$(HOST_BUILD)/baremu: $(HOST_BUILD)/host/main.o $(CORE_LIB)
	$(CC) $(CFLAGS) -o $@ $< -Wl,--whole-archive $(CORE_LIB) -Wl,--no-whole-archive $(LDLIBS)

$(HOST_BUILD)/tests/%: tests/unit/%.c $(CORE_LIB) tests/unit/check.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -Wl,--whole-archive $(CORE_LIB) -Wl,--no-whole-archive $(LDLIBS)

unit-test: $(UNIT_BINS)

test: all $(UNIT_BINS)
	$(MAKE) -C tests/guests/riscv
	$(MAKE) -C tests/guests/hostile
	bash tests/run-all.sh

run: all
	$(HOST_BUILD)/baremu -M virt -m 256M \
	  -bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf \
	  -kernel /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin -nographic

bench: all
	bash bench/run.sh

format:
	clang-format -i $(PORTABLE_SRCS) $(HOST_SRCS) host/main.c $(wildcard */*.h */*/*.h)

clean:
	rm -rf build
	$(MAKE) -C tests/guests/riscv clean
	$(MAKE) -C tests/guests/hostile clean

# Subsystems add their own targets (tools, the appliance, fuzzers) in mk/*.mk.
-include $(wildcard mk/*.mk)

-include $(shell find build -name '*.d' -type f 2>/dev/null)
