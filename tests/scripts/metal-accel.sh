#!/usr/bin/env bash
# Prints the qemu-system-x86_64 accelerator options for booting the appliance:
# KVM (-enable-kvm -cpu host,-arch-capabilities) if it can run it here, else
# TCG. The probe boots the appliance with "-M help" once per build of
# baremu.elf and caches the answer (a paravirtual KVM may start the PC but
# fail inside it, so /dev/kvm being there is not enough).
#   metal-accel.sh [--why]   --why: print the reason for the choice instead
set -u
cd "$(dirname "$0")/../.."
elf=build/metal/baremu.elf
cache=build/metal/accel-probe
kvm_opts="-enable-kvm -cpu host,-arch-capabilities"

if [ ! -e "$cache" ] || [ "$cache" -ot "$elf" ]; then
    why=""
    if [ ! -w /dev/kvm ]; then
        why="no usable /dev/kvm"
    else
        out=$(timeout 20 qemu-system-x86_64 $kvm_opts -display none -serial stdio -no-reboot \
            -kernel "$elf" -append "-M help" </dev/null 2>&1)
        if echo "$out" | grep -q "Supported machines"; then
            why="ok"
        else
            why="KVM cannot run the appliance here: $(echo "$out" | grep -m1 -iE 'error|fail' || echo 'no output within 20 s')"
        fi
    fi
    mkdir -p "$(dirname "$cache")"
    echo "$why" >"$cache"
fi
why=$(cat "$cache")
if [ "${1:-}" = "--why" ]; then
    echo "$why"
elif [ "$why" = ok ]; then
    echo "$kvm_opts"
else
    echo "-accel tcg"
fi
