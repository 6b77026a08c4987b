#!/usr/bin/env bash
# Builds a USB-stick image for UEFI PCs: one FAT file system holding
# EFI/BOOT/BOOTX64.EFI (baremu.efi), the boot modules beside it and
# baremu.cfg with the command line. Write it to a stick with dd.
#   mkusb.sh OUT.img BAREMU.EFI "COMMAND LINE" MODULE...
set -euo pipefail
out=$1 efi=$2 cmdline=$3
shift 3
size_kb=$(( ($(du -kc "$efi" "$@" | tail -1 | cut -f1) + 4096) * 5 / 4 ))
[ "$size_kb" -ge 33792 ] || size_kb=33792 # FAT16's smallest comfortable size
rm -f "$out"
truncate -s "${size_kb}K" "$out"
mkfs.fat -n BAREMU "$out" >/dev/null
export MTOOLS_SKIP_CHECK=1
mmd -i "$out" ::/EFI ::/EFI/BOOT
mcopy -i "$out" "$efi" ::/EFI/BOOT/BOOTX64.EFI
for m in "$@"; do
    mcopy -i "$out" "$m" "::/EFI/BOOT/$(basename "$m")"
done
printf '%s\n' "$cmdline" >"$out.cfg"
mcopy -i "$out" "$out.cfg" ::/EFI/BOOT/baremu.cfg
rm -f "$out.cfg"
