# x86-insn.mk - libFuzzer target for the x86 MMIO instruction emulator and
# guest page walk (targets/x86/x86-insn*.c) that the svm/vmx accelerators
# run on bytes a hostile guest chooses. make test runs the unit test's
# random-bytes part instead; FUZZ_SECONDS=N make fuzz-x86-insn for longer.
$(FUZZ_BUILD)/fuzz-x86-insn: tests/fuzz/fuzz-x86-insn.c targets/x86/x86-insn.c \
                             targets/x86/x86-insn-walk.c targets/x86/x86-insn.h
	@mkdir -p $(dir $@)
	clang -std=gnu11 -g -O1 -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  tests/fuzz/fuzz-x86-insn.c targets/x86/x86-insn.c targets/x86/x86-insn-walk.c -o $@

.PHONY: fuzz-x86-insn
fuzz-x86-insn: $(FUZZ_BUILD)/fuzz-x86-insn
	@mkdir -p $(FUZZ_BUILD)/corpus-x86-insn
	$(FUZZ_BUILD)/fuzz-x86-insn -max_total_time=$${FUZZ_SECONDS:-60} $(FUZZ_BUILD)/corpus-x86-insn
fuzz: fuzz-x86-insn
