#!/usr/bin/env bash
# Runs every test of baremu and ends with "N passed, M failed".
# Called by `make test` after the build; each test prints PASS/FAIL NAME.
set -u
cd "$(dirname "$0")/.."
EMU=build/host/baremu
LOGS=build/test-logs
mkdir -p "$LOGS"
pass=0
fail=0
failed_names=()

result() { # status name
    if [ "$1" -eq 0 ]; then
        pass=$((pass + 1))
        echo "PASS $2"
    else
        fail=$((fail + 1))
        failed_names+=("$2")
        echo "FAIL $2 (log: $LOGS/$2.log)"
    fi
}

# Runs a sub-suite that prints its own "N passed, M failed" and adds its counts.
suite() { # name command...
    local name=$1 out
    shift
    out=$("$@" 2>&1 | tee "$LOGS/$name.log" | grep -E '^(PASS|FAIL)|passed, .* failed')
    echo "$out" | grep -E '^FAIL' | sed "s/^/  $name: /"
    local line p f
    line=$(echo "$out" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -1)
    p=$(echo "$line" | sed -E 's/.*\b([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    if [ -z "$line" ]; then
        result 1 "$name"
        return
    fi
    pass=$((pass + p))
    fail=$((fail + f))
    [ "$f" -eq 0 ] || failed_names+=("$name")
    echo "$name: $p passed, $f failed"
}

OPENSBI=/usr/lib/riscv64-linux-gnu/opensbi/generic
UBOOT=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
console() { python3 tests/scripts/console.py "$@"; }

# 1. Unit tests of pure logic.
for t in build/host/tests/test-*; do
    [ -x "$t" ] || continue
    n=unit-$(basename "$t" | sed 's/^test-//')
    "$t" >"$LOGS/$n.log" 2>&1
    result $? "$n"
done

# 2. The ISA suite, compared with QEMU (or with QEMU's recorded output).
if command -v qemu-system-riscv64 >/dev/null; then
    suite isa bash tests/scripts/riscv-isa.sh --emu "$EMU" --qemu
else
    suite isa bash tests/scripts/riscv-isa.sh --emu "$EMU"
fi

# 3. OpenSBI + U-Boot: banner, prompt, commands, poweroff → status 0.
for fw in fw_jump.elf fw_dynamic.bin; do
    console --timeout 60 --log "$LOGS/uboot-$fw.log" tests/boot/uboot.steps -- \
        "$EMU" -M virt -m 256M -bios "$OPENSBI/$fw" -kernel "$UBOOT" -nographic \
        >"$LOGS/uboot-$fw.out" 2>&1
    result $? "uboot-$fw"
done
# With no -bios the default firmware is Debian's fw_dynamic.bin.
console --timeout 60 --log "$LOGS/uboot-default-bios.log" tests/boot/uboot.steps -- \
    "$EMU" -M virt -m 256M -kernel "$UBOOT" -nographic >"$LOGS/uboot-default-bios.out" 2>&1
result $? uboot-default-bios

# U-Boot answers as on QEMU (differential).
if command -v qemu-system-riscv64 >/dev/null; then
    bash tests/scripts/uboot-diff.sh "$EMU" "$LOGS" >"$LOGS/uboot-diff.out" 2>&1
    result $? uboot-vs-qemu
fi

# -initrd and -append in /chosen, on the generated tree and on a -dtb of the user's.
head -c 100000 /dev/zero | tr '\0' 'r' >"$LOGS/initrd.img"
"$EMU" -M virt,dumpdtb="$LOGS/user.dtb" -m 256M -smp 2 2>/dev/null
for dtb in generated user; do
    extra=()
    [ $dtb = generated ] || extra=(-dtb "$LOGS/user.dtb")
    console --timeout 60 --log "$LOGS/uboot-chosen-$dtb.log" tests/boot/uboot-chosen.steps -- \
        "$EMU" -M virt -m 256M -smp 2 -bios "$OPENSBI/fw_jump.elf" -kernel "$UBOOT" \
        -initrd "$LOGS/initrd.img" -append "console=ttyS0 hello=world" "${extra[@]}" \
        -nographic >"$LOGS/uboot-chosen-$dtb.out" 2>&1
    result $? "uboot-chosen-$dtb"
done

# 4. dumpdtb describes the machine that was built.
bash tests/scripts/dumpdtb.sh "$EMU" >"$LOGS/dumpdtb.log" 2>&1
result $? dumpdtb

# 5. Command-line errors: one line naming the option, status 1.
bash tests/scripts/cmdline.sh "$EMU" >"$LOGS/cmdline.log" 2>&1
result $? cmdline

# 6. Hostile guests: the emulator keeps serving the console; Ctrl-A x quits.
for k in trap_loop wild_mmio bad_paging spin; do
    console --pty --timeout 20 --log "$LOGS/hostile-$k.log" tests/boot/ctrl-a-x.steps -- \
        "$EMU" -M virt -m 128M -nographic -bios "build/guests/hostile/$k.elf" \
        >"$LOGS/hostile-$k.out" 2>&1
    result $? "hostile-$k"
done

# 7. Each subsystem's own tests (block, monitor, appliance ...): sourced so
#    they report through result/suite like the ones above.
for f in tests/suites/*.sh; do
    [ -e "$f" ] || continue
    # shellcheck source=/dev/null
    . "$f"
done

echo
[ $fail -eq 0 ] || echo "failed: ${failed_names[*]}"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
