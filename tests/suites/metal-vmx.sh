# metal-vmx.sh - the appliance's vmx accelerator (VT-x with EPT and unrestricted
# guest) under Bochs (cpu model corei7_skylake_x: our CI machines' paravirtual
# KVM offers no nested VT-x), booted from a GRUB CD: the x86 guests of x86.sh
# (real, protected and long mode, port and string I/O, a ROM write as MMIO,
# PIT interrupts through the PIC and the local APIC waking HLT, resets) must
# print what they print under the hosted kvm accelerator and end with the same
# status. Without a usable /dev/kvm only the status and the guests' own checks
# count. Also: -accel auto picks vmx, CPUID leaf 0x15 against the APIC timer,
# a hostile guest, and Debian's Linux with a virtio-blk disk (MVMX_LINUX=0 leaves
# it out).
# Sourced by tests/run-all.sh: uses EMU, LOGS, result.

mvmx_elf=build/metal/baremu.elf
mvmx_guests=build/guests/x86
mvmx_dir=$LOGS/metal-vmx
mkdir -p "$mvmx_dir"

# Console output of the appliance in Bochs without CRs, GRUB's screen, blank
# lines and the emulator's own logs, then "status N" (bochs-run.sh's status).
mvmx_appliance() { # name append module...
    local name=$1 app=$2 st
    shift 2
    bash boot/mkgrub-iso.sh "$mvmx_dir/$name.iso" "$mvmx_elf" "$app" "$@" ||
        return 1
    bash tests/scripts/bochs-run.sh -t "${MVMX_SECS:-60}" -m "${MVMX_MEGS:-256}" "$mvmx_dir/$name" \
        "$mvmx_dir/$name.iso"
    st=$?
    tr -d '\r' <"$mvmx_dir/$name.serial" | sed -n '/Booting `baremu'"'"'/,$p' | sed 1d |
        grep -a -v -E '^$|^baremu: stopped \(exit status'
    echo "status $st"
}

# The same guest on the hosted emulator with kvm: its stdout, then "status N".
# Run in $mvmx_dir, so that file names print as on the appliance.
mvmx_hosted() { # baremu options...
    local emu=$EMU
    [[ $emu = /* ]] || emu=$PWD/$emu
    (cd "$mvmx_dir" && timeout 30 "$emu" -M pc -accel kvm -m 128M "$@" -nographic \
        </dev/null 2>/dev/null | grep -v '^$'
        echo "status ${PIPESTATUS[0]}")
}

# The emulator's memory logs go to the appliance's console, the hosted one's stderr;
# Multiboot module names are "module:NAME" on the appliance.
mvmx_normalize() {
    tr -d '\r' | perl -0pe 's/memory: [^\n]*? (dropped|unmapped 0x[0-9a-f]+)\n//g; s/module:(?! )//g'
}

mvmx_diff() { # name want-status append modules(comma-separated) -- hosted options...
    local name=$1 want=$2 app=$3 r=0 mods
    IFS=, read -r -a mods <<<"$4"
    shift 5
    mvmx_appliance "$name" "$app" "${mods[@]}" | mvmx_normalize >"$LOGS/$name.out"
    grep -qx "status $want" "$LOGS/$name.out" || r=1
    if [ -w /dev/kvm ] && [ -x "$EMU" ]; then
        mvmx_hosted "$@" | mvmx_normalize >"$LOGS/$name.ref"
        diff -u "$LOGS/$name.ref" "$LOGS/$name.out" >"$LOGS/$name.log" || r=1
    else
        echo "no hosted kvm reference: status only" >"$LOGS/$name.log"
        cat "$LOGS/$name.out" >>"$LOGS/$name.log"
    fi
    result $r "$name"
}

if ! command -v bochs >/dev/null || [ ! -f /usr/share/bochs/BIOS-bochs-latest ]; then
    echo "SKIP metal-vmx: needs Debian's bochs, bochsbios and vgabios (scripts/setup-deps.sh)"
elif [ ! -f "$mvmx_elf" ] || ! command -v grub-mkrescue >/dev/null; then
    echo "SKIP metal-vmx: needs build/metal/baremu.elf and grub-mkrescue"
else
    cp "$mvmx_guests"/*.bin /usr/share/seabios/bios.bin "$mvmx_guests/mb.elf32" "$mvmx_dir/"
    # oneshot: a one-shot APIC timer armed inside a run slice interrupts the busy guest on
    # time, not at the slice's end (tests/guests/x86/oneshot.S).
    for g in modes:33 irq:33 reset:33 apic:0 oneshot:33; do
        n=${g%:*}
        mvmx_diff "metal-vmx-$n" "${g#*:}" "-M pc -accel vmx -m 128M -bios module:$n.bin" \
            "$mvmx_dir/$n.bin" -- -bios "$n.bin"
    done
    # Multiboot through SeaBIOS: -kernel ELF32, -append, two modules with arguments (GRUB
    # passes a double-quoted word on as one, quotes restored in the command line).
    printf 'first module line\nsecond\n' >"$mvmx_dir/mb-mod1.txt"
    printf 'another one\n' >"$mvmx_dir/mb-mod2.txt"
    mvmx_diff metal-vmx-multiboot 33 \
        "-M pc -accel vmx -m 128M -bios module:bios.bin -kernel module:mb.elf32 -append \"hello world\" -initrd \"module:mb-mod1.txt arg1 arg2,module:mb-mod2.txt\"" \
        "$mvmx_dir/bios.bin,$mvmx_dir/mb.elf32,$mvmx_dir/mb-mod1.txt,$mvmx_dir/mb-mod2.txt" \
        -- -kernel mb.elf32 -append 'hello world' -initrd "mb-mod1.txt arg1 arg2,mb-mod2.txt"
    # check_timer() as Linux does it (tests/guests/x86/timer.S): IRQ 0's pin in the MADT and in
    # SeaBIOS's MP table agree, and the PIT ticks through it (the MP table said pin 0 before).
    cp "$mvmx_guests/timerdisk.img" "$mvmx_dir/"
    mvmx_diff metal-vmx-timer 33 \
        "-M pc -accel vmx -m 128M -bios module:bios.bin -drive file=module:timerdisk.img,format=raw,if=virtio,snapshot=on" \
        "$mvmx_dir/bios.bin,$mvmx_dir/timerdisk.img" \
        -- -drive file=timerdisk.img,format=raw,if=virtio,snapshot=on
    # No -accel (auto, the default): a CPU with usable VT-x gets vmx and the console says so.
    mvmx_appliance metal-vmx-auto "-M pc -m 128M -bios module:modes.bin" "$mvmx_dir/modes.bin" |
        mvmx_normalize >"$LOGS/metal-vmx-auto.log"
    grep -qx 'status 33' "$LOGS/metal-vmx-auto.log" &&
        grep -q '^baremu: -accel auto: the CPU has VT-x, using vmx$' "$LOGS/metal-vmx-auto.log" &&
        grep -q '^long mode: ok$' "$LOGS/metal-vmx-auto.log"
    result $? metal-vmx-auto
    # CPUID leaf 0x15 (Linux's clock for the local APIC timer on Intel) names the clock the
    # board's APIC timer counts at, and the TSC keeps to its ratio (appliance only: the
    # leaf is the host CPU's under the hosted kvm).
    mvmx_appliance metal-vmx-crystal "-M pc -accel vmx -m 128M -bios module:crystal.bin" \
        "$mvmx_dir/crystal.bin" >"$LOGS/metal-vmx-crystal.log"
    grep -qx 'status 33' "$LOGS/metal-vmx-crystal.log" &&
        grep -q "^crystal: 100 ms of APIC timer at the crystal's rate took as long on the TSC$" \
            "$LOGS/metal-vmx-crystal.log"
    result $? metal-vmx-crystal
    # A guest doing random port I/O, long string I/O and MMIO anywhere, forever: still
    # running when the time is up (status 124), no VM stop, no exception in the appliance.
    MVMX_SECS=25 mvmx_appliance metal-vmx-hostile "-M pc -accel vmx -m 128M -bios module:hostile.bin" \
        "$mvmx_dir/hostile.bin" >"$LOGS/metal-vmx-hostile.log"
    grep -qx 'status 124' "$LOGS/metal-vmx-hostile.log" &&
        grep -q '^HOSTILE x86 guest' "$LOGS/metal-vmx-hostile.log" &&
        grep -q 'unmapped 0x' "$LOGS/metal-vmx-hostile.log" &&
        ! grep -q -E 'CPU exception|vmx: vCPU|accelerator .* failed' "$LOGS/metal-vmx-hostile.log"
    result $? metal-vmx-hostile

    # Debian's kernel with the busybox initramfs of scripts/mk-initramfs.sh (2 to 3
    # minutes of Bochs; MVMX_LINUX=0 leaves it out): the kernel boots to the init script, writes
    # and reads back a sector of the virtio-blk disk, lists /proc/cpuinfo and
    # /proc/interrupts and powers off (ACPI S5), as in metal-svm-linux. The local APIC
    # timer must tick (LOC): Linux on Intel takes its clock from CPUID leaf 0x15. Linux
    # runs tickless on the APIC timer's one-shots here (acpi_pm its clocksource: Bochs
    # costs it ticks and the TSC); a lost one-shot kept it from ever powering off.
    mvmx_linux=build/linux
    if [ "${MVMX_LINUX:-1}" = 0 ]; then
        echo "SKIP metal-vmx-linux: MVMX_LINUX=0"
    elif [ -f "$mvmx_linux/vmlinuz" ] && [ -f "$mvmx_linux/initramfs.cpio.gz" ] &&
        [ -f /usr/share/qemu/linuxboot_dma.bin ]; then
        cp "$mvmx_linux/vmlinuz" "$mvmx_linux/initramfs.cpio.gz" \
            /usr/share/qemu/linuxboot_dma.bin "$mvmx_dir/"
        head -c 1048576 /dev/zero >"$mvmx_dir/disk.img"
        MVMX_SECS=900 MVMX_MEGS=1024 mvmx_appliance metal-vmx-linux \
            "-M pc -accel vmx -m 512M -bios module:bios.bin -kernel module:vmlinuz -initrd module:initramfs.cpio.gz -append \"console=ttyS0\" -drive file=module:disk.img,if=virtio,format=raw,snapshot=on" \
            "$mvmx_dir/bios.bin" "$mvmx_dir/linuxboot_dma.bin" "$mvmx_dir/vmlinuz" \
            "$mvmx_dir/initramfs.cpio.gz" "$mvmx_dir/disk.img" >"$LOGS/metal-vmx-linux.log"
        r=0
        for want in 'Linux version 6' 'tsc: Detected 40\.0' '^BAREMU-LINUX-UP$' \
            'virtio_blk virtio0: \[vda\] 2048 512-byte' '^BAREMU-VDA-OK$' '^vendor_id\s*: ' \
            '^flags\s*:.* hypervisor' '^ *LOC: *[1-9]' '^BAREMU-POWEROFF$' 'reboot: Power down' \
            '^status 0$'; do
            grep -q -a -E "$want" "$LOGS/metal-vmx-linux.log" || { echo "missing: $want"; r=1; }
        done >>"$LOGS/metal-vmx-linux.log"
        # No nesting or XSAVE shown to the guest; no kernel warning (a 0 APIC timer period).
        grep -a -E '^flags\s*:.* (svm|vmx|xsave|avx)( |$)|WARNING: CPU' \
            "$LOGS/metal-vmx-linux.log" && r=1
        result $r metal-vmx-linux
    else
        echo "SKIP metal-vmx-linux: no build/linux (scripts/mk-initramfs.sh) or linuxboot_dma.bin"
    fi
fi

# A CPU without VT-x (QEMU's TCG qemu64): -accel vmx says why, runs nothing, powers off.
if command -v qemu-system-x86_64 >/dev/null && [ -f "$mvmx_elf" ]; then
    timeout 60 qemu-system-x86_64 -accel tcg -cpu qemu64,-vmx -m 512M -display none \
        -serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$mvmx_elf" -initrd "$mvmx_guests/modes.bin" \
        -append "-M pc -accel vmx -m 128M -bios module:modes.bin" </dev/null 2>&1 |
        tr -d '\r' >"$LOGS/metal-vmx-no-vtx.log"
    grep -q "vmx: this CPU has no VT-x" "$LOGS/metal-vmx-no-vtx.log" &&
        ! grep -q 'real mode: ok' "$LOGS/metal-vmx-no-vtx.log" &&
        ! grep -q 'CPU exception' "$LOGS/metal-vmx-no-vtx.log"
    result $? metal-vmx-no-vtx
fi

# -smp 4 and -smp 8 on the appliance's vmx in Bochs (tests/guests/x86/smp.S: INIT, SIPI, SIPI;
# fixed IPIs by physical and logical destination and to all excluding self; an NMI IPI; the
# PIT through the I/O APIC to an AP; INIT and SIPI again), and as a disk boot program after
# SeaBIOS (-smp 4, smpdisk.img: SeaBIOS wakes the APs once itself first). Bochs gives the
# appliance one CPU (bochs-run.sh): the guest's vCPUs run round-robin on it. QEMU TCG with
# as many CPUs is the reference: the same serial output (blank lines and the emulator's
# device logs aside; after SeaBIOS only the guest's lines), status 33.
if command -v bochs >/dev/null && [ -f /usr/share/bochs/BIOS-bochs-latest ] && [ -f "$mvmx_elf" ] &&
    command -v grub-mkrescue >/dev/null && command -v qemu-system-x86_64 >/dev/null &&
    [ -f "$mvmx_guests/smp.bin" ]; then
    cp "$mvmx_guests/smp.bin" "$mvmx_guests/smpdisk.img" /usr/share/seabios/bios.bin "$mvmx_dir/"
    printf '\xf8\x03' >"$mvmx_dir/sercon-port.bin"
    mvmx_smp() { # name append modules(comma-separated) -- QEMU options (run in $mvmx_dir)
        local name=$1 app=$2 mods r=0 keep=.
        IFS=, read -r -a mods <<<"$3"
        [[ $3 != */bios.bin,* ]] || keep='^(smp:|AP |status )'
        shift 4
        mvmx_appliance "$name" "$app" "${mods[@]}" | mvmx_normalize |
            grep -a -v -E '^$|^(fw_cfg|pci|ioapic|apic [0-9]+): ' | grep -a -E "$keep" \
            >"$LOGS/$name.out"
        (cd "$mvmx_dir" && timeout 60 qemu-system-x86_64 -M pc -accel tcg -m 128M -nodefaults \
            -display none "$@" -fw_cfg name=etc/sercon-port,file=sercon-port.bin -serial stdio \
            -device isa-debug-exit,iobase=0xf4,iosize=4 </dev/null 2>/dev/null) >"$LOGS/$name.qemu"
        echo "status $?" >>"$LOGS/$name.qemu"
        mvmx_normalize <"$LOGS/$name.qemu" | grep -a -v '^$' | grep -a -E "$keep" >"$LOGS/$name.ref"
        grep -qx 'status 33' "$LOGS/$name.out" || r=1
        diff -u "$LOGS/$name.ref" "$LOGS/$name.out" >"$LOGS/$name.log" || r=1
        result $r "$name"
    }
    for n in 4 8; do
        mvmx_smp "metal-vmx-smp$([ $n = 4 ] || echo $n)" \
            "-M pc -accel vmx -smp $n -m 128M -bios module:smp.bin" "$mvmx_dir/smp.bin" \
            -- -smp $n -bios smp.bin
    done
    mvmx_smp metal-vmx-smp-seabios "-M pc -accel vmx -smp 4 -m 128M -bios module:bios.bin \
        -drive file=module:smpdisk.img,format=raw,if=virtio,snapshot=on" \
        "$mvmx_dir/bios.bin,$mvmx_dir/smpdisk.img" \
        -- -smp 4 -drive file=smpdisk.img,format=raw,if=virtio,snapshot=on
fi

# NMIs under vmx (tests/guests/x86/nmi.S built with -DSELF_NMI: Bochs gives no way to the
# appliance's monitor, so the guest sends itself the first NMI through the ICR as well): the
# second one is held while the handler runs (virtual-NMI blocking) and comes right after
# its IRET (NMI-window exiting). Same lines as QEMU's TCG prints (x86.sh), status 33.
if command -v bochs >/dev/null && [ -f /usr/share/bochs/BIOS-bochs-latest ] &&
    [ -f build/metal/baremu.elf ] && command -v grub-mkrescue >/dev/null; then
    mkdir -p "$LOGS/metal-vmx"
    gcc -DSELF_NMI -nostdlib -static -Wl,--build-id=none -Wl,-T,tests/guests/x86/link.ld \
        -Wl,--no-warn-rwx-segments tests/guests/x86/nmi.S -o "$LOGS/metal-vmx/nmi-self.elf" &&
        objcopy -O binary -j .text -j .reset --gap-fill=0xff "$LOGS/metal-vmx/nmi-self.elf" \
            "$LOGS/metal-vmx/nmi-self.bin"
    bash boot/mkgrub-iso.sh "$LOGS/metal-vmx/metal-vmx-nmi.iso" build/metal/baremu.elf \
        "-M pc -accel vmx -m 128M -bios module:nmi-self.bin" "$LOGS/metal-vmx/nmi-self.bin" \
        >"$LOGS/metal-vmx-nmi.log" 2>&1 &&
        bash tests/scripts/bochs-run.sh -t 90 -m 256 "$LOGS/metal-vmx/metal-vmx-nmi" \
            "$LOGS/metal-vmx/metal-vmx-nmi.iso" >>"$LOGS/metal-vmx-nmi.log" 2>&1
    echo "status $?" >"$LOGS/metal-vmx-nmi.out"
    tr -d '\r' <"$LOGS/metal-vmx/metal-vmx-nmi.serial" | grep -a '^nmi: ' >>"$LOGS/metal-vmx-nmi.out"
    {
        echo "status 33"
        printf 'nmi: %s\n' "LINT1 is NMI, waiting for an NMI" \
            "handler entered (NMI 1), sending a second NMI to itself" \
            "NMI 2 held while the handler runs" "handler entered (NMI 2)" \
            "NMI 2 came right after the IRET"
    } >"$LOGS/metal-vmx-nmi.want"
    diff -u "$LOGS/metal-vmx-nmi.want" "$LOGS/metal-vmx-nmi.out" >>"$LOGS/metal-vmx-nmi.log"
    result $? metal-vmx-nmi
fi

# The monitor's NMI under vmx: Bochs's e1000 on its slirp network (hostfwd to the appliance's
# QMP port) carries inject-nmi to the nmi guest (tests/guests/x86/nmi.S, as metal-svm-nmi-qmp
# and x86-nmi-qmp-qemu; MVMX_NMI_HMP=1 adds HMP nmi through human-monitor-command: about
# a minute of Bochs each). MVMX_LINUX_NMI=1 adds Debian's Linux, which gets inject-nmi once
# its init runs and reports the unknown NMI (about 5 minutes of Bochs).
if command -v bochs >/dev/null && [ -f /usr/share/bochs/BIOS-bochs-latest ] &&
    [ -f build/metal/baremu.elf ] && command -v grub-mkrescue >/dev/null; then
    mvmx_nmi_dir=$(mkdir -p "$LOGS/metal-vmx" && cd "$LOGS/metal-vmx" && pwd)
    # Boot the appliance from ISO $2 in Bochs with $3 MiB (bochs-run.sh's machine plus the
    # e1000), send the NMI once COM1 shows /$4/ and the appliance's address, stop when it
    # stops; $LOGS/$1.out gets the reply, "exit until" and COM1. Options $5... to nmi-test.py.
    mvmx_nmi_bochs() { # name iso megs wait-regex nmi-test-options...
        local name=$1 iso=$2 megs=$3 wait=$4 port
        shift 4
        port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        printf '# slirp config\nhostfwd = tcp:127.0.0.1:%s-:4444\n' "$port" >"$mvmx_nmi_dir/$name.slirp"
        bash tests/scripts/bochs-run.sh -w -m "$megs" -n "$mvmx_nmi_dir/$name.slirp" \
            "$mvmx_nmi_dir/$name" "$iso"
        rm -f "$mvmx_nmi_dir/$name.serial"
        python3 tests/scripts/nmi-test.py --log "$LOGS/$name.bochs" \
            --serial "$mvmx_nmi_dir/$name.serial" --qmp "tcp:$port" --secret nmi-secret-0451 \
            --wait "$wait" --ready 'baremu: net0 .*\(dhcp\)' \
            --until 'baremu: stopped \(exit status' "$@" -- nice bochs -q \
            -f "$mvmx_nmi_dir/$name.bochsrc" -rc "$mvmx_nmi_dir/$name.dbg" >"$LOGS/$name.out" 2>&1
        tr -d '\r' <"$mvmx_nmi_dir/$name.serial" >"$LOGS/$name.serial"
    }
    mvmx_nmi_qmp="-object secret,id=qs,data=nmi-secret-0451 -qmp tcp::4444,server=on,wait=off,secret=qs"
    cp build/guests/x86/nmi.bin "$mvmx_nmi_dir/nmi.bin"
    bash boot/mkgrub-iso.sh "$mvmx_nmi_dir/nmi-qmp.iso" build/metal/baremu.elf \
        "-M pc -accel vmx -m 128M -bios module:nmi.bin $mvmx_nmi_qmp" \
        "$mvmx_nmi_dir/nmi.bin" >"$LOGS/metal-vmx-nmi-iso.log" 2>&1
    for v in qmp $([ "${MVMX_NMI_HMP:-0}" = 0 ] || echo hmp); do
        name=metal-vmx-nmi-$v
        hmp_opt=()
        [ $v = qmp ] || hmp_opt=(--hmp)
        mvmx_nmi_bochs "$name" "$mvmx_nmi_dir/nmi-qmp.iso" 256 'waiting for an NMI' \
            --timeout 240 "${hmp_opt[@]}"
        grep -a -E '^nmi: |^baremu: stopped \(exit status' "$LOGS/$name.serial" >>"$LOGS/$name.out"
        {
            [ $v = hmp ] && echo '{"return": ""}' || echo '{"return": {}}'
            echo "exit until"
            printf 'nmi: %s\n' "LINT1 is NMI, waiting for an NMI" \
                "handler entered (NMI 1), sending a second NMI to itself" \
                "NMI 2 held while the handler runs" "handler entered (NMI 2)" \
                "NMI 2 came right after the IRET"
            echo "baremu: stopped (exit status 33); the PC can be switched off"
        } >"$LOGS/$name.want"
        diff -u "$LOGS/$name.want" "$LOGS/$name.out" >"$LOGS/$name.log"
        result $? "$name"
    done
    if [ "${MVMX_LINUX_NMI:-0}" != 0 ] && [ -f build/linux/vmlinuz ] &&
        [ -f build/linux/initramfs.cpio.gz ] && [ -f /usr/share/qemu/linuxboot_dma.bin ]; then
        cp build/linux/vmlinuz build/linux/initramfs.cpio.gz /usr/share/qemu/linuxboot_dma.bin \
            /usr/share/seabios/bios.bin "$mvmx_nmi_dir/"
        bash boot/mkgrub-iso.sh "$mvmx_nmi_dir/nmi-linux.iso" build/metal/baremu.elf \
            "-M pc -accel vmx -m 512M -bios module:bios.bin -kernel module:vmlinuz -initrd module:initramfs.cpio.gz -append \"console=ttyS0\" $mvmx_nmi_qmp" \
            "$mvmx_nmi_dir/bios.bin" "$mvmx_nmi_dir/linuxboot_dma.bin" "$mvmx_nmi_dir/vmlinuz" \
            "$mvmx_nmi_dir/initramfs.cpio.gz" >>"$LOGS/metal-vmx-nmi-iso.log" 2>&1
        mvmx_nmi_bochs metal-vmx-linux-nmi "$mvmx_nmi_dir/nmi-linux.iso" 1024 '^BAREMU-LINUX-UP' \
            --timeout 900
        # The reason (port 0x61) is left out: its timer-2 gate bit is what Linux last set.
        sed 's/^\[ *[0-9.]*\] //' "$LOGS/metal-vmx-linux-nmi.serial" |
            grep -a -E '^(Uhhuh\. NMI received|Dazed and confused|BAREMU-POWEROFF$|baremu: stopped)' |
            sed 's/reason [0-9a-f]* on/reason .. on/' >>"$LOGS/metal-vmx-linux-nmi.out"
        printf '%s\n' '{"return": {}}' 'exit until' \
            'Uhhuh. NMI received for unknown reason .. on CPU 0.' \
            'Dazed and confused, but trying to continue' BAREMU-POWEROFF \
            'baremu: stopped (exit status 0); the PC can be switched off' \
            >"$LOGS/metal-vmx-linux-nmi.want"
        diff -u "$LOGS/metal-vmx-linux-nmi.want" "$LOGS/metal-vmx-linux-nmi.out" \
            >"$LOGS/metal-vmx-linux-nmi.log"
        result $? metal-vmx-linux-nmi
    fi
fi
