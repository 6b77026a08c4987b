#!/usr/bin/env bash
# Exits per second of the appliance's svm accelerator: the x86 guest that
# writes a port 500,000 times (each write a #VMEXIT handled by the emulator
# in ring 3 and a VMRUN system call back), minus the same guest with no
# writes, booted in QEMU's TCG with -cpu qemu64,+svm,+npt (nested: the
# figure measures QEMU's SVM emulation as much as ours; on a real AMD PC it
# is orders of magnitude higher). Medians of whole-run wall times.
#   RUNS=3 bash bench/metal-svm.sh
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
ELF=build/metal/baremu.elf
G=build/guests/x86
N=500000
[ -f "$ELF" ] && [ -f "$G/exits.bin" ] || { echo "bench-svm: needs make metal x86-guests"; exit 1; }

wall() { # guest
    local t0 t1 rc
    t0=$(date +%s.%N)
    qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -m 2G -display none -serial none \
        -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$ELF" \
        -initrd "$G/$1.bin" -append "-M pc -accel svm -m 128M -bios module:$1.bin" \
        </dev/null >/dev/null 2>&1 && rc=0 || rc=$?
    t1=$(date +%s.%N)
    [ "$rc" -eq 67 ] || { echo "bench-svm: $1 ended with QEMU status $rc (want 67)" >&2; exit 1; }
    echo "$t1 - $t0" | bc
}
. bench/lib.sh # median

full=() empty=()
for _ in $(seq "$RUNS"); do
    full+=("$(wall exits)")
    empty+=("$(wall exits0)")
done
f=$(printf '%s\n' "${full[@]}" | median)
e=$(printf '%s\n' "${empty[@]}" | median)
rate=$(echo "$N / ($f - $e)" | bc)
echo "svm port-I/O exits/s (appliance in QEMU TCG, nested): $rate  ($N exits in ${f}s, start-up ${e}s)"
