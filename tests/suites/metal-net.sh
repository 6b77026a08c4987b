# metal-net.sh - the appliance on the network: its NIC drivers, lwIP, DHCP and
# static addresses, QMP over TCP with a secret, under qemu-system-x86_64's user
# network (hostfwd to the appliance's QMP port). Sourced by tests/run-all.sh:
# uses result and $LOGS. KVM where tests/scripts/metal-accel.sh says it works.

metal_net_accel=$(bash tests/scripts/metal-accel.sh)
metal_net() { # name test [--device MODEL]
    local name=$1
    shift
    timeout 300 python3 tests/scripts/metal-net.py "$@" --accel "$metal_net_accel" \
        --elf build/metal/baremu.elf --log "$LOGS/$name.console" >"$LOGS/$name.log" 2>&1
    result $? "$name"
}
# DHCP address on the console, QMP with/without/with a wrong secret, on each NIC.
metal_net metal-net-e1000 dhcp-qmp --device e1000
metal_net metal-net-e1000e dhcp-qmp --device e1000e
metal_net metal-net-virtio dhcp-qmp --device virtio-net-pci
metal_net metal-net-virtio-legacy dhcp-qmp --device virtio-net-pci,disable-modern=on
# Addresses from the command line: static, and the fallback when DHCP stays silent.
metal_net metal-net-static static
metal_net metal-net-dhcp-fallback fallback
# A network QMP listener without a secret, and a bad -net-appliance, are refused at boot.
metal_net metal-net-qmp-no-secret no-secret
metal_net metal-net-bad-option bad-option
# Floods, garbage and silent clients: QMP still answers, the guest still runs.
metal_net metal-net-hostile hostile
# -help on the appliance lists its own options (taken off the command line before the
# shared parser) beside the shared ones, then powers off.
# shellcheck disable=SC2086
timeout 60 qemu-system-x86_64 $metal_net_accel -nographic -no-reboot \
    -kernel build/metal/baremu.elf -append "-help" </dev/null 2>&1 | tr -d '\r' \
    >"$LOGS/metal-help.log"
grep -q '^  -net-appliance ip=dhcp|off|A/N' "$LOGS/metal-help.log" &&
    grep -q '^  metal.timing ' "$LOGS/metal-help.log" && grep -q '^  -qmp DEV ' "$LOGS/metal-help.log"
result $? metal-help
