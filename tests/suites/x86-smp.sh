# x86-smp.sh - Debian's Linux on several vCPUs (they run round-robin on one host
# thread): the appliance's svm inside QEMU's TCG (+svm,+npt) with -M pc -smp 2
# through SeaBIOS and -M microvm -smp 6,sockets=2 entered directly, the
# appliance's vmx in Bochs with -M pc -smp 2, and the
# hosted program's kvm with -M pc -smp 2 inside the nested QEMU of
# scripts/nested-linux.sh. Each run must bring every CPU up, list them all in
# /proc/cpuinfo with QEMU's topology (cores per package, APIC IDs), take local
# timer interrupts and IPIs on each of them (/proc/interrupts), use the virtio
# disk and power off with status 0. X86_SMP_LINUX=0 leaves them out (about four
# minutes). The appliance runs stop at a kernel panic (panic=-1 and baremu's
# -no-reboot).
# Sourced by tests/run-all.sh: uses EMU, LOGS and result.

xsmp_dir=$LOGS/x86-smp
xsmp_elf=build/metal/baremu.elf
xsmp_linux=build/linux

# Whether log $1 shows an $2-CPU Linux that did all of the above, on packages of $3 cores
# (QEMU's layout: -smp N is one package of N cores) whose APIC IDs are $4 (sorted, spaced).
xsmp_check() { # log ncpus cores-per-package apic-ids
    local log=$1 n=$2 cores=$3 ids=$4 r=0 want
    sed -i 's/^L2|//' "$log"
    for want in "smp: Brought up 1 node, $n CPUs" '^BAREMU-LINUX-UP$' '^BAREMU-VDA-OK$' \
        '^BAREMU-POWEROFF$' 'reboot: Power down' '^(status|L1: baremu status) 0$'; do
        grep -q -a -E "$want" "$log" || { echo "missing: $want"; r=1; }
    done
    [ "$(grep -a -c -E '^processor\s*: ' "$log")" -eq "$n" ] || {
        echo "/proc/cpuinfo does not list $n processors"
        r=1
    }
    [ "$(grep -a -c -E "^cpu cores\s*: $cores$" "$log")" -eq "$n" ] || {
        echo "/proc/cpuinfo: not $cores cores per package on every CPU"
        r=1
    }
    [ "$(grep -a -E '^apicid\s*: ' "$log" | awk '{print $3}' | sort -n | xargs)" = "$ids" ] || {
        echo "/proc/cpuinfo: APIC IDs are not $ids"
        r=1
    }
    # Every CPU's local timer ticks, and each took IPIs (rescheduling or function call).
    awk -v n="$n" '
        $1 == "LOC:" { for (i = 2; i <= n + 1; i++) { loc++; if ($i > 0) ok_loc++ } }
        $1 == "RES:" || $1 == "CAL:" { for (i = 2; i <= n + 1; i++) ipi[i] += $i }
        END {
            for (i = 2; i <= n + 1; i++) if (ipi[i] > 0) ok_ipi++
            if (loc != n || ok_loc != n) { print "LOC: not every CPU ticks"; exit 1 }
            if (ok_ipi != n) { print "RES/CAL: not every CPU took IPIs"; exit 1 }
        }' "$log" || r=1
    return $r
}

# The result of test $1 from its log: what xsmp_check finds missing goes at the log's end.
xsmp_result() { # name ncpus cores-per-package apic-ids
    local log=$LOGS/$1.log r
    xsmp_check "$log" "$2" "$3" "$4" >"$log.check"
    r=$?
    cat "$log.check" >>"$log" && rm -f "$log.check"
    result $r "$1"
}

# Linux on the appliance with svm, in QEMU's TCG; the console, then "status N".
xsmp_appliance() { # modules baremu-options
    (cd "$xsmp_dir" && timeout 300 qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -m 2G \
        -display none -serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$OLDPWD/$xsmp_elf" -initrd "$1" -append "$2" </dev/null 2>&1)
    local st=$?
    echo "status $(((st - 1) / 2))"
}

if [ "${X86_SMP_LINUX:-1}" = 0 ]; then
    echo "SKIP x86-smp: X86_SMP_LINUX=0"
elif ! command -v qemu-system-x86_64 >/dev/null || [ ! -f "$xsmp_elf" ] ||
    [ ! -f /usr/share/qemu/linuxboot_dma.bin ]; then
    echo "SKIP x86-smp: needs qemu-system-x86_64, build/metal/baremu.elf and linuxboot_dma.bin"
else
    if [ ! -f "$xsmp_linux/vmlinuz" ] || [ ! -f "$xsmp_linux/initramfs.cpio.gz" ] ||
        [ scripts/mk-initramfs.sh -nt "$xsmp_linux/initramfs.cpio.gz" ]; then
        bash scripts/mk-initramfs.sh "$xsmp_linux" >"$LOGS/x86-smp-setup.log" 2>&1
    fi
    rm -rf "$xsmp_dir" && mkdir -p "$xsmp_dir"
    cp "$xsmp_linux/vmlinuz" "$xsmp_linux/initramfs.cpio.gz" /usr/share/qemu/linuxboot_dma.bin \
        /usr/share/seabios/bios.bin "$xsmp_dir/"
    head -c 1048576 /dev/zero >"$xsmp_dir/disk.img"
    xsmp_mods="bios.bin,linuxboot_dma.bin,vmlinuz,initramfs.cpio.gz,disk.img"
    # A panic ends the run at once (panic=-1 reboots, -no-reboot stops there). no_timer_check:
    # two emulators side by side under a third's TCG can starve check_timer()'s ~60 ms of TSC
    # of its 5 PIT ticks (seen with 1 CPU as with 2); x86-timer-irq0-ioapic-pin and
    # metal-svm-timer test that routing, and LOC below the APIC timers.
    xsmp_boot="-no-reboot -m 512M -kernel module:vmlinuz -initrd module:initramfs.cpio.gz"
    xsmp_boot="$xsmp_boot -append 'console=ttyS0 panic=-1 no_timer_check'"
    xsmp_disk="file=module:disk.img,format=raw,snapshot=on"
    xsmp_appliance "$xsmp_mods" "-M pc -accel svm -smp 2 $xsmp_boot -drive $xsmp_disk,if=virtio" |
        tr -d '\r' >"$LOGS/metal-svm-linux-smp-pc.log" &
    xsmp_pc=$!
    xsmp_appliance "$xsmp_mods" "-M microvm -accel svm -smp 6,sockets=2 $xsmp_boot \
-drive $xsmp_disk,if=none,id=d0 -device virtio-blk-device,drive=d0" |
        tr -d '\r' >"$LOGS/metal-svm-linux-smp-microvm.log" &
    xsmp_mvm=$!
    # Not beside a third emulator: the load would slow all three down.
    wait $xsmp_pc $xsmp_mvm
    # Beside the nested run: the appliance's vmx in Bochs (GRUB ISO, one CPU for the appliance;
    # 3-4 minutes), -M pc -smp 2 through SeaBIOS. It found vCPUs sharing the SYSCALL MSRs.
    xsmp_vmx=
    if command -v bochs >/dev/null && [ -f /usr/share/bochs/BIOS-bochs-latest ]; then
        # GRUB passes the line on; double quotes keep -append's words together (as metal-vmx).
        xsmp_grub="-M pc -accel vmx -smp 2 -no-reboot -m 512M -bios module:bios.bin"
        xsmp_grub="$xsmp_grub -kernel module:vmlinuz -initrd module:initramfs.cpio.gz"
        xsmp_grub="$xsmp_grub -append \"console=ttyS0 panic=-1 no_timer_check\""
        xsmp_grub="$xsmp_grub -drive $xsmp_disk,if=virtio"
        (cd "$xsmp_dir" && bash "$OLDPWD/boot/mkgrub-iso.sh" vmx.iso "$OLDPWD/$xsmp_elf" \
            "$xsmp_grub" bios.bin linuxboot_dma.bin vmlinuz initramfs.cpio.gz disk.img \
            >vmx-iso.log 2>&1 &&
            bash "$OLDPWD/tests/scripts/bochs-run.sh" -t 1800 -m 1024 vmx vmx.iso
            echo "status $?" >>vmx.serial) &
        xsmp_vmx=$!
    fi
    # Hosted kvm: the nested kvm_amd runs stock kernels, which this machine's KVM may not.
    L2_SMP=2 NESTED_TIMEOUT=900 EMU="$EMU" bash scripts/nested-linux.sh pc \
        "$xsmp_dir/nested-pc-smp2.log" >"$LOGS/x86-nested-linux-smp.log" 2>&1
    if [ -n "$xsmp_vmx" ]; then
        wait "$xsmp_vmx"
        tr -d '\r' <"$xsmp_dir/vmx.serial" >"$LOGS/metal-vmx-linux-smp.log"
        xsmp_result metal-vmx-linux-smp 2 2 "0 1"
    else
        echo "SKIP metal-vmx-linux-smp: needs Debian's bochs and bochsbios"
    fi
    xsmp_result metal-svm-linux-smp-pc 2 2 "0 1"
    # Two packages of three cores: each package's core field is 2 bits wide, as in QEMU.
    xsmp_result metal-svm-linux-smp-microvm 6 3 "0 1 2 4 5 6"
    xsmp_result x86-nested-linux-smp 2 2 "0 1"
fi

# query-cpus-fast on -M pc -smp 6,sockets=2 (stopped with -S): each CPU's socket, core and
# thread as QEMU's own answer gives them. Hosted kvm only: it needs a /dev/kvm to create
# the vCPUs (nothing runs).
xsmp_props() { # emulator: "cpu-index props" per CPU
    printf '{"execute":"qmp_capabilities"}\n{"execute":"query-cpus-fast"}\n{"execute":"quit"}\n' |
        timeout 30 "$@" -M pc -smp 6,sockets=2 -m 128M -S -display none -nodefaults \
            -qmp stdio 2>/dev/null |
        python3 -c 'import json, sys
for line in sys.stdin:
    r = json.loads(line).get("return")
    if isinstance(r, list):
        for c in r:
            print(c["cpu-index"], json.dumps(c["props"], sort_keys=True))'
}
if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
    command -v qemu-system-x86_64 >/dev/null; then
    xsmp_props "$EMU" -accel kvm >"$LOGS/x86-smp-query-cpus.out"
    xsmp_props qemu-system-x86_64 -accel tcg >"$LOGS/x86-smp-query-cpus.ref"
    [ "$(wc -l <"$LOGS/x86-smp-query-cpus.ref")" -eq 6 ] &&
        diff -u "$LOGS/x86-smp-query-cpus.ref" "$LOGS/x86-smp-query-cpus.out" \
            >"$LOGS/x86-smp-query-cpus.log"
    result $? x86-smp-query-cpus
else
    echo "SKIP x86-smp-query-cpus: needs a usable /dev/kvm and qemu-system-x86_64"
fi
