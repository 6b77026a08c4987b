#!/usr/bin/env bash
# Builds a GRUB rescue ISO (BIOS and UEFI, CD or USB stick) that boots the
# appliance by Multiboot 2 with the given command line and modules; each
# module keeps its file name, which is what "module:NAME" refers to.
#   mkgrub-iso.sh OUT.iso BAREMU.ELF "COMMAND LINE" MODULE...
set -euo pipefail
out=$1 elf=$2 cmdline=$3
shift 3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub"
cp "$elf" "$dir/boot/baremu.elf"
{
    echo "set timeout=0"
    echo "serial --unit=0 --speed=115200"
    echo "terminal_input serial console"
    echo "terminal_output serial console"
    echo "menuentry \"baremu\" {"
    echo "    multiboot2 /boot/baremu.elf $cmdline"
    for m in "$@"; do
        n=$(basename "$m")
        cp "$m" "$dir/boot/$n"
        echo "    module2 /boot/$n $n"
    done
    echo "}"
} >"$dir/boot/grub/grub.cfg"
grub-mkrescue -o "$out" "$dir" >/dev/null 2>&1 || {
    echo "mkgrub-iso: grub-mkrescue failed (grub-pc-bin, grub-efi-amd64-bin, xorriso, mtools)" >&2
    exit 1
}
