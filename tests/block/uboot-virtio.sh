#!/usr/bin/env bash
# U-Boot on the RISC-V virt machine reads and writes disks through
# virtio-blk (virtio scan/info/read/write); afterwards qemu-img check passes
# and qemu-img compare shows exactly the guest's write. Also if=virtio with
# raw, cache=writethrough, and -snapshot (the image is left untouched).
cd "$(dirname "$0")/../.."
. tests/block/lib.sh
EMU=build/host/baremu
OPENSBI=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf
UBOOT=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
[ -e "$UBOOT" ] || { bad uboot-virtio "no $UBOOT"; finish; exit; }

cat >"$T/steps" <<'STEPS'
expect Hit any key to stop autoboot
send \n
expect =>
send virtio scan; virtio info\n
expect Device 0: QEMU VirtIO Block Device
expect Capacity: 64.0 MB = 0.0 GB \(131072 x 512\)
expect =>
send virtio read 0x84000000 0 0x10\n
expect 16 blocks read: OK
expect =>
send md.b 0x84000000 0x10\n
expect 5a 5a 5a 5a 5a 5a 5a 5a
expect =>
send mw.b 0x85000000 0xa7 0x2000; virtio write 0x85000000 0x100 0x10\n
expect 16 blocks written: OK
expect =>
send poweroff\n
exit 0
STEPS

boot() { # name drive-options...
    local name=$1
    shift
    timeout 120 python3 tests/scripts/console.py --timeout 60 --log "$T/$name.log" "$T/steps" -- \
        $EMU -M virt -m 256M -bios $OPENSBI -kernel $UBOOT -nographic "$@" >"$T/$name.out" 2>&1
}

qemu-img create -q -f raw "$T/expect.raw" 64M
qemu-io -f raw -c 'write -P 0x5a 0 64k' "$T/expect.raw" >/dev/null
cp "$T/expect.raw" "$T/orig.raw"
qemu-io -f raw -c 'write -P 0xa7 0x20000 0x2000' "$T/expect.raw" >/dev/null

for mode in none:writeback virtio:writethrough none:none virtio:unsafe; do
    iface=${mode%%:*} cache=${mode#*:}
    n="uboot-virtio-qcow2-if_$iface-$cache"
    qemu-img create -q -f qcow2 "$T/d.qcow2" 64M
    qemu-io -c 'write -P 0x5a 0 64k' "$T/d.qcow2" >/dev/null
    if [ $iface = none ]; then
        boot "$n" -drive file="$T/d.qcow2",format=qcow2,if=none,id=hd0,cache=$cache \
            -device virtio-blk-device,drive=hd0
    else
        boot "$n" -drive file="$T/d.qcow2",format=qcow2,if=virtio,cache=$cache
    fi
    if [ $? -eq 0 ]; then ok "$n"; else bad "$n" "$(tail -5 "$T/$n.log")"; fi
    expect_rc "$n-qemu-check" 0 qemu-img check "$T/d.qcow2"
    expect_rc "$n-qemu-compare" 0 qemu-img compare "$T/d.qcow2" "$T/expect.raw"
done

cp "$T/orig.raw" "$T/d.raw"
boot uboot-virtio-raw -drive file="$T/d.raw",format=raw,if=virtio
if [ $? -eq 0 ]; then ok uboot-virtio-raw; else bad uboot-virtio-raw "$(tail -5 "$T/uboot-virtio-raw.log")"; fi
expect_rc uboot-virtio-raw-compare 0 qemu-img compare -f raw -F raw "$T/d.raw" "$T/expect.raw"

qemu-img convert -f raw -O qcow2 "$T/orig.raw" "$T/s.qcow2"
boot uboot-virtio-snapshot -snapshot -drive file="$T/s.qcow2",format=qcow2,if=virtio
if [ $? -eq 0 ]; then ok uboot-virtio-snapshot; else bad uboot-virtio-snapshot "$(tail -5 "$T/uboot-virtio-snapshot.log")"; fi
expect_rc uboot-virtio-snapshot-untouched 0 qemu-img compare "$T/s.qcow2" "$T/orig.raw"

# Command-line errors name the option.
out=$($EMU -M virt -nographic -drive file="$T/nothere.qcow2" 2>&1)
if grep -q "nothere.qcow2" <<<"$out"; then ok drive-missing-file; else bad drive-missing-file "$out"; fi
out=$($EMU -M virt -nographic -drive file="$T/d.raw",format=raw,if=none,id=a -device virtio-blk-device,drive=b 2>&1)
if grep -q "no drive with id 'b'" <<<"$out"; then ok device-bad-drive; else bad device-bad-drive "$out"; fi
out=$($EMU -M virt -nographic -drive file="$T/d.raw",format=raw,bogus=1 2>&1)
if grep -q "bogus" <<<"$out"; then ok drive-bad-key; else bad drive-bad-key "$out"; fi
finish
