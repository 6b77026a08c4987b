#!/usr/bin/env bash
# Exits per second of the appliance's vmx accelerator: the x86 guest that
# writes a port 500,000 times (each write a VM exit handled by the emulator in
# ring 3 and a VMRESUME system call back), minus the same guest with no
# writes, booted from a GRUB CD in Bochs (Debian's bochs, the one x86 emulator
# here with VT-x: the figure measures Bochs's VMX emulation as much as ours;
# on a real Intel PC it is orders of magnitude higher). Medians of whole-run
# wall times; about a minute and a half per pair of runs.
#   RUNS=3 bash bench/metal-vmx.sh
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-1}
ELF=build/metal/baremu.elf
G=build/guests/x86
OUT=build/bench
N=500000
[ -f "$ELF" ] && [ -f "$G/exits.bin" ] || { echo "bench-vmx: needs make metal x86-guests"; exit 1; }
command -v bochs >/dev/null || { echo "bench-vmx: SKIP, bochs is not installed"; exit 0; }
mkdir -p "$OUT"
for g in exits exits0; do
    bash boot/mkgrub-iso.sh "$OUT/vmx-$g.iso" "$ELF" "-M pc -accel vmx -m 128M -bios module:$g.bin" \
        "$G/$g.bin" >"$OUT/vmx-$g.iso.log" 2>&1
done

wall() { # guest
    local t0 t1 rc
    t0=$(date +%s.%N)
    bash tests/scripts/bochs-run.sh -t 900 "$OUT/vmx-$1" "$OUT/vmx-$1.iso" && rc=0 || rc=$?
    t1=$(date +%s.%N)
    [ "$rc" -eq 33 ] || { echo "bench-vmx: $1 ended with status $rc (want 33)" >&2; exit 1; }
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
echo "vmx port-I/O exits/s (appliance in Bochs): $rate  ($N exits in ${f}s, start-up ${e}s)"
