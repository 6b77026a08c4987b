# metal-svm.sh - the appliance's svm accelerator (AMD-V with nested paging), in
# QEMU's TCG with -cpu qemu64,+svm,+npt: the x86 guests of x86.sh must print what
# they print under the hosted kvm accelerator and end with the same status (a
# differential; without a usable /dev/kvm only the status and the guests' own
# checks count). Sourced by tests/run-all.sh: uses EMU, LOGS, result, console.

msvm_elf=build/metal/baremu.elf
msvm_guests=build/guests/x86
msvm_dir=$LOGS/metal-svm
mkdir -p "$msvm_dir"
msvm_cpu="-accel tcg -cpu qemu64,+svm,+npt -m 2G"
cp /usr/share/seabios/bios.bin "$msvm_dir/bios.bin" 2>/dev/null
cp "$msvm_guests"/*.bin "$msvm_guests/mb.elf32" "$msvm_guests/linux.bzimage" \
    "$msvm_guests/bootdisk.img" "$msvm_guests/timerdisk.img" "$msvm_dir/"
cp /usr/share/qemu/linuxboot_dma.bin "$msvm_dir/" 2>/dev/null
head -c 3000 /dev/zero | tr '\0' 'i' >"$msvm_dir/linux-initrd.img"
# The MMIO guest is built here (tests/guests/x86/Makefile is not ours to change).
gcc -nostdlib -static -Wl,--build-id=none -Wl,-T,tests/guests/x86/link.ld \
    -Wl,--no-warn-rwx-segments tests/guests/x86/mmio.S -o "$msvm_dir/mmio.elf" &&
    objcopy -O binary -j .text -j .reset --gap-fill=0xff "$msvm_dir/mmio.elf" "$msvm_dir/mmio.bin"
printf 'first module line\nsecond\n' >"$msvm_dir/mb-mod1.txt"
printf 'another one\n' >"$msvm_dir/mb-mod2.txt"

# Guest $1 on the appliance: modules $2 (in $msvm_dir), baremu's options $3.
# Prints the console output without CRs and without the emulator's own logs
# (they share the one console), then "status N" with the guest's status.
msvm_appliance() { # name modules append
    (cd "$msvm_dir" && timeout 120 qemu-system-x86_64 $msvm_cpu -display none -serial stdio \
        -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$OLDPWD/$msvm_elf" \
        -initrd "$2" -append "$3" </dev/null 2>&1)
    local st=$?
    echo "status $(((st - 1) / 2))"
}

# The same guest on the hosted emulator with kvm: its stdout, then "status N".
msvm_hosted() { # baremu options...
    (cd "$msvm_dir" && timeout 30 "$OLDPWD/$EMU" -M pc -accel kvm -m 128M "$@" -nographic \
        </dev/null 2>/dev/null)
    echo "status $?"
}

msvm_normalize() {
    tr -d '\r' | perl -0pe 's/memory: [^\n]*? (dropped|unmapped 0x[0-9a-f]+)\n//g;
        s/^(fw_cfg|pci|ioapic|apic \d+): [^\n]*\n//mg; s/module:(?! )//g'
}

msvm_diff() { # name modules append -- hosted options...
    local name=$1 mods=$2 app=$3
    shift 4
    msvm_appliance "$name" "$mods" "$app" | msvm_normalize >"$LOGS/$name.out"
    local r=0
    grep -qx 'status 33' "$LOGS/$name.out" || r=1
    if [ -w /dev/kvm ] && [ -x "$EMU" ]; then
        msvm_hosted "$@" | msvm_normalize >"$LOGS/$name.ref"
        diff -u "$LOGS/$name.ref" "$LOGS/$name.out" >"$LOGS/$name.log" || r=1
    else
        echo "no hosted kvm reference: status only" >"$LOGS/$name.log"
        cat "$LOGS/$name.out" >>"$LOGS/$name.log"
    fi
    result $r "$name"
}

if ! command -v qemu-system-x86_64 >/dev/null || [ ! -f "$msvm_elf" ]; then
    echo "SKIP metal-svm: needs qemu-system-x86_64 and build/metal/baremu.elf"
else
    for g in modes irq reset mmio; do
        msvm_diff "metal-svm-$g" "$g.bin" "-M pc -accel svm -m 128M -bios module:$g.bin" \
            -- -bios "$g.bin"
    done
    # A one-shot APIC timer armed while the guest runs (an MMIO exit svm handles without
    # leaving its run loop) interrupts the busy guest on time, not at the slice's end
    # (tests/guests/x86/oneshot.S: about 100 a second came before, for 500 due).
    msvm_diff metal-svm-oneshot oneshot.bin "-M pc -accel svm -m 128M -bios module:oneshot.bin" \
        -- -bios oneshot.bin
    # Multiboot through SeaBIOS: -kernel ELF32, -append, two modules with arguments.
    msvm_diff metal-svm-multiboot "bios.bin,mb.elf32,mb-mod1.txt,mb-mod2.txt" \
        "-M pc -accel svm -m 128M -bios module:bios.bin -kernel module:mb.elf32 -append 'hello world' -initrd 'module:mb-mod1.txt arg1 arg2,module:mb-mod2.txt'" \
        -- -kernel mb.elf32 -append 'hello world' -initrd "mb-mod1.txt arg1 arg2,mb-mod2.txt"

    # Linux boot protocol through SeaBIOS and linuxboot_dma.bin: a stand-in bzImage reports
    # the header fields. SeaBIOS boots a boot sector from a virtio-blk PCI disk.
    msvm_diff metal-svm-linux-boot-protocol "bios.bin,linuxboot_dma.bin,linux.bzimage,linux-initrd.img" \
        "-M pc -accel svm -m 128M -kernel module:linux.bzimage -append 'console=ttyS0 quiet' -initrd module:linux-initrd.img" \
        -- -kernel linux.bzimage -append 'console=ttyS0 quiet' -initrd linux-initrd.img
    msvm_diff metal-svm-virtio-blk-boot "bios.bin,bootdisk.img" \
        "-M pc -accel svm -m 128M -drive file=module:bootdisk.img,format=raw,if=virtio,snapshot=on" \
        -- -drive file=bootdisk.img,format=raw,if=virtio,snapshot=on
    # check_timer() as Linux does it (tests/guests/x86/timer.S): IRQ 0's pin in the MADT and in
    # SeaBIOS's MP table agree, and the PIT ticks through it (the MP table said pin 0 before).
    msvm_diff metal-svm-timer "bios.bin,timerdisk.img" \
        "-M pc -accel svm -m 128M -drive file=module:timerdisk.img,format=raw,if=virtio,snapshot=on" \
        -- -drive file=timerdisk.img,format=raw,if=virtio,snapshot=on
    # SeaBIOS alone runs to "No bootable device." (its serial console); Ctrl-A x quits.
    (cd "$msvm_dir" && python3 "$OLDPWD/tests/scripts/console.py" --timeout 120 \
        --log "$OLDPWD/$LOGS/metal-svm-seabios.log" "$OLDPWD/tests/boot/seabios-nodisk.steps" -- \
        qemu-system-x86_64 $msvm_cpu -nographic -no-reboot -kernel "$OLDPWD/$msvm_elf" \
        -initrd bios.bin -append "-M pc -accel svm -m 128M" >/dev/null 2>&1)
    result $? metal-svm-seabios

    # -accel auto finds AMD-V, says so and runs the guest with it.
    msvm_appliance metal-svm-auto modes.bin "-M pc -m 128M -bios module:modes.bin" |
        tr -d '\r' >"$LOGS/metal-svm-auto.log"
    grep -q '^baremu: -accel auto: the CPU has AMD-V, using svm$' "$LOGS/metal-svm-auto.log" &&
        grep -q '^64-bit registers and paging: ok$' "$LOGS/metal-svm-auto.log" &&
        grep -qx 'status 33' "$LOGS/metal-svm-auto.log"
    result $? metal-svm-auto

    # A CPU without AMD-V: -accel svm says why and the PC powers off.
    (cd "$msvm_dir" && timeout 60 qemu-system-x86_64 -accel tcg -cpu qemu64,-svm -m 512M \
        -display none -serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$OLDPWD/$msvm_elf" -initrd modes.bin \
        -append "-M pc -accel svm -m 128M -bios module:modes.bin" </dev/null 2>&1) |
        tr -d '\r' >"$LOGS/metal-svm-no-amdv.log"
    grep -q "svm: this CPU has no AMD-V" "$LOGS/metal-svm-no-amdv.log" &&
        ! grep -q 'real mode: ok' "$LOGS/metal-svm-no-amdv.log" &&
        ! grep -q 'CPU exception' "$LOGS/metal-svm-no-amdv.log"
    result $? metal-svm-no-amdv

    # A guest doing random port I/O, string I/O and MMIO forever: Ctrl-A x still quits.
    (cd "$msvm_dir" && python3 "$OLDPWD/tests/scripts/console.py" --timeout 120 --log "$OLDPWD/$LOGS/metal-svm-hostile.log" \
        "$OLDPWD/tests/boot/ctrl-a-x.steps" -- qemu-system-x86_64 $msvm_cpu -nographic -no-reboot \
        -kernel "$OLDPWD/$msvm_elf" -initrd hostile.bin \
        -append "-M pc -accel svm -m 128M -bios module:hostile.bin" >/dev/null 2>&1)
    r=$?
    grep -q 'CPU exception' "$LOGS/metal-svm-hostile.log" && r=1
    result $r metal-svm-hostile

    # Debian's kernel with a busybox initramfs (scripts/mk-initramfs.sh): the init script
    # writes and reads back /dev/vda (virtio-blk, a snapshot: the module stays read-only),
    # prints /proc/cpuinfo and powers off by ACPI, which ends the run. Linux finds PCI, its
    # windows and INTx routing through the DSDT's \_SB.PCI0 (no pci=noacpi: with it Linux
    # probes the bus but still reserves PCI0's windows, and the legacy virtio's I/O BAR
    # finds no room, as on QEMU).
    msvm_linux=build/linux
    if [ ! -f "$msvm_linux/vmlinuz" ] || [ ! -f "$msvm_linux/initramfs.cpio.gz" ] ||
        [ scripts/mk-initramfs.sh -nt "$msvm_linux/initramfs.cpio.gz" ]; then
        bash scripts/mk-initramfs.sh "$msvm_linux" >"$LOGS/metal-svm-linux-setup.log" 2>&1
    fi
    if [ -f "$msvm_linux/vmlinuz" ] && [ -f /usr/share/qemu/linuxboot_dma.bin ]; then
        cp "$msvm_linux/vmlinuz" "$msvm_linux/initramfs.cpio.gz" /usr/share/qemu/linuxboot_dma.bin \
            "$msvm_dir/"
        head -c 1048576 /dev/zero >"$msvm_dir/disk.img"
        msvm_appliance metal-svm-linux \
            "bios.bin,linuxboot_dma.bin,vmlinuz,initramfs.cpio.gz,disk.img" \
            "-M pc -accel svm -m 512M -kernel module:vmlinuz -initrd module:initramfs.cpio.gz -append 'console=ttyS0' -drive file=module:disk.img,if=virtio,format=raw,snapshot=on" |
            tr -d '\r' >"$LOGS/metal-svm-linux.log"
        r=0
        for want in '^BAREMU-LINUX-UP$' 'virtio_blk virtio0: \[vda\] 2048 512-byte' '^BAREMU-VDA-OK$' \
            '^vendor_id\s*: ' '^flags\s*:.* hypervisor' '^BAREMU-POWEROFF$' 'reboot: Power down' \
            '^status 0$'; do
            grep -q -a -E "$want" "$LOGS/metal-svm-linux.log" || { echo "missing: $want"; r=1; }
        done >>"$LOGS/metal-svm-linux.log"
        # The guest must not see virtualisation extensions (no nesting) or XSAVE.
        grep -a -E '^flags\s*:.* (svm|vmx|xsave|avx)( |$)' "$LOGS/metal-svm-linux.log" && r=1
        result $r metal-svm-linux

        # virtio-rng under Linux's virtio_rng driver: the hw_random core must pick it and two
        # 16-byte reads of /dev/hwrng must differ, on virtio-mmio (-M microvm) and on the
        # modern virtio PCI transport (-M pc), as on QEMU (same init script, same shape; the
        # bytes are random). This CPU model has no RDRAND, so the appliance's TSC-jitter
        # source serves, and it says so on the console.
        msvm_rng_check() { # log
            local r=0 a b
            grep -q -a -x 'BAREMU-RNG-CURRENT: virtio_rng.0' "$1" || r=1
            a=$(sed -n 's/^BAREMU-RNG-1: \([0-9a-f]\{32\}\)$/\1/p' "$1")
            b=$(sed -n 's/^BAREMU-RNG-2: \([0-9a-f]\{32\}\)$/\1/p' "$1")
            [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] || r=1
            [ "$a" != 00000000000000000000000000000000 ] || r=1
            grep -q -a -x 'BAREMU-POWEROFF' "$1" || r=1
            echo "rng check of $1: $r" >>"$LOGS/metal-svm-linux-rng.log"
            return $r
        }
        : >"$LOGS/metal-svm-linux-rng.log"
        msvm_appliance metal-svm-linux-rng \
            "bios.bin,linuxboot_dma.bin,vmlinuz,initramfs.cpio.gz" \
            "-M microvm -accel svm -m 512M -kernel module:vmlinuz -initrd module:initramfs.cpio.gz -append 'console=ttyS0' -device virtio-rng-device" |
            tr -d '\r' >"$LOGS/metal-svm-linux-rng-mmio.log" &
        msvm_appliance metal-svm-linux-rng \
            "bios.bin,linuxboot_dma.bin,vmlinuz,initramfs.cpio.gz" \
            "-M pc -accel svm -m 512M -kernel module:vmlinuz -initrd module:initramfs.cpio.gz -append 'console=ttyS0' -device virtio-rng-pci,disable-legacy=on" |
            tr -d '\r' >"$LOGS/metal-svm-linux-rng-pci.log"
        wait
        timeout 120 qemu-system-x86_64 -accel tcg -m 512M -nographic -no-reboot \
            -kernel "$msvm_linux/vmlinuz" -initrd "$msvm_linux/initramfs.cpio.gz" \
            -append 'console=ttyS0' -device virtio-rng-pci </dev/null 2>&1 |
            tr -d '\r' >"$LOGS/metal-svm-linux-rng-qemu.log"
        r=0
        msvm_rng_check "$LOGS/metal-svm-linux-rng-mmio.log" || r=1
        msvm_rng_check "$LOGS/metal-svm-linux-rng-pci.log" || r=1
        msvm_rng_check "$LOGS/metal-svm-linux-rng-qemu.log" || r=1
        grep -q -a 'virtio-rng gets TSC jitter' "$LOGS/metal-svm-linux-rng-mmio.log" || r=1
        result $r metal-svm-linux-rng
    else
        echo "SKIP metal-svm-linux: no build/linux (scripts/mk-initramfs.sh) or linuxboot_dma.bin"
    fi
fi

# -smp 4 and -smp 8 on the appliance's svm (tests/guests/x86/smp.S: INIT, SIPI, SIPI; fixed
# IPIs by physical and logical destination and to all excluding self; an NMI IPI; the PIT
# through the I/O APIC to an AP; INIT and SIPI again), the vCPUs round-robin on the
# appliance's one CPU; and as a disk boot program after SeaBIOS (-smp 4, smpdisk.img), which
# wakes the APs once itself and builds its MP table from what answered, the MADT ours.
# QEMU TCG with as many CPUs is the reference: the same serial output (after SeaBIOS only
# the guest's lines: the appliance's logs share its console), status 33.
if command -v qemu-system-x86_64 >/dev/null && [ -f "$msvm_elf" ] && [ -f "$msvm_guests/smp.bin" ]
then
    cp "$msvm_guests/smp.bin" "$msvm_guests/smpdisk.img" "$msvm_dir/"
    cp /usr/share/seabios/bios.bin "$msvm_dir/bios.bin" 2>/dev/null
    printf '\xf8\x03' >"$msvm_dir/sercon-port.bin"
    msvm_smp() { # name modules append -- QEMU options (run in $msvm_dir)
        local name=$1 mods=$2 app=$3 r=0 keep=.
        shift 4
        [[ $mods != bios.bin,* ]] || keep='^(smp:|AP |status )'
        msvm_appliance "$name" "$mods" "$app" | msvm_normalize | grep -a -E "$keep" \
            >"$LOGS/$name.out"
        (cd "$msvm_dir" && timeout 60 qemu-system-x86_64 -M pc -accel tcg -m 128M -nodefaults \
            -display none "$@" -fw_cfg name=etc/sercon-port,file=sercon-port.bin -serial stdio \
            -device isa-debug-exit,iobase=0xf4,iosize=4 </dev/null 2>/dev/null) >"$LOGS/$name.qemu"
        echo "status $?" >>"$LOGS/$name.qemu"
        msvm_normalize <"$LOGS/$name.qemu" | grep -a -E "$keep" >"$LOGS/$name.ref"
        grep -qx 'status 33' "$LOGS/$name.out" || r=1
        diff -u "$LOGS/$name.ref" "$LOGS/$name.out" >"$LOGS/$name.log" || r=1
        result $r "$name"
    }
    for n in 4 8; do
        msvm_smp "metal-svm-smp$([ $n = 4 ] || echo $n)" smp.bin \
            "-M pc -accel svm -smp $n -m 128M -bios module:smp.bin" -- -smp $n -bios smp.bin
    done
    msvm_smp_disk=smpdisk.img,format=raw,if=virtio,snapshot=on
    msvm_smp metal-svm-smp-seabios bios.bin,smpdisk.img \
        "-M pc -accel svm -smp 4 -m 128M -drive file=module:$msvm_smp_disk" \
        -- -smp 4 -drive "file=$msvm_smp_disk"
fi

# NMIs from the appliance's monitor (QMP over its network, with a secret) to the nmi guest
# (tests/guests/x86/nmi.S) under svm: inject-nmi, and HMP nmi through human-monitor-command.
# NMIs are held while the guest's handler runs (the IRET intercept) and the second one
# comes right after its IRET (a single step over it); QEMU's TCG answers the same (x86.sh).
if command -v qemu-system-x86_64 >/dev/null && [ -f build/metal/baremu.elf ]; then
    mkdir -p "$LOGS/metal-svm"
    cp build/guests/x86/nmi.bin "$LOGS/metal-svm/nmi.bin"
    msvm_nmi_logs=$(cd "$LOGS" && pwd)
    for v in qmp hmp; do
        name=metal-svm-nmi-$v
        hmp_opt=()
        [ $v = qmp ] || hmp_opt=(--hmp)
        port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        (cd "$LOGS/metal-svm" && python3 "$OLDPWD/tests/scripts/nmi-test.py" \
            --log "$msvm_nmi_logs/$name.console" --qmp "tcp:$port" --secret nmi-secret-0451 \
            "${hmp_opt[@]}" --timeout 240 --ready 'baremu: net0 .*\(dhcp\)' -- \
            qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -m 2G -display none \
            -serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -nic none \
            -netdev "user,id=n,hostfwd=tcp:127.0.0.1:$port-:4444" -device e1000,netdev=n \
            -kernel "$OLDPWD/build/metal/baremu.elf" -initrd nmi.bin \
            -append "-M pc -accel svm -m 128M -bios module:nmi.bin -object secret,id=qs,data=nmi-secret-0451 -qmp tcp::4444,server=on,wait=off,secret=qs") \
            >"$LOGS/$name.out" 2>&1
        r=$?
        tr -d '\r' <"$LOGS/$name.console" | grep '^nmi: ' >>"$LOGS/$name.out"
        {
            [ $v = hmp ] && echo '{"return": ""}' || echo '{"return": {}}'
            # QEMU's status for the guest's isa-debug-exit 0x10: (0x10 << 1 | 1) << 1 | 1.
            echo "exit 67"
            printf 'nmi: %s\n' "LINT1 is NMI, waiting for an NMI" \
                "handler entered (NMI 1), sending a second NMI to itself" \
                "NMI 2 held while the handler runs" "handler entered (NMI 2)" \
                "NMI 2 came right after the IRET"
        } >"$LOGS/$name.want"
        diff -u "$LOGS/$name.want" "$LOGS/$name.out" >"$LOGS/$name.log" || r=1
        result $r "$name"
    done
fi

# MSI-X on the virtio PCI functions under Debian's Linux, -smp 2 on the appliance's svm, with
# QEMU TCG (-M pc, the same devices) as the reference: a modern virtio-blk (vda, the disk test),
# a legacy one with vectors=0 (vdb: INTx, Linux's fallback) and a legacy virtio-rng. Linux must
# give virtio0 and virtio2 MSI-X vectors (config, and req.0/input counting), virtio1 an I/O APIC
# line; each vector's interrupts must come to the CPU its effective affinity names (the MSI
# address's destination); the lines (chip, hwirq, name) must be QEMU's; and, with pciutils on
# the host, lspci -vv of the three functions (from the guest's config space dump; BAR
# addresses aside) must read as QEMU's (QEMU's num-queues=1: our virtio-blk has one queue;
# disable-modern=on for the legacy ones, where QEMU's default is transitional).
msvm_linux=build/linux
if command -v qemu-system-x86_64 >/dev/null && [ -f "$msvm_elf" ]; then
    if [ ! -f "$msvm_linux/vmlinuz" ] || [ ! -f "$msvm_linux/initramfs.cpio.gz" ] ||
        [ scripts/mk-initramfs.sh -nt "$msvm_linux/initramfs.cpio.gz" ]; then
        bash scripts/mk-initramfs.sh "$msvm_linux" >"$LOGS/metal-svm-linux-msix-setup.log" 2>&1
    fi
fi
if command -v qemu-system-x86_64 >/dev/null && [ -f "$msvm_elf" ] &&
    [ -f "$msvm_linux/vmlinuz" ] && [ -f /usr/share/qemu/linuxboot_dma.bin ]; then
    msx_dir=$LOGS/metal-svm-msix
    mkdir -p "$msx_dir"
    cp /usr/share/seabios/bios.bin /usr/share/qemu/linuxboot_dma.bin "$msvm_linux/vmlinuz" \
        "$msvm_linux/initramfs.cpio.gz" "$msx_dir/"
    head -c 1048576 /dev/zero >"$msx_dir/disk.img"
    head -c 1048576 /dev/zero >"$msx_dir/disk2.img"
    msx_devs="-drive file=DIR/disk.img,if=none,id=d0,format=raw,snapshot=on
        -device virtio-blk-pci,drive=d0,disable-legacy=on
        -drive file=DIR/disk2.img,if=none,id=d1,format=raw,snapshot=on
        -device virtio-blk-pci,drive=d1,vectors=0 -device virtio-rng-pci"
    msx_args="-M pc -accel svm -smp 2 -m 512M -kernel module:vmlinuz"
    msx_args="$msx_args -initrd module:initramfs.cpio.gz -append 'console=ttyS0'"
    msx_args="$msx_args $(echo $msx_devs | sed 's,DIR/,module:,g')"
    msx_appliance() { # the appliance's console, then "status N" with baremu's status
        (cd "$msx_dir" && timeout 300 qemu-system-x86_64 $msvm_cpu -display none -serial stdio \
            -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
            -kernel "$OLDPWD/$msvm_elf" \
            -initrd bios.bin,linuxboot_dma.bin,vmlinuz,initramfs.cpio.gz,disk.img,disk2.img \
            -append "$msx_args" </dev/null 2>&1)
        local st=$?
        echo "status $(((st - 1) / 2))"
    }
    msx_appliance | tr -d '\r' >"$LOGS/metal-svm-linux-msix.out" &
    (cd "$msx_dir" && timeout 300 qemu-system-x86_64 -M pc -accel tcg -smp 2 -m 512M \
        -nodefaults -display none -serial stdio -no-reboot -kernel vmlinuz \
        -initrd initramfs.cpio.gz -append console=ttyS0 \
        $(echo $msx_devs | sed 's,DIR/,,g; s/disable-legacy=on/&,num-queues=1/;
            s/vectors=0/&,disable-modern=on/; s/virtio-rng-pci/&,disable-modern=on/') \
        </dev/null 2>&1) | tr -d '\r' >"$LOGS/metal-svm-linux-msix.qemu"
    wait
    # The virtio lines of /proc/interrupts as "chip hwirq name" (counts checked, then dropped).
    msx_check() { # log -> shape on stdout, problems on stderr, status
        awk '
            /^ +CPU0/ { ncpu = NF; inside = 1; next }
            inside && /^NMI:/ { inside = 0 }
            /^BAREMU-IRQ-AFFINITY / { sub(":", "", $2); aff[$2] = $3 }
            inside && /virtio/ {
                irq = $1; sub(":", "", irq); sum = 0
                for (c = 0; c < ncpu; c++) { cnt[irq, c] = $(2 + c); sum += $(2 + c) }
                chip = $(2 + ncpu); hw = $(3 + ncpu); name = $(4 + ncpu)
                print chip, hw, name
                line[irq] = name; msi[irq] = (chip == "PCI-MSI"); total[name] = sum
            }
            END {
                bad = 0
                for (n in total) seen[n] = 1
                split("virtio0-config virtio0-req.0 virtio2-config virtio2-input", want, " ")
                for (i in want)
                    if (!(want[i] in seen)) { print "missing " want[i] > "/dev/stderr"; bad = 1 }
                if (!total["virtio0-req.0"] || !total["virtio2-input"] || !total["virtio1"]) {
                    print "no interrupts counted on req.0, input or the INTx line" > "/dev/stderr"
                    bad = 1
                }
                for (irq in line) {
                    if (!msi[irq]) continue
                    # The effective affinity (a CPU list like "1" or "0-1") must hold every count.
                    n = split(aff[irq], parts, ",")
                    delete ok
                    for (p = 1; p <= n; p++) {
                        m = split(parts[p], r, "-"); lo = r[1]; hi = m > 1 ? r[2] : r[1]
                        for (c = lo; c <= hi; c++) ok[c] = 1
                    }
                    for (c = 0; c < ncpu; c++)
                        if (cnt[irq, c] > 0 && !(c in ok)) {
                            print "IRQ " irq " (" line[irq] "): " cnt[irq, c] " on CPU" c \
                                ", affinity " aff[irq] > "/dev/stderr"
                            bad = 1
                        }
                }
                exit bad
            }' "$1"
    }
    r=0
    for f in out qemu; do
        log=$LOGS/metal-svm-linux-msix.$f
        msx_check "$log" >"$log.shape" 2>>"$LOGS/metal-svm-linux-msix.log" || r=1
        for want in '^BAREMU-VDA-OK$' '^BAREMU-RNG-1: ' '^BAREMU-POWEROFF$' 'reboot: Power down' \
            'virtio_blk virtio1: \[vdb\] 2048 512-byte'; do
            grep -q -a -E "$want" "$log" || { echo "$f: missing $want"; r=1; }
        done >>"$LOGS/metal-svm-linux-msix.log"
    done
    grep -q -a -x 'status 0' "$LOGS/metal-svm-linux-msix.out" || r=1
    # The I/O APIC pin SeaBIOS routes INTx to may differ in name only by the pin: compare as is.
    diff -u "$LOGS/metal-svm-linux-msix.qemu.shape" "$LOGS/metal-svm-linux-msix.out.shape" \
        >>"$LOGS/metal-svm-linux-msix.log" || r=1
    if command -v lspci >/dev/null; then
        for f in out qemu; do
            log=$LOGS/metal-svm-linux-msix.$f
            # lspci -F wants some text after a function's address.
            sed -n 's/^BAREMU-PCI //p' "$log" |
                sed -E 's/^([0-9a-f]{2}:[0-9a-f]{2}\.[0-7])$/\1 x/' >"$log.pci"
            for fn in 00:02.0 00:03.0 00:04.0; do
                lspci -F "$log.pci" -vv -s $fn 2>/dev/null
            done | sed -E 's/ at [0-9a-f]+( |$)/ at X\1/' >"$log.lspci"
        done
        grep -q 'Capabilities: \[98\] MSI-X: Enable+ Count=2 Masked-' \
            "$LOGS/metal-svm-linux-msix.out.lspci" &&
            grep -q 'Capabilities: \[40\] MSI-X: Enable+ Count=2 Masked-' \
                "$LOGS/metal-svm-linux-msix.out.lspci" || r=1
        diff -u "$LOGS/metal-svm-linux-msix.qemu.lspci" "$LOGS/metal-svm-linux-msix.out.lspci" \
            >>"$LOGS/metal-svm-linux-msix.log" || r=1
    fi
    result $r metal-svm-linux-msix
else
    echo "SKIP metal-svm-linux-msix: needs qemu-system-x86_64, the appliance and build/linux"
fi

# Debian's Linux under svm gets the monitor's NMI: inject-nmi over the appliance's network
# QMP once the init script runs, and the kernel reports it as an unknown NMI (its LINT1
# set up as NMI on the boot CPU, as QEMU delivers it) and goes on to power off. QEMU's TCG
# with the same kernel, same command, is the reference (run first: one at a time, a loaded
# host can make Linux's check_timer() fail under the nested guest): the same lines.
msvm_nmi_linux=build/linux
if command -v qemu-system-x86_64 >/dev/null && [ -f build/metal/baremu.elf ] &&
    [ -f "$msvm_nmi_linux/vmlinuz" ] && [ -f "$msvm_nmi_linux/initramfs.cpio.gz" ] &&
    [ -f /usr/share/qemu/linuxboot_dma.bin ] && [ -f /usr/share/seabios/bios.bin ]; then
    mkdir -p "$LOGS/metal-svm-nmi-linux"
    cp "$msvm_nmi_linux/vmlinuz" "$msvm_nmi_linux/initramfs.cpio.gz" \
        /usr/share/qemu/linuxboot_dma.bin /usr/share/seabios/bios.bin "$LOGS/metal-svm-nmi-linux/"
    msvm_nmi_logs=$(cd "$LOGS" && pwd)
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    (cd "$LOGS/metal-svm-nmi-linux" && python3 "$OLDPWD/tests/scripts/nmi-test.py" \
        --log "$msvm_nmi_logs/metal-svm-linux-nmi.qemu-console" --qmp unix:qmp.sock \
        --wait '^BAREMU-LINUX-UP' --timeout 300 -- qemu-system-x86_64 -M pc -accel tcg -m 512M \
        -nodefaults -display none -serial stdio -no-reboot -kernel vmlinuz \
        -initrd initramfs.cpio.gz -append console=ttyS0 -qmp unix:qmp.sock,server=on,wait=off) \
        >"$LOGS/metal-svm-linux-nmi.ref" 2>&1
    (cd "$LOGS/metal-svm-nmi-linux" && python3 "$OLDPWD/tests/scripts/nmi-test.py" \
        --log "$msvm_nmi_logs/metal-svm-linux-nmi.console" --qmp "tcp:$port" \
        --secret nmi-secret-0451 --wait '^BAREMU-LINUX-UP' --ready 'baremu: net0 .*\(dhcp\)' \
        --timeout 300 -- qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -m 2G \
        -display none -serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -nic none -netdev "user,id=n,hostfwd=tcp:127.0.0.1:$port-:4444" -device e1000,netdev=n \
        -kernel "$OLDPWD/build/metal/baremu.elf" \
        -initrd bios.bin,linuxboot_dma.bin,vmlinuz,initramfs.cpio.gz \
        -append "-M pc -accel svm -m 512M -kernel module:vmlinuz -initrd module:initramfs.cpio.gz -append 'console=ttyS0' -object secret,id=qs,data=nmi-secret-0451 -qmp tcp::4444,server=on,wait=off,secret=qs") \
        >"$LOGS/metal-svm-linux-nmi.out" 2>&1
    # The kernel's lines without their timestamps, and the NMI reason (port 0x61) without the
    # refresh bit, which toggles every 15 us; QEMU's status 1 is the appliance's 0.
    msvm_nmi_lines() { # console
        tr -d '\r' <"$1" | sed 's/^\[ *[0-9.]*\] //' |
            grep -a -E '^(Uhhuh\. NMI received|Dazed and confused|BAREMU-POWEROFF$|reboot: Power down)' |
            perl -pe 's/reason ([0-9a-f]+)/sprintf("reason %02x", hex($1) & ~0x10)/e'
    }
    msvm_nmi_lines "$LOGS/metal-svm-linux-nmi.console" >>"$LOGS/metal-svm-linux-nmi.out"
    msvm_nmi_lines "$LOGS/metal-svm-linux-nmi.qemu-console" >>"$LOGS/metal-svm-linux-nmi.ref"
    sed -i 's/^exit 1$/exit 0/' "$LOGS/metal-svm-linux-nmi.out"
    r=0
    grep -q -x 'Dazed and confused, but trying to continue' "$LOGS/metal-svm-linux-nmi.ref" || r=1
    diff -u "$LOGS/metal-svm-linux-nmi.ref" "$LOGS/metal-svm-linux-nmi.out" \
        >"$LOGS/metal-svm-linux-nmi.log" || r=1
    cat "$LOGS/metal-svm-linux-nmi.out" >>"$LOGS/metal-svm-linux-nmi.log"
    result $r metal-svm-linux-nmi
else
    echo "SKIP metal-svm-linux-nmi: needs qemu-system-x86_64, the appliance, build/linux and SeaBIOS"
fi
