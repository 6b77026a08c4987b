#!/usr/bin/env bash
# The appliance's start-up time: power-on to the kernel (firmware and loader)
# and kernel to the guest's first instruction (memory, clock, ACPI, PCI,
# command line, machine creation), from the kernel's metal.timing line.
# Median of RUNS boots per accelerator: TCG always, KVM where
# tests/scripts/metal-accel.sh finds it can run the appliance.
#   RUNS=5 make bench-metal
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
OUT=build/bench
ELF=build/metal/baremu.elf
MODS=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf,/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
APPEND="metal.timing -M virt -m 128M -bios module:fw_jump.elf -kernel module:u-boot.bin"
mkdir -p "$OUT"

. bench/lib.sh # median

bench_accel() { # label qemu-accel-options...
    local label=$1 fw=() kern=() line i
    shift
    for i in $(seq "$RUNS"); do
        python3 tests/scripts/console.py --timeout 60 --log "$OUT/metal-startup.log" \
            bench/metal-startup.steps -- qemu-system-x86_64 -nographic -no-reboot "$@" \
            -kernel "$ELF" -initrd "$MODS" -append "$APPEND" >/dev/null 2>&1 || {
            echo "bench-metal: $label boot $i failed, see $OUT/metal-startup.log" >&2
            return 1
        }
        line=$(grep -a -o 'timing: power-on to kernel [0-9]* us, kernel to guest start [0-9]* us' \
            "$OUT/metal-startup.log")
        fw+=("$(echo "$line" | awk '{print $5}')")
        kern+=("$(echo "$line" | awk '{print $11}')")
    done
    # Under some hypervisors the TSC does not start at 0 at power-on.
    local fw_ms
    fw_ms=$(printf '%s\n' "${fw[@]}" | median | awk '{ if ($1 > 6e7) print "n/a"; else printf "%.1f ms", $1 / 1000 }')
    printf '%-4s power-on to kernel %9s   kernel to guest start %6.1f ms   (median of %d)\n' \
        "$label" "$fw_ms" "$(printf '%s\n' "${kern[@]}" | median | awk '{print $1 / 1000}')" "$RUNS"
}

bench_accel tcg -accel tcg
if [ "$(bash tests/scripts/metal-accel.sh --why)" = ok ]; then
    bench_accel kvm -enable-kvm -cpu host,-arch-capabilities
else
    echo "kvm  not measured: $(bash tests/scripts/metal-accel.sh --why)"
fi
