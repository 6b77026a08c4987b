# metal.mk - the appliance: baremu linked with its own x86_64 kernel.
#   make metal       build/metal/baremu.elf (Multiboot 1/2) and build/metal/baremu.efi (UEFI)
#   make run-metal   boot it in qemu-system-x86_64 with the default RISC-V guest
# Portable code is compiled a second time, freestanding, against newlib and
# libfdt built from Debian packages by scripts/setup-metal.sh.

METAL := build/metal
METAL_SYSROOT := $(METAL)/sysroot
METAL_STAMP := $(METAL)/.newlib-ok $(METAL)/.libfdt-ok
METAL_GCC_INC := $(shell $(CC) -print-file-name=include)

# -fbuiltin after -ffreestanding: newlib is a full libc, and memcpy/memset must
# stay inline in the CPU emulator's hot paths. -mcmodel=small: the image sits
# at 1 MiB. Frame pointers: exception reports print a backtrace.
METAL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -fno-strict-aliasing \
    -ffreestanding -fbuiltin -fno-stack-protector -mno-red-zone -fno-pic -fno-pie \
    -mcmodel=small -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
    -nostdinc -isystem $(METAL_SYSROOT)/include -isystem $(METAL_GCC_INC) -I. $(LWIP_INCLUDES) \
    $(EXTRA_CFLAGS)
# Code reachable from interrupt and exception handlers (ring 0), which do not
# save SSE state and, under the paravirtual KVM, cannot run SSE at all.
METAL_NOSSE_SRCS := kernel/trap.c kernel/mem.c kernel/time.c kernel/acpi.c drivers/uart.c kernel/svm-run.c

METAL_KERNEL_SRCS := $(wildcard kernel/*.c) $(wildcard drivers/*.c)
METAL_ASM_SRCS := boot/entry.S $(wildcard kernel/*.S)
METAL_OBJS := $(PORTABLE_SRCS:%.c=$(METAL)/obj/%.o) $(METAL_KERNEL_SRCS:%.c=$(METAL)/obj/%.o) \
              $(METAL_ASM_SRCS:%.S=$(METAL)/obj/%.o)
METAL_LIBS := $(LWIP_LIB) $(METAL_SYSROOT)/lib/libfdt.a $(METAL_SYSROOT)/lib/libc.a \
              $(METAL_SYSROOT)/lib/libm.a $(shell $(CC) -print-libgcc-file-name)

.PHONY: metal run-metal metal-deps
all: metal
metal: $(METAL)/baremu.elf

$(METAL_STAMP) &: scripts/setup-metal.sh | $(DEPS_STAMP)
	bash scripts/setup-metal.sh $(METAL)
metal-deps: $(METAL_STAMP)
# The sysroot's libraries come from the stamps' recipe (a fresh clone has none yet).
$(filter $(METAL_SYSROOT)/%,$(METAL_LIBS)): $(METAL_STAMP) ;

$(METAL)/obj/%.o: %.c | $(METAL_STAMP) $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(METAL_CFLAGS) $(if $(filter $<,$(METAL_NOSSE_SRCS)),-mgeneral-regs-only) \
	    -MMD -MP -c $< -o $@

$(METAL)/obj/%.o: %.S | $(METAL_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(METAL_CFLAGS) -MMD -MP -c $< -o $@

$(METAL)/baremu.elf: $(METAL_OBJS) $(METAL_LIBS) boot/kernel.ld
	$(CC) -nostdlib -static -no-pie -Wl,-T,boot/kernel.ld -Wl,-z,max-page-size=0x1000 \
	    -Wl,--no-warn-rwx-segments -Wl,-z,noexecstack -Wl,--build-id=none -o $@ $(METAL_OBJS) \
	    -Wl,--start-group $(METAL_LIBS) -Wl,--end-group

# The default guest of `make run`, on the appliance under QEMU (KVM if it works).
METAL_QEMU := qemu-system-x86_64 -m 512M -nographic -no-reboot
run-metal: metal
	$(METAL_QEMU) $$(bash tests/scripts/metal-accel.sh) -kernel $(METAL)/baremu.elf \
	  -initrd "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf,/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin" \
	  -append "-M virt -m 256M -bios module:fw_jump.elf -kernel module:u-boot.bin"

# ---- UEFI: baremu.efi carries the kernel image and jumps to kern_efi_entry ----
EFI_LDS := /usr/lib/elf_x86_64_efi.lds
EFI_CRT0 := /usr/lib/crt0-efi-x86_64.o
EFI_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -fno-strict-aliasing -fpic -fshort-wchar \
    -mno-red-zone -fno-stack-protector -ffreestanding -I/usr/include/efi \
    -I/usr/include/efi/x86_64 -I. $(EXTRA_CFLAGS)

metal: $(METAL)/baremu.efi

$(METAL)/efi-kernel.elf: $(METAL)/baremu.elf
	objcopy --strip-debug $< $@

$(METAL)/efi-entry.h: $(METAL)/baremu.elf
	nm $< | awk '$$3 == "kern_efi_entry" { print "#define KERN_EFI_ENTRY 0x" $$1 "ull" }' >$@
	@grep -q KERN_EFI_ENTRY $@

$(METAL)/efi/efi-loader.o: boot/efi-loader.c kernel/boot-info.h $(METAL)/efi-entry.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(EFI_CFLAGS) -include $(METAL)/efi-entry.h -c $< -o $@

$(METAL)/efi/efi-kernel.o: boot/efi-kernel.S $(METAL)/efi-kernel.elf
	@mkdir -p $(dir $@)
	$(CC) -c -DEFI_KERNEL_BLOB='"$(METAL)/efi-kernel.elf"' $< -o $@

$(METAL)/baremu.efi: $(METAL)/efi/efi-loader.o $(METAL)/efi/efi-kernel.o
	ld -nostdlib -znocombreloc -T $(EFI_LDS) -shared -Bsymbolic -L/usr/lib $(EFI_CRT0) $^ \
	    -o $(METAL)/efi/baremu.so -lefi -lgnuefi
	objcopy -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela -j .rel.* \
	    -j .rela.* -j .reloc --target efi-app-x86_64 --subsystem=10 $(METAL)/efi/baremu.so $@

# ---- boot media with the default guest (tests, and examples for users) ----
METAL_FW := /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf
METAL_UBOOT := /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
METAL_DEFAULT_CMDLINE := -M virt -m 128M -bios module:fw_jump.elf -kernel module:u-boot.bin
.PHONY: metal-media
test: metal-media
metal-media: $(METAL)/baremu-grub.iso $(METAL)/baremu-usb.img

$(METAL)/baremu-grub.iso: $(METAL)/baremu.elf boot/mkgrub-iso.sh
	bash boot/mkgrub-iso.sh $@ $< "$(METAL_DEFAULT_CMDLINE)" $(METAL_FW) $(METAL_UBOOT)

$(METAL)/baremu-usb.img: $(METAL)/baremu.efi boot/mkusb.sh
	bash boot/mkusb.sh $@ $< "$(METAL_DEFAULT_CMDLINE)" $(METAL_FW) $(METAL_UBOOT)

# Start-up time of the appliance (not a test: timing never decides pass/fail).
.PHONY: bench-metal
bench-metal: metal
	bash bench/metal-startup.sh
