#!/usr/bin/env bash
# The RISC-V ISA guests (tests/guests/riscv/out/*.elf) on the appliance under
# QEMU (TCG unless METAL_ACCEL says otherwise): serial output must equal the recorded QEMU output
# (tests/guests/riscv/expected/NAME.out) and the guest's exit status must come
# out of the PC (isa-debug-exit: QEMU exits with status * 2 + 1). This checks
# the freestanding build of the CPU emulator (newlib, SSE state, the JIT's
# memory) against the hosted one's reference.
#   metal-isa.sh [TEST...]
set -u
cd "$(dirname "$0")/../.."
GDIR=tests/guests/riscv
ELF=build/metal/baremu.elf
TMO=${TMO:-90}
# Accelerator options for the PC (tests/scripts/metal-accel.sh prints them).
ACCEL=${METAL_ACCEL:--accel tcg}
make -s -C "$GDIR" >&2 || { echo "0 passed, 1 failed"; exit 1; }
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
    for f in "$GDIR"/out/*.elf; do tests+=("$(basename "$f" .elf)"); done
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
for t in "${tests[@]}"; do
    exp=$GDIR/expected/$t.out
    timeout -k 2 "$TMO" qemu-system-x86_64 $ACCEL -display none -serial stdio -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$ELF" \
        -initrd "$GDIR/out/$t.elf" -append "-M virt -m 128M -bios module:$t.elf" \
        </dev/null 2>"$tmp/$t.err" | tr -d '\r' >"$tmp/$t.raw"
    st=${PIPESTATUS[0]}
    # The appliance has one console: guest-error logs (stderr when hosted)
    # land amid the guest's output. Take them out whole to compare.
    perl -0pe 's/memory: (read|write) of \d+ bytes?( \(0x[0-9a-f]+\))? at unmapped 0x[0-9a-f]+\n//g' \
        "$tmp/$t.raw" >"$tmp/$t.out"
    why=""
    if [ ! -e "$exp" ]; then
        why="no expected output $exp"
    elif [ "$st" = 124 ]; then
        why="timeout"
    elif [ "$st" != 1 ]; then
        why="QEMU exit status $st (guest status $(((st - 1) / 2)))"
    elif ! cmp -s "$tmp/$t.out" "$exp"; then
        why="output differs: $(diff "$exp" "$tmp/$t.out" | grep '^[<>]' | head -4 | tr '\n' ';')"
    fi
    if [ -z "$why" ]; then
        pass=$((pass + 1))
        echo "PASS $t"
    else
        fail=$((fail + 1))
        echo "FAIL $t ($why)"
    fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
