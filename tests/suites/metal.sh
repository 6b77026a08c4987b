# metal.sh - the appliance (build/metal/baremu.elf) booted in qemu-system-x86_64.
# Sourced by tests/run-all.sh: uses result, console, $LOGS, $OPENSBI, $UBOOT.
# KVM where tests/scripts/metal-accel.sh finds it can run the appliance, TCG always.

metal_elf=build/metal/baremu.elf
metal_mods="$OPENSBI/fw_jump.elf,$UBOOT"
metal_guest="-M virt -m 128M -bios module:fw_jump.elf -kernel module:u-boot.bin"
metal_qemu() { qemu-system-x86_64 -nographic -no-reboot "$@"; }

# 1. Multiboot 1 (QEMU -kernel): OpenSBI, U-Boot answers, poweroff ends QEMU (ACPI S5) with 0.
metal_uboot() { # name accel-options...
    local name=$1
    shift
    console --timeout 120 --log "$LOGS/$name.log" tests/boot/uboot.steps -- \
        qemu-system-x86_64 -nographic -no-reboot "$@" -kernel "$metal_elf" \
        -initrd "$metal_mods" -append "$metal_guest" >"$LOGS/$name.out" 2>&1
    result $? "$name"
}
metal_uboot metal-uboot-tcg -accel tcg
metal_kvm_why=$(bash tests/scripts/metal-accel.sh --why)
if [ "$metal_kvm_why" = ok ]; then
    metal_uboot metal-uboot-kvm -enable-kvm -cpu host,-arch-capabilities
else
    echo "SKIP metal-uboot-kvm ($metal_kvm_why)"
fi

# A command line written for the hosted program: no -bios (the default firmware,
# Debian's fw_dynamic.bin, found as the module of that name) and -kernel by its
# host path (the module named by the path's last component).
metal_accel=$([ "$metal_kvm_why" = ok ] && echo "-enable-kvm -cpu host,-arch-capabilities" ||
    echo "-accel tcg")
console --timeout 120 --log "$LOGS/metal-default-bios.log" tests/boot/uboot.steps -- \
    qemu-system-x86_64 -nographic -no-reboot $metal_accel -kernel "$metal_elf" \
    -initrd "$OPENSBI/fw_dynamic.bin,$UBOOT" -append "-M virt -m 128M -kernel $UBOOT" \
    >"$LOGS/metal-default-bios.out" 2>&1
result $? metal-default-bios

# 2. GRUB (Multiboot 2, from a grub-mkrescue CD) and UEFI (OVMF, the image
#    on a USB stick): the same guest, the same answers, the same power-off.
metal_boot() { # name qemu-options...
    local name=$1
    shift
    console --timeout 180 --log "$LOGS/$name.log" tests/boot/uboot.steps -- \
        qemu-system-x86_64 -nographic -no-reboot "$@" >"$LOGS/$name.out" 2>&1
    result $? "$name"
}
metal_boot metal-grub-multiboot2 -accel tcg -cdrom build/metal/baremu-grub.iso
# Under the paravirtual KVM of our CI machines firmware runs emulated: GRUB
# takes from 45 s to minutes (too slow to test) and OVMF stops at its first
# x87 instruction, so GRUB and UEFI boots are tested with TCG.
cp /usr/share/OVMF/OVMF_VARS.fd "$LOGS/metal-ovmf-vars.fd"
metal_boot metal-uefi-usb -accel tcg -m 256M \
    -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd \
    -drive if=pflash,format=raw,file="$LOGS/metal-ovmf-vars.fd" \
    -device qemu-xhci -drive if=none,id=stick,format=raw,file=build/metal/baremu-usb.img \
    -device usb-storage,drive=stick

# GRUB's UEFI side of the same CD (multiboot2 after GRUB left boot services).
cp /usr/share/OVMF/OVMF_VARS.fd "$LOGS/metal-ovmf-vars2.fd"
metal_boot metal-grub-uefi -accel tcg -m 256M \
    -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd \
    -drive if=pflash,format=raw,file="$LOGS/metal-ovmf-vars2.fd" \
    -cdrom build/metal/baremu-grub.iso
# PXE: the NIC's iPXE fetches an iPXE script, the kernel and modules by TFTP (Multiboot 1).
metal_tftp=build/metal/tftp
mkdir -p "$metal_tftp"
cp "$metal_elf" "$OPENSBI/fw_jump.elf" "$UBOOT" "$metal_tftp/"
printf '#!ipxe\nkernel baremu.elf %s\nmodule fw_jump.elf\nmodule u-boot.bin\nboot\n' \
    "$metal_guest" >"$metal_tftp/boot.ipxe"
metal_boot metal-pxe-ipxe -accel tcg -boot n \
    -netdev user,id=n0,tftp="$metal_tftp",bootfile=boot.ipxe -device e1000,netdev=n0

# The ISA guests on the appliance: output as QEMU's, status out of the PC.
suite metal-isa bash tests/scripts/metal-isa.sh
if [ "$metal_kvm_why" = ok ]; then
    METAL_ACCEL="-enable-kvm -cpu host,-arch-capabilities" suite metal-isa-kvm \
        bash tests/scripts/metal-isa.sh
fi

# 3. Bad command line, missing module, too little memory: one line, clean power-off.
metal_error() { # name qemu-memory append
    console --timeout 60 --log "$LOGS/$1.log" tests/boot/metal-error.steps -- \
        qemu-system-x86_64 -nographic -no-reboot -accel tcg -m "$2" \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$metal_elf" \
        -initrd "$metal_mods" -append "$3" >"$LOGS/$1.out" 2>&1
    local r=$?
    # Exactly one line from baremu, and no CPU exception report.
    if [ $r -eq 0 ] && { [ "$(grep -c 'baremu:' "$LOGS/$1.log")" -ne 1 ] ||
        grep -q 'CPU exception' "$LOGS/$1.log"; }; then
        r=1
    fi
    result $r "$1"
}
metal_error metal-no-cmdline 128M ""
metal_error metal-bad-cmdline 128M "-M virt -m lots"
metal_error metal-bad-quote 128M "-M virt -append 'unbalanced"
metal_error metal-missing-module 128M "-M virt -bios module:nothere.elf"
metal_error metal-missing-path 128M "-M virt -bios /usr/lib/nothere/fw_jump2.elf"
metal_error metal-too-little-memory 64M "-M virt -m 2G -bios module:fw_jump.elf"

# Demand paging: a 96 MiB guest runs on a 72 MiB PC until it touches too much (the
# appliance refuses at start a guest of more than twice the free memory).
console --timeout 120 --log "$LOGS/metal-out-of-memory.log" tests/boot/metal-oom.steps -- \
    qemu-system-x86_64 -nographic -no-reboot -accel tcg -m 72M \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$metal_elf" -initrd "$metal_mods" \
    -append "-M virt -m 96M -bios module:fw_jump.elf -kernel module:u-boot.bin" \
    >"$LOGS/metal-out-of-memory.out" 2>&1
result $? metal-out-of-memory
