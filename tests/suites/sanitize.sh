# sanitize: the unit tests and the ISA suite (JIT and interpreter) on the
# ASan+UBSan build (make san). Any sanitizer report fails the test: UBSan is
# built with -fno-sanitize-recover, ASan aborts on the first error.
# Leak checking is off: tests build machines they never tear down (known debt).
# Sourced by tests/run-all.sh (uses LOGS, result, suite).
SAN=build/san
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1
for t in "$SAN"/tests/test-*; do
    [ -x "$t" ] || continue
    n=san-unit-$(basename "$t" | sed 's/^test-//')
    timeout 600 "$t" >"$LOGS/$n.log" 2>&1
    st=$?
    grep -qE 'runtime error|ERROR: AddressSanitizer' "$LOGS/$n.log" && st=1
    result $st "$n"
done
SAN_NOJIT=build/test-logs/baremu-san-nojit
printf '#!/bin/sh\nexec "%s" "$@" -accel tcg,jit=off\n' "$PWD/$SAN/baremu" >"$SAN_NOJIT"
chmod +x "$SAN_NOJIT"
# Recorded expected outputs (tests/guests/riscv/expected) are the reference here;
# the QEMU comparison itself is the isa suite's job.
suite san-isa bash tests/scripts/riscv-isa.sh --emu "$SAN/baremu" --timeout 60
suite san-isa-nojit bash tests/scripts/riscv-isa.sh --emu "$SAN_NOJIT" --timeout 60
# U-Boot to its prompt and a few commands under both sanitizers.
console --timeout 120 --log "$LOGS/san-uboot.log" tests/boot/uboot.steps -- \
    "$SAN/baremu" -M virt -m 256M -kernel "$UBOOT" -nographic >"$LOGS/san-uboot.out" 2>&1
st=$?
grep -qE 'runtime error|ERROR: AddressSanitizer' "$LOGS/san-uboot.out" "$LOGS/san-uboot.log" && st=1
result $st san-uboot
