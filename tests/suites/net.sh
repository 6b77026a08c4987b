# net.sh - guest networking on the hosted program: virtio-net on -netdev user.
# Sourced by tests/run-all.sh (uses EMU, LOGS, UBOOT, result, console).

NET_TFTP=$LOGS/net-tftp
mkdir -p "$NET_TFTP"
# 26 bytes; tests/boot/uboot-net.steps expects that size and this text.
echo "baremu tftp payload 12345" >"$NET_TFTP/hello.txt"

# U-Boot's own network stack: DHCP from the user network, ping of the
# gateway, a TFTP download shown with md.b. The same steps pass on QEMU
# (the reference: same firmware, same command line).
console --timeout 90 --log "$LOGS/net-uboot.log" tests/boot/uboot-net.steps -- \
    "$EMU" -M virt -m 256M -kernel "$UBOOT" -nographic \
    -netdev user,id=n0,tftp="$NET_TFTP" -device virtio-net-device,netdev=n0 \
    >"$LOGS/net-uboot.out" 2>&1
result $? net-uboot-dhcp-ping-tftp
if command -v qemu-system-riscv64 >/dev/null; then
    console --timeout 90 --log "$LOGS/net-uboot-qemu.log" tests/boot/uboot-net.steps -- \
        qemu-system-riscv64 -M virt -m 256M -kernel "$UBOOT" -nographic \
        -netdev user,id=n0,tftp="$NET_TFTP" -device virtio-net-device,netdev=n0 \
        >"$LOGS/net-uboot-qemu.out" 2>&1
    result $? net-uboot-same-steps-on-qemu
fi

# hostfwd= opens the host port while the guest runs (slirp listens on it).
net_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$EMU" -M virt -m 64M -bios none -nographic -S \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$net_port-:22,hostfwd=udp:127.0.0.1:$net_port-:53" \
    -device virtio-net-device,netdev=n0 >"$LOGS/net-hostfwd.out" 2>&1 &
net_pid=$!
r=1
for _ in $(seq 50); do
    if ss -ltn "sport = :$net_port" | grep -q LISTEN && ss -lun "sport = :$net_port" | grep -q UNCONN; then
        r=0
        break
    fi
    sleep 0.1
done
kill "$net_pid" 2>/dev/null
wait "$net_pid" 2>/dev/null
result $r net-hostfwd-listens

# Bad -netdev/-device options: exit status 1 and one line naming the problem.
net_error() { # name expected-text options...
    local name=$1 want=$2
    shift 2
    timeout 10 "$EMU" -M virt -m 64M -bios none -nographic "$@" >"$LOGS/$name.out" 2>&1
    local st=$?
    [ $st -eq 1 ] && [ "$(grep -c 'baremu:' "$LOGS/$name.out")" -eq 1 ] &&
        grep -q -- "$want" "$LOGS/$name.out"
    result $? "$name"
}
net_error net-err-type "unknown netdev type" -netdev tap,id=n0
net_error net-err-noid "Parameter 'id' is missing" -netdev user
net_error net-err-dupid "Duplicate ID 'n0'" -netdev user,id=n0 -netdev user,id=n0
net_error net-err-param "Invalid parameter 'bogus'" -netdev user,id=n0,bogus=1
net_error net-err-net "invalid net=" -netdev user,id=n0,net=10.0.2.0/40
net_error net-err-outside "must be inside net=" -netdev user,id=n0,host=192.168.1.1
net_error net-err-hostfwd "invalid host forwarding rule" -netdev user,id=n0,hostfwd=tcp::x-:22 \
    -device virtio-net-device,netdev=n0
net_error net-err-nodev "no -netdev with that id" -device virtio-net-device,netdev=nope
net_error net-err-twice "already used by another NIC" -netdev user,id=n0 \
    -device virtio-net-device,netdev=n0 -device virtio-net-device,netdev=n0
net_error net-err-mac "mac=01:02:03:04:05:06" -netdev user,id=n0 \
    -device virtio-net-device,netdev=n0,mac=01:02:03:04:05:06
# The same host port twice: the second rule cannot listen.
net_error net-err-port-in-use "could not set up host forwarding rule" \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$net_port-:22,hostfwd=tcp:127.0.0.1:$net_port-:23" \
    -device virtio-net-device,netdev=n0

# -nic, QEMU's shorthand for a -netdev and its NIC (the board's default model).
console --timeout 90 --log "$LOGS/net-nic.log" tests/boot/uboot-net.steps -- \
    "$EMU" -M virt -m 256M -kernel "$UBOOT" -nographic -nic user,tftp="$NET_TFTP" \
    >"$LOGS/net-nic.out" 2>&1
result $? net-nic-shorthand
net_error net-err-nic-model "takes virtio-blk-device, virtio-net-device and virtio-rng-device" \
    -nic user,model=e1000
net_error net-err-nic-id "takes no id=" -nic user,id=x

# HMP "info network" lists each NIC with its back end below it, as QEMU does.
(sleep 1; printf 'info network\nquit\n') | timeout 20 "$EMU" -M virt -m 64M -bios none -S \
    -nographic -serial null -monitor stdio -nic user,mac=52:54:00:ab:cd:ef \
    -netdev user,id=spare,net=192.168.7.0/24 >"$LOGS/net-info.out" 2>&1
grep -q '^virtio-net-device: index=1,type=nic,model=virtio-net-device,macaddr=52:54:00:ab:cd:ef' \
    "$LOGS/net-info.out" &&
    grep -q '^ \\ nic0: index=1,type=user,net=10.0.2.0,restrict=off' "$LOGS/net-info.out" &&
    grep -q '^spare: index=0,type=user,net=192.168.7.0,restrict=off' "$LOGS/net-info.out" &&
    grep -q 'netdev spare has no NIC' "$LOGS/net-info.out"
result $? net-hmp-info-network

# pc: -nic gives a virtio-net-pci function with iPXE as its boot ROM; with no
# disk SeaBIOS runs it and iPXE initialises our NIC. (Booting on from there
# needs protected-mode code the paravirtual KVM of our CI machines cannot
# emulate, for QEMU as for baremu.)
if [ -c /dev/kvm ] && [ -e /usr/lib/ipxe/qemu/pxe-virtio.rom ]; then
    console --timeout 60 --log "$LOGS/net-pc-ipxe.log" tests/boot/ipxe-init.steps -- \
        "$EMU" -M pc -accel kvm -m 128M -nographic -nic user,tftp="$NET_TFTP" \
        >"$LOGS/net-pc-ipxe.out" 2>&1
    result $? net-pc-ipxe-rom
else
    echo "SKIP net-pc-ipxe-rom (no /dev/kvm or no ipxe-qemu)"
fi
# The ROM is read when the board is built, after the accelerator starts: KVM needed.
if [ -c /dev/kvm ]; then
    timeout 10 "$EMU" -M pc -accel kvm -m 64M -nographic -nic user,romfile=nothere.rom \
        >"$LOGS/net-err-pc-romfile.out" 2>&1
    [ $? -eq 1 ] && grep -q "romfile=nothere.rom: cannot read" "$LOGS/net-err-pc-romfile.out"
    result $? net-err-pc-romfile
else
    echo "SKIP net-err-pc-romfile (no /dev/kvm)"
fi
