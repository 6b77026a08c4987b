#!/usr/bin/env bash
# make bench-x86: the pc machine under KVM against QEMU/KVM, side by side,
# alternating A B A B; medians of whole-process wall time.
#   exits/s: 500,000 port writes (each a VM exit to the emulator), start-up
#            time subtracted (the same guest with 0 writes);
#   boot:    SeaBIOS to a boot sector on a virtio-blk disk that powers off.
#   RUNS=5 make bench-x86
set -eu
cd "$(dirname "$0")/.."
EMU=build/host/baremu
RUNS=${RUNS:-5}
G=build/guests/x86
OUT=build/bench
N=500000
mkdir -p "$OUT"
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "bench-x86: SKIP, /dev/kvm is not usable"; exit 0; }
printf '\xf8\x03' >"$OUT/sercon-port.bin"
QEMU=(qemu-system-x86_64 -M pc -accel kvm -cpu host,-arch-capabilities -nodefaults -display none
      -device isa-debug-exit,iobase=0xf4,iosize=4)
have_qemu=0
command -v qemu-system-x86_64 >/dev/null && have_qemu=1

wall() { # command... ; prints seconds, checks the guest's exit status 33
    local t0 t1 rc
    t0=$(date +%s.%N)
    "$@" </dev/null >/dev/null 2>&1 && rc=0 || rc=$?
    t1=$(date +%s.%N)
    [ "$rc" -eq 33 ] || { echo "bench-x86: $* ended with status $rc" >&2; exit 1; }
    echo "$t1 - $t0" | bc
}
. bench/lib.sh # median

for k in b-exits b-exits0 b-boot q-exits q-exits0 q-boot; do : >"$OUT/x86-$k.times"; done
for _ in $(seq "$RUNS"); do
    wall "$EMU" -M pc -accel kvm -nographic -bios "$G/exits.bin" >>"$OUT/x86-b-exits.times"
    wall "$EMU" -M pc -accel kvm -nographic -bios "$G/exits0.bin" >>"$OUT/x86-b-exits0.times"
    wall "$EMU" -M pc -accel kvm -nographic -snapshot \
        -drive file="$G/bootdisk.img",format=raw,if=virtio >>"$OUT/x86-b-boot.times"
    [ $have_qemu -eq 1 ] || continue
    wall "${QEMU[@]}" -bios "$G/exits.bin" >>"$OUT/x86-q-exits.times"
    wall "${QEMU[@]}" -bios "$G/exits0.bin" >>"$OUT/x86-q-exits0.times"
    wall "${QEMU[@]}" -snapshot -drive file="$G/bootdisk.img",format=raw,if=virtio \
        -fw_cfg name=etc/sercon-port,file="$OUT/sercon-port.bin" >>"$OUT/x86-q-boot.times"
done
report() { # who label; sets RATE and BOOT
    local e e0
    e=$(median <"$OUT/x86-$1-exits.times")
    e0=$(median <"$OUT/x86-$1-exits0.times")
    BOOT=$(median <"$OUT/x86-$1-boot.times")
    RATE=$(echo "$N / ($e - $e0)" | bc)
    echo "x86 kvm: $2: $RATE port-I/O exits/s; SeaBIOS to a virtio-blk boot sector ${BOOT}s"
}
report b baremu
b_rate=$RATE b_boot=$BOOT
if [ $have_qemu -eq 1 ]; then
    report q "qemu $(qemu-system-x86_64 --version | head -1 | awk '{print $4}')"
    echo "x86 kvm: ratio baremu/qemu: exits/s $(echo "scale=3; $b_rate / $RATE" | bc)," \
        "boot time $(echo "scale=3; $b_boot / $BOOT" | bc) (boot: below 1.0 is faster)"
fi
