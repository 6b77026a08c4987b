# x86.mk - the x86 test guests (64 KiB -bios images, built with the host's
# gcc) that tests/suites/x86.sh runs on -M pc and on QEMU.
.PHONY: x86-guests
x86-guests:
	$(MAKE) -C tests/guests/x86
test: x86-guests
clean: x86-guests-clean
.PHONY: x86-guests-clean
x86-guests-clean:
	$(MAKE) -C tests/guests/x86 clean
.PHONY: bench-x86
bench-x86: all x86-guests
	bash bench/x86.sh
	bash bench/x86-linux.sh
