# The monitor's fuzz target (libFuzzer via clang, with ASan/UBSan). The
# monitor, JSON and QMP sources are rebuilt with clang for coverage; the
# rest comes from the host library.
FUZZ_BUILD := build/fuzz
FUZZ_QMP_SRCS := emu-core/json.c emu-core/json-parse.c emu-core/monitor.c \
                 emu-core/monitor-cmds.c emu-core/hmp.c emu-core/hmp-memdump.c net/qmp-server.c

$(FUZZ_BUILD)/fuzz-qmp: tests/fuzz/fuzz-qmp.c $(FUZZ_QMP_SRCS) $(CORE_LIB)
	@mkdir -p $(dir $@)
	clang -std=gnu11 -g -O1 -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  tests/fuzz/fuzz-qmp.c $(FUZZ_QMP_SRCS) $(CORE_LIB) $(LDLIBS) -o $@

.PHONY: fuzz-qmp fuzz-qmp-long fuzz
fuzz-qmp: $(FUZZ_BUILD)/fuzz-qmp
# make fuzz: a longer run (5 minutes) than make test's 10 s; new inputs stay in build/.
fuzz-qmp-long: fuzz-qmp
	@mkdir -p $(FUZZ_BUILD)/corpus-qmp
	$(FUZZ_BUILD)/fuzz-qmp -max_total_time=300 $(FUZZ_BUILD)/corpus-qmp tests/fuzz/corpus-qmp
fuzz: fuzz-qmp-long
