# shellcheck shell=bash
# File descriptor sets (issue 5): descriptors the caller opened, named as
# /dev/fdset/N wherever baremu takes a file name. Sourced by tests/run-all.sh
# (uses result, console, $EMU, $LOGS, $OPENSBI, $UBOOT).

FDS_TMP=$(mktemp -d /tmp/baremu-fdset.XXXXXX)

# 1. -drive, -bios and -kernel all from inherited descriptors: U-Boot (itself read from
#    fd 5, OpenSBI from fd 4) reads the disk's 0x5a bytes through virtio and writes 0xa7
#    ones, which land in the file the test shell opened read-write as fd 3.
qemu-img create -q -f raw "$FDS_TMP/disk.img" 64M
qemu-io -f raw -c 'write -P 0x5a 0 64k' "$FDS_TMP/disk.img" >/dev/null
cp "$FDS_TMP/disk.img" "$FDS_TMP/expect.img"
qemu-io -f raw -c 'write -P 0xa7 0x20000 0x2000' "$FDS_TMP/expect.img" >/dev/null
cat >"$FDS_TMP/steps" <<'STEPS'
expect Hit any key to stop autoboot
send \n
expect =>
send virtio scan; virtio info\n
expect Capacity: 64.0 MB = 0.0 GB \(131072 x 512\)
expect =>
send virtio read 0x84000000 0 0x10; md.b 0x84000000 0x10\n
expect 16 blocks read: OK
expect 5a 5a 5a 5a 5a 5a 5a 5a
expect =>
send mw.b 0x85000000 0xa7 0x2000; virtio write 0x85000000 0x100 0x10\n
expect 16 blocks written: OK
expect =>
send poweroff\n
exit 0
STEPS
# console.py closes inherited descriptors: the shell it runs opens them for baremu.
# shellcheck disable=SC2016
console --timeout 90 --log "$LOGS/fdset-drive-bios-kernel.log" "$FDS_TMP/steps" -- \
    bash -c 'exec "$0" "${@:4}" 3<>"$1" 4<"$2" 5<"$3"' \
    "$EMU" "$FDS_TMP/disk.img" "$OPENSBI/fw_jump.elf" "$UBOOT" -M virt -m 256M -nographic -add-fd fd=3,set=1 -add-fd fd=4,set=2 \
    -add-fd fd=5,set=3,opaque=u-boot -drive file=/dev/fdset/1,if=virtio,format=raw \
    -bios /dev/fdset/2 -kernel /dev/fdset/3 \
    >"$LOGS/fdset-drive-bios-kernel.out" 2>&1 </dev/null
st=$?
[ $st -eq 0 ] && qemu-img compare -q "$FDS_TMP/disk.img" "$FDS_TMP/expect.img" >>"$LOGS/fdset-drive-bios-kernel.log" 2>&1
result $? fdset-drive-bios-kernel

# 2. query-fdsets lists the inherited descriptor with its opaque; query-block names the
#    drive /dev/fdset/1, read-write.
FSOCK=$FDS_TMP/qmp.sock
( exec timeout 30 "$EMU" -M virt -m 128M -bios none -serial null -monitor none \
    -add-fd fd=3,set=1,opaque=disk -drive file=/dev/fdset/1,if=virtio,format=raw \
    -qmp "unix:$FSOCK,server=on,wait=off" 3<>"$FDS_TMP/disk.img" ) \
    >"$LOGS/fdset-emu-query.log" 2>&1 </dev/null &
fds_pid=$!
for _ in $(seq 50); do [ -S "$FSOCK" ] && break; sleep 0.1; done
out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"query-fdsets"}' \
    '{"execute":"query-block"}' '{"execute":"quit"}' | socat -t3 - "UNIX-CONNECT:$FSOCK" 2>&1 |
    tr -d '\r')
wait $fds_pid
echo "$out" >"$LOGS/fdset-query.log"
echo "$out" | grep -q '^{"return": \[{"fdset-id": 1, "fds": \[{"fd": [0-9]*, "opaque": "disk"}\]}\]}$' &&
    echo "$out" | grep -q '"ro": false, .*"file": "/dev/fdset/1"'
result $? fdset-query

# 3. The descriptor's access mode is checked: readonly=on wants a read-only one (the
#    read-write fd is refused, as by QEMU), and a read-only fd serves readonly=on.
out=$(timeout 10 "$EMU" -M virt -m 128M -bios none -serial null -monitor none \
    -add-fd fd=3,set=1 -drive file=/dev/fdset/1,if=virtio,format=raw,readonly=on \
    3<>"$FDS_TMP/disk.img" 2>&1 </dev/null)
st=$?
echo "rw fd, readonly=on: status $st: $out" >"$LOGS/fdset-access-mode.log"
if [ $st -eq 1 ] && echo "$out" | grep -q "Could not open '/dev/fdset/1': Permission denied"; then
    RSOCK=$FDS_TMP/ro.sock
    ( exec timeout 30 "$EMU" -M virt -m 128M -bios none -serial null -monitor none \
        -add-fd fd=3,set=1 -drive file=/dev/fdset/1,if=virtio,format=raw,readonly=on \
        -qmp "unix:$RSOCK,server=on,wait=off" 3<"$FDS_TMP/disk.img" ) \
        >>"$LOGS/fdset-access-mode.log" 2>&1 </dev/null &
    fds_pid=$!
    for _ in $(seq 50); do [ -S "$RSOCK" ] && break; sleep 0.1; done
    out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"query-block"}' \
        '{"execute":"quit"}' | socat -t3 - "UNIX-CONNECT:$RSOCK" 2>&1)
    wait $fds_pid
    echo "$out" >>"$LOGS/fdset-access-mode.log"
    echo "$out" | grep -q '"ro": true, .*"file": "/dev/fdset/1"'
    st=$?
else
    st=1
fi
result $st fdset-access-mode

# 4. A file: chardev and -D from fd sets: the guest's console and the log land in the
#    caller's files; a missing set is an error naming the file.
( exec timeout 8 "$EMU" -M virt -m 128M -kernel "$UBOOT" -monitor none -d guest_errors \
    -add-fd fd=6,set=5 -add-fd fd=7,set=6 -serial file:/dev/fdset/5 -D /dev/fdset/6 \
    6>"$FDS_TMP/console.txt" 7>"$FDS_TMP/log.txt" ) >"$LOGS/fdset-chardev-file.log" 2>&1 </dev/null
out=$(timeout 10 "$EMU" -M virt -m 128M -bios none -monitor none -serial file:/dev/fdset/9 2>&1)
echo "$out" >>"$LOGS/fdset-chardev-file.log"
grep -q '^U-Boot 20' "$FDS_TMP/console.txt" &&
    echo "$out" | grep -q "cannot open '/dev/fdset/9': No such file or directory"
result $? fdset-chardev-file

rm -rf "$FDS_TMP"
