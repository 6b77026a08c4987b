# x86: the pc machine under KVM, each guest compared with QEMU (sourced by
# tests/run-all.sh: uses EMU, LOGS and result). Needs a usable /dev/kvm for
# the KVM parts; without one they are skipped with a SKIP line.
X86_GUESTS=build/guests/x86

x86_kvm_usable() {
    [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]
}

# Serial output and exit status of guest $1 on baremu and on QEMU with KVM (the reference;
# QEMU's TCG does not wake the irq guest's HLT once its local APIC is disabled).
x86_diff_guest() { # name expected-status [boot options; default: -bios the guest's image]
    local g=$1 want=$2 rc qrc
    shift 2
    [ $# -gt 0 ] || set -- -bios "$X86_GUESTS/$g.bin"
    timeout 30 "$EMU" -M pc -accel kvm -m 128M "$@" -nographic \
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
    # shellcheck disable=SC2086
    timeout 30 qemu-system-x86_64 -M pc ${X86_QEMU_ACCEL:--accel kvm -cpu host,-arch-capabilities} \
        -m 128M -nodefaults -display none \
        "$@" ${X86_QEMU_EXTRA:-} -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 \
        </dev/null >"$LOGS/x86-$g.qemu.out" 2>>"$LOGS/x86-$g.log"
    qrc=$?
    echo "qemu status $qrc" >>"$LOGS/x86-$g.log"
    [ $qrc -eq "$want" ] || return 1
    diff -u <(tr -d '\r' <"$LOGS/x86-$g.qemu.out") <(tr -d '\r' <"$LOGS/x86-$g.out") \
        >>"$LOGS/x86-$g.log"
}

# The DSDTs of pc and microvm as ACPICA's disassembler (iasl, as an OS's
# interpreter would) decodes them, compared with the expected ASL; the decoded
# source must compile again without errors or warnings (remarks are allowed: the
# IQCR method creates its buffer by Name, as QEMU's does).
x86_dsdt_decode() { # name: decode build/.../NAME-dsdt.aml, drop iasl's own comments
    iasl -d "$LOGS/acpi/$1-dsdt.aml" >"$LOGS/acpi/$1-iasl.log" 2>&1 || return 1
    sed -n '/^DefinitionBlock/,$p' "$LOGS/acpi/$1-dsdt.dsl" | sed 's| *//.*$||; s/ *$//'
}
rm -rf "$LOGS/acpi" && mkdir -p "$LOGS/acpi"
if build/host/tests/test-acpi "$LOGS/acpi" >"$LOGS/acpi/test.out" 2>&1; then
    for m in pc microvm; do
        x86_dsdt_decode $m >"$LOGS/acpi/$m.asl" &&
            diff -u "tests/guests/x86/dsdt-$m.asl" "$LOGS/acpi/$m.asl" >"$LOGS/acpi/$m.diff" &&
            iasl -p "$LOGS/acpi/$m-again" "$LOGS/acpi/$m-dsdt.dsl" >"$LOGS/acpi/$m-again.log" 2>&1 &&
            grep -q 'Compilation successful. 0 Errors, 0 Warnings' "$LOGS/acpi/$m-again.log"
        result $? "x86-acpi-dsdt-$m-iasl"
    done
else
    result 1 x86-acpi-dsdt-iasl
fi

if x86_kvm_usable; then
    for g in modes irq reset; do
        x86_diff_guest $g 33
        result $? "x86-$g"
    done
    # Local APIC timer/ISR/TPR, I/O APIC routing of the PIT, ACPI S5 poweroff (status 0).
    X86_QEMU_ACCEL="-accel tcg" x86_diff_guest apic 0
    result $? x86-apic-ioapic-s5
    # CR8 and the APIC's TPR are one register (kvm_run.cr8 kept in step with our TPR).
    X86_QEMU_ACCEL="-accel tcg" x86_diff_guest cr8 33
    result $? x86-cr8-tpr
    # -M microvm: a stand-in bzImage entered directly (32-bit boot protocol) reports the zero
    # page (command line with the virtio-mmio slot, initrd, e820), ACPI, APIC and virtio-mmio,
    # then powers off through S5.
    head -c 3000 /dev/zero | tr '\0' 'i' >"$LOGS/lxdirect-initrd.img"
    truncate -s 1M "$LOGS/lxdirect-disk.img"
    timeout 30 "$EMU" -M microvm -accel kvm -m 128M -kernel "$X86_GUESTS/lxdirect.bzimage" \
        -append "console=ttyS0 hello" -initrd "$LOGS/lxdirect-initrd.img" \
        -drive file="$LOGS/lxdirect-disk.img",if=virtio,format=raw -nographic \
        </dev/null >"$LOGS/x86-microvm.out" 2>"$LOGS/x86-microvm.err"
    rc=$?
    [ $rc -eq 0 ] && diff -u tests/guests/x86/lxdirect.expected "$LOGS/x86-microvm.out" \
        >"$LOGS/x86-microvm.diff"
    result $? x86-microvm-direct-linux-boot
    # A guest doing random port I/O, string I/O and MMIO forever: Ctrl-A x still quits.
    python3 tests/scripts/console.py --pty --timeout 30 --log "$LOGS/x86-hostile.log" \
        tests/boot/ctrl-a-x.steps -- "$EMU" -M pc -accel kvm -m 128M -nographic \
        -bios "$X86_GUESTS/hostile.bin" >"$LOGS/x86-hostile.out" 2>&1
    result $? x86-hostile
    # Multiboot: -kernel ELF32 with -append and two modules (QEMU's "file args,file" syntax).
    printf 'first module line\nsecond\n' >"$LOGS/mb-mod1.txt"
    printf 'another one\n' >"$LOGS/mb-mod2.txt"
    x86_diff_guest multiboot 33 -kernel "$X86_GUESTS/mb.elf32" -append "hello world" \
        -initrd "$LOGS/mb-mod1.txt arg1 arg2,$LOGS/mb-mod2.txt"
    result $? x86-multiboot
    # Linux boot protocol: a stand-in bzImage's setup code, entered through SeaBIOS and QEMU's
    # linuxboot_dma.bin, reports the header fields; QEMU gets SeaBIOS's serial console too.
    if [ -f /usr/share/seabios/bios.bin ] && [ -f /usr/share/qemu/linuxboot_dma.bin ]; then
        printf '\xf8\x03' >"$LOGS/sercon-port.bin"
        head -c 3000 /dev/zero | tr '\0' 'i' >"$LOGS/linux-initrd.img"
        X86_QEMU_EXTRA="-fw_cfg name=etc/sercon-port,file=$LOGS/sercon-port.bin" \
            x86_diff_guest linux-boot 33 -kernel "$X86_GUESTS/linux.bzimage" \
            -append "console=ttyS0 quiet" -initrd "$LOGS/linux-initrd.img"
        result $? x86-linux-boot-protocol
        # SeaBIOS boots a boot sector from a virtio-blk PCI disk (a snapshot: the image stays).
        X86_QEMU_EXTRA="-fw_cfg name=etc/sercon-port,file=$LOGS/sercon-port.bin" \
            x86_diff_guest virtio-blk-boot 33 -snapshot \
            -drive file="$X86_GUESTS/bootdisk.img",format=raw,if=virtio
        result $? x86-seabios-virtio-blk-boot
        # The same from a modern-only (virtio 1.x) virtio-blk function: disable-legacy=on.
        X86_QEMU_EXTRA="-fw_cfg name=etc/sercon-port,file=$LOGS/sercon-port.bin" \
            x86_diff_guest virtio-blk-modern-boot 33 -snapshot \
            -drive file="$X86_GUESTS/bootdisk.img",format=raw,if=none,id=d0 \
            -device virtio-blk-pci,drive=d0,disable-legacy=on
        result $? x86-seabios-virtio-blk-modern-boot
        # SeaBIOS installs our ACPI tables (fw_cfg linker/loader); a boot program checks them as
        # an OS would (RSDP, checksums, FADT, \_S5, MADT) and powers off through S5: status 0.
        X86_QEMU_EXTRA="-fw_cfg name=etc/sercon-port,file=$LOGS/sercon-port.bin" \
            x86_diff_guest acpi-tables 0 -snapshot \
            -drive file="$X86_GUESTS/acpidisk.img",format=raw,if=virtio
        result $? x86-seabios-acpi-tables-s5
        # What Linux's check_timer() does: IRQ 0's I/O APIC pin as the MADT and as SeaBIOS's MP
        # table name it (they must agree: Linux with pci=noacpi follows the MP table), the PIT
        # at 250 Hz through it with the 8259s and LINT0 masked; 5 ticks within 1 s. QEMU TCG.
        X86_QEMU_ACCEL="-accel tcg" \
            X86_QEMU_EXTRA="-fw_cfg name=etc/sercon-port,file=$LOGS/sercon-port.bin" \
            x86_diff_guest timer 33 -snapshot \
            -drive file="$X86_GUESTS/timerdisk.img",format=raw,if=virtio
        result $? x86-timer-irq0-ioapic-pin
    else
        echo "SKIP x86-linux-boot-protocol: needs packages seabios and qemu-system-data"
    fi
    # SeaBIOS (the default -bios) runs to "No bootable device." as on QEMU; QEMU's boot
    # attempts differ in order (it has a floppy controller), so banner and end are compared.
    if [ -f /usr/share/seabios/bios.bin ]; then
        python3 tests/scripts/console.py --pty --timeout 30 --log "$LOGS/x86-seabios.log" \
            tests/boot/seabios-nodisk.steps -- "$EMU" -M pc -accel kvm -m 128M -nographic \
            >"$LOGS/x86-seabios.out" 2>&1
        rc=$?
        if [ $rc -eq 0 ] && command -v qemu-system-x86_64 >/dev/null; then
            printf '\xf8\x03' >"$LOGS/sercon-port.bin"
            timeout 60 qemu-system-x86_64 -M pc -accel kvm -cpu host,-arch-capabilities -m 128M \
                -nodefaults -display none -serial stdio \
                -fw_cfg name=etc/sercon-port,file="$LOGS/sercon-port.bin" \
                </dev/null >"$LOGS/x86-seabios.qemu.out" 2>/dev/null &
            qpid=$!
            for _ in $(seq 300); do
                grep -q -a 'No bootable device' "$LOGS/x86-seabios.qemu.out" && break
                sleep 0.2
            done
            kill $qpid 2>/dev/null
            wait $qpid 2>/dev/null
            for want in 'SeaBIOS \(version [^)]*\)' 'No bootable device\.'; do
                a=$(tr -d '\r' <"$LOGS/x86-seabios.qemu.out" | grep -a -o -E "$want" | head -1)
                b=$(tr -d '\r' <"$LOGS/x86-seabios.log" | grep -a -o -E "$want" | head -1)
                [ -n "$a" ] && [ "$a" = "$b" ] || { echo "differs: '$a' vs '$b'"; rc=1; }
            done >>"$LOGS/x86-seabios.out"
        fi
        result $rc x86-seabios-nodisk
    else
        echo "SKIP x86-seabios-nodisk: /usr/share/seabios/bios.bin missing (package seabios)"
    fi
else
    echo "SKIP x86 KVM guests: /dev/kvm is missing or not accessible"
fi
# Debian's Linux on -M pc and -M microvm under hosted baremu -accel kvm, where the KVM is a
# nested kvm_amd inside QEMU's TCG with +svm (this machine's own KVM, where there is one, is
# paravirtual and refuses stock kernels): the kernel, our ACPI tables and interrupt
# controllers, virtio-blk, S5. One to two minutes each on two cores, run side by side (the
# kernel and initramfs are made first, once); X86_NESTED_LINUX=0 leaves them out.
if [ "${X86_NESTED_LINUX:-1}" != 0 ] && command -v qemu-system-x86_64 >/dev/null; then
    if [ ! -f build/linux/vmlinuz ] || [ scripts/mk-initramfs.sh -nt build/linux/initramfs.cpio.gz ]
    then
        bash scripts/mk-initramfs.sh build/linux >"$LOGS/x86-nested-linux-setup.log" 2>&1
    fi
    xn_pids=()
    for m in pc microvm; do
        NESTED_TIMEOUT=600 EMU="$EMU" bash scripts/nested-linux.sh $m \
            "$LOGS/x86-nested-linux-$m.log" >"$LOGS/x86-nested-linux-$m.out" 2>&1 &
        xn_pids+=($!)
    done
    # The script's status: 0 when L2 printed BAREMU-VDA-OK and BAREMU-POWEROFF and baremu
    # ended with status 0.
    wait "${xn_pids[0]}"
    result $? x86-nested-linux-pc
    wait "${xn_pids[1]}"
    result $? x86-nested-linux-microvm
fi

# NMIs from the monitor (tests/guests/x86/nmi.S): QMP inject-nmi, and HMP nmi through
# human-monitor-command, reach the waiting guest through LINT1; the second NMI it sends
# itself is held while its handler runs and taken right after the IRET. QEMU (TCG) is the
# reference: the same reply, exit status and serial output. Summary in $LOGS/NAME.out.
x86_nmi() { # name driver-option-or-empty emulator-command...
    local name=$1 opt=$2 sock r
    shift 2
    sock=$(mktemp -u /tmp/baremu-nmi.XXXXXX)
    # shellcheck disable=SC2086
    python3 tests/scripts/nmi-test.py --log "$LOGS/$name.serial" --qmp "unix:$sock" $opt \
        --timeout 60 -- "$@" -qmp "unix:$sock,server=on,wait=off" >"$LOGS/$name.out" 2>&1
    r=$?
    rm -f "$sock"
    tr -d '\r' <"$LOGS/$name.serial" | grep '^nmi: ' >>"$LOGS/$name.out"
    return $r
}
x86_nmi_want() { # the reply line
    echo "$1"
    echo "exit 33"
    printf 'nmi: %s\n' "LINT1 is NMI, waiting for an NMI" \
        "handler entered (NMI 1), sending a second NMI to itself" \
        "NMI 2 held while the handler runs" "handler entered (NMI 2)" \
        "NMI 2 came right after the IRET"
}
x86_nmi_want '{"return": {}}' >"$LOGS/x86-nmi-qmp.want"
x86_nmi_want '{"return": ""}' >"$LOGS/x86-nmi-hmp.want"
for v in qmp hmp; do
    opt=$([ $v = hmp ] && echo --hmp)
    if command -v qemu-system-x86_64 >/dev/null; then
        x86_nmi "x86-nmi-$v-qemu" "$opt" qemu-system-x86_64 -M pc -accel tcg -m 128M \
            -nodefaults -display none -bios "$X86_GUESTS/nmi.bin" -serial stdio \
            -device isa-debug-exit,iobase=0xf4,iosize=4 &&
            diff -u "$LOGS/x86-nmi-$v.want" "$LOGS/x86-nmi-$v-qemu.out" >"$LOGS/x86-nmi-$v-qemu.log"
        result $? "x86-nmi-$v-qemu"
    fi
    if x86_kvm_usable; then
        x86_nmi "x86-nmi-$v" "$opt" "$EMU" -M pc -accel kvm -m 128M -bios "$X86_GUESTS/nmi.bin" \
            -nographic &&
            diff -u "$LOGS/x86-nmi-$v.want" "$LOGS/x86-nmi-$v.out" >"$LOGS/x86-nmi-$v.log"
        result $? "x86-nmi-$v"
    else
        echo "SKIP x86-nmi-$v: /dev/kvm is missing or not accessible"
    fi
done

# -smp 4 (tests/guests/x86/smp.S): INIT, SIPI, SIPI to all excluding self, the APs in
# protected mode in APIC ID order; fixed IPIs by physical and by logical (flat) destination
# and to all excluding self, answered to the BSP; an NMI IPI; the PIT through I/O APIC pin 2
# to an AP; INIT and SIPI to another trampoline. QEMU TCG -smp 4 is the reference.
# Then as a disk boot program after SeaBIOS, which wakes the APs once itself first: the MADT
# lists every CPU, SeaBIOS's MP table marks every CPU it lists enabled (x86-smp-seabios).
if x86_kvm_usable; then
    X86_QEMU_ACCEL="-accel tcg" x86_diff_guest smp 33 -bios "$X86_GUESTS/smp.bin" -smp 4
    result $? x86-smp
    if [ -f /usr/share/seabios/bios.bin ]; then
        printf '\xf8\x03' >"$LOGS/sercon-port.bin"
        X86_QEMU_ACCEL="-accel tcg" \
            X86_QEMU_EXTRA="-fw_cfg name=etc/sercon-port,file=$LOGS/sercon-port.bin" \
            x86_diff_guest smp-seabios 33 -smp 4 -snapshot \
            -drive file="$X86_GUESTS/smpdisk.img",format=raw,if=virtio
        result $? x86-smp-seabios
    else
        echo "SKIP x86-smp-seabios: /usr/share/seabios/bios.bin missing (package seabios)"
    fi
else
    echo "SKIP x86-smp: /dev/kvm is missing or not accessible"
fi

# Without a usable /dev/kvm, the hosted kvm accelerator's NMI path runs nested: Debian's
# kernel in QEMU's TCG with AMD-V loads kvm_amd and runs baremu -accel kvm on the nmi guest,
# HMP nmi on its -monitor stdio (tests/scripts/nested-nmi.sh, about a minute; left out with
# X86_NESTED_LINUX=0, as the nested Linux runs).
if ! x86_kvm_usable && [ "${X86_NESTED_LINUX:-1}" != 0 ] &&
    command -v qemu-system-x86_64 >/dev/null; then
    EMU="$EMU" bash tests/scripts/nested-nmi.sh "$LOGS/x86-nested-nmi.console" \
        >"$LOGS/x86-nested-nmi.log" 2>&1
    result $? x86-nested-nmi
fi
