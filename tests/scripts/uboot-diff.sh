#!/usr/bin/env bash
# U-Boot answers `version`, `fdt print /cpus` and `bdinfo` on baremu as on
# qemu-system-riscv64 (with a hart configured as baremu's: no H, Zb*, Sstc).
# Lines that depend on what baremu does not model are dropped on both sides
# before comparing: QEMU's CFI flash (flashstart/flashsize) and the size of
# QEMU's larger device tree (PCIe, flash, fw_cfg nodes), which moves the
# tree's copy (Working FDT, fdt_blob, new_fdt, fdt_size, the last lmb
# reservation).
#   uboot-diff.sh EMU LOGDIR
set -u
EMU=$1
LOGS=$2
OPENSBI=/usr/lib/riscv64-linux-gnu/opensbi/generic
UBOOT=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
QEMU_CPU=rv64,h=false,zba=false,zbb=false,zbc=false,zbs=false,sstc=false,Zihintpause=false
ARGS=(-M virt -m 256M -smp 2 -bios "$OPENSBI/fw_jump.elf" -kernel "$UBOOT" -nographic)
here=$(dirname "$0")

answers() { # raw log -> the part from the first command on, normalised
    tr -d '\r' <"$1" | sed -n '/=> version/,$p' |
        grep -vE '^(Working FDT set to|flashstart|flashsize|fdt_blob|new_fdt|fdt_size| reserved\[2\])'
}
python3 "$here/console.py" --timeout 60 --log "$LOGS/uboot-diff-baremu.log" \
    "$here/../boot/uboot-answers.steps" -- "$EMU" "${ARGS[@]}" || exit 1
python3 "$here/console.py" --timeout 60 --log "$LOGS/uboot-diff-qemu.log" \
    "$here/../boot/uboot-answers.steps" -- qemu-system-riscv64 -cpu "$QEMU_CPU" "${ARGS[@]}" ||
    exit 1
answers "$LOGS/uboot-diff-baremu.log" >"$LOGS/uboot-diff-baremu.txt"
answers "$LOGS/uboot-diff-qemu.log" >"$LOGS/uboot-diff-qemu.txt"
# A comparison of two empty files proves nothing.
grep -q 'riscv,isa = "rv64imafdc_zicsr_zifencei"' "$LOGS/uboot-diff-baremu.txt" ||
    { echo "no /cpus in baremu's answers"; exit 1; }
diff -u "$LOGS/uboot-diff-qemu.txt" "$LOGS/uboot-diff-baremu.txt"
