# x86: the pc machine under KVM, each guest compared with QEMU (sourced by
# tests/run-all.sh: uses EMU, LOGS and result). Needs a usable /dev/kvm for
# the KVM parts; without one they are skipped with a SKIP line.
X86_GUESTS=build/guests/x86

x86_kvm_usable() {
    [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]
}

# Serial output and exit status of guest $1 on baremu and on QEMU with KVM (the reference;
# QEMU's TCG does not wake the irq guest's HLT once its local APIC is disabled).
x86_diff_guest() { # name expected-status
    local g=$1 want=$2 rc qrc
    timeout 30 "$EMU" -M pc -accel kvm -m 128M -bios "$X86_GUESTS/$g.bin" -nographic \
        </dev/null >"$LOGS/x86-$g.out" 2>"$LOGS/x86-$g.err"
    rc=$?
    {
        echo "baremu status $rc (want $want)"
        cat "$LOGS/x86-$g.out" "$LOGS/x86-$g.err"
    } >"$LOGS/x86-$g.log"
    if [ $rc -ne "$want" ]; then
        return 1
    fi
    command -v qemu-system-x86_64 >/dev/null || return 0
    timeout 30 qemu-system-x86_64 -M pc -accel kvm -cpu host,-arch-capabilities -m 128M -nodefaults -display none \
        -bios "$X86_GUESTS/$g.bin" -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 \
        </dev/null >"$LOGS/x86-$g.qemu.out" 2>>"$LOGS/x86-$g.log"
    qrc=$?
    echo "qemu status $qrc" >>"$LOGS/x86-$g.log"
    [ $qrc -eq "$want" ] || return 1
    diff -u "$LOGS/x86-$g.qemu.out" <(tr -d '\r' <"$LOGS/x86-$g.out") >>"$LOGS/x86-$g.log"
}

if x86_kvm_usable; then
    for g in modes irq; do
        x86_diff_guest $g 33
        result $? "x86-$g"
    done
else
    echo "SKIP x86 KVM guests: /dev/kvm is missing or not accessible"
fi
