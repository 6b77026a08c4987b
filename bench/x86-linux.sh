#!/usr/bin/env bash
# Boot time of Debian's Linux to init, on baremu and QEMU side by side
# (alternating, medians of whole-process wall time from the emulator's start
# to the first instruction of /init, which writes isa-debug-exit:
# bench/x86-init-exit.S). The kernel is the one scripts/mk-initramfs.sh takes
# from Debian's linux-image-amd64; the initramfs holds only that /init.
#
#   kvm:  -M microvm and -M pc (-kernel through SeaBIOS) under KVM, when
#         /dev/kvm runs a stock 64-bit kernel (probed first: a paravirtual KVM
#         that refuses one is reported as SKIP, not timed).
#   svm:  SVM=1: the appliance's -accel svm on -M microvm, the appliance
#         booted by QEMU's TCG with +svm,+npt (no AMD-V on the build
#         machines); beside it the same kernel on QEMU's TCG directly. Both
#         are emulation of a CPU, so the figures say what nesting costs, not
#         what a real AMD-V PC does.
#   vmx:  VMX=1: the appliance's -accel vmx on -M microvm in Bochs (booted from a
#         GRUB CD), no reference beside it.
#   RUNS=5 [SVM=1] [VMX=1] make bench-x86
set -eu
cd "$(dirname "$0")/.."
EMU=build/host/baremu
ELF=build/metal/baremu.elf
RUNS=${RUNS:-5}
OUT=build/bench
LX=build/linux
APPEND="console=ttyS0 quiet"
mkdir -p "$OUT"

[ -f "$LX/vmlinuz" ] || bash scripts/mk-initramfs.sh "$LX" >"$OUT/mk-initramfs.log" 2>&1 || {
    echo "bench-x86-linux: SKIP, no kernel (scripts/mk-initramfs.sh failed: $OUT/mk-initramfs.log)"
    exit 0
}
gcc -nostdlib -static -o "$OUT/init-exit" bench/x86-init-exit.S
rm -rf "$OUT/init-root" && mkdir -p "$OUT/init-root" && cp "$OUT/init-exit" "$OUT/init-root/init"
(cd "$OUT/init-root" && echo init | "$OLDPWD/$LX/pkg/busybox-static/bin/busybox" cpio -o -H newc \
    2>/dev/null) >"$OUT/init-exit.cpio"
KERNEL=(-kernel "$LX/vmlinuz" -initrd "$OUT/init-exit.cpio" -append "$APPEND")

wall() { # want-status command... ; prints seconds, or fails on another status
    local want=$1 t0 t1 rc
    shift
    t0=$(date +%s.%N)
    timeout 600 "$@" </dev/null >"$OUT/x86-linux-last.out" 2>&1 && rc=0 || rc=$?
    t1=$(date +%s.%N)
    if [ "$rc" -ne "$want" ]; then
        echo "bench-x86-linux: $* ended with status $rc (want $want); last lines:" >&2
        tail -5 "$OUT/x86-linux-last.out" | tr -d '\r' >&2
        return 1
    fi
    echo "$t1 - $t0" | bc
}
. bench/lib.sh # median
ms() { echo "$1 * 1000 / 1" | bc; }
report() { # label baremu-times qemu-times
    local b q
    b=$(median <"$2")
    if [ -s "$3" ]; then
        q=$(median <"$3")
        echo "$1: baremu $(ms "$b") ms, QEMU $(ms "$q") ms, ratio $(echo "scale=3; $b / $q" | bc)" \
            "(median of $RUNS)"
    else
        echo "$1: baremu $(ms "$b") ms (median of $RUNS; no QEMU to compare)"
    fi
}
have_qemu=0
command -v qemu-system-x86_64 >/dev/null && have_qemu=1

# --- kvm ----------------------------------------------------------------------------------
B_MVM=("$EMU" -M microvm -accel kvm -m 256M -nographic "${KERNEL[@]}")
B_PC=("$EMU" -M pc -accel kvm -m 256M -nographic "${KERNEL[@]}")
Q_COMMON=(qemu-system-x86_64 -accel kvm -cpu host -m 256M -nodefaults -no-user-config
    -display none -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 "${KERNEL[@]}")
if ! [ -c /dev/kvm ] || ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
    echo "x86 Linux boot to init under kvm: SKIP, /dev/kvm is missing or not accessible"
elif ! wall 33 "${B_MVM[@]}" >/dev/null 2>"$OUT/x86-linux-probe.err"; then
    echo "x86 Linux boot to init under kvm: SKIP, this KVM did not run Debian's kernel to init" \
        "on baremu -M microvm ($(head -1 "$OUT/x86-linux-probe.err"))"
else
    for k in b-mvm q-mvm b-pc q-pc; do : >"$OUT/x86-linux-$k.times"; done
    for _ in $(seq "$RUNS"); do
        wall 33 "${B_MVM[@]}" >>"$OUT/x86-linux-b-mvm.times"
        [ $have_qemu -eq 0 ] || wall 33 "${Q_COMMON[@]}" -M microvm >>"$OUT/x86-linux-q-mvm.times"
        wall 33 "${B_PC[@]}" >>"$OUT/x86-linux-b-pc.times"
        [ $have_qemu -eq 0 ] || wall 33 "${Q_COMMON[@]}" -M pc >>"$OUT/x86-linux-q-pc.times"
    done
    report "x86 Linux boot to init, microvm, kvm" "$OUT/x86-linux-b-mvm.times" \
        "$OUT/x86-linux-q-mvm.times"
    report "x86 Linux boot to init, pc (SeaBIOS), kvm" "$OUT/x86-linux-b-pc.times" \
        "$OUT/x86-linux-q-pc.times"
fi

# --- vmx (the appliance in Bochs) ---------------------------------------------------------
if [ "${VMX:-0}" != 1 ]; then
    echo "x86 Linux boot to init under vmx: not run (VMX=1 runs it: minutes in Bochs)"
elif ! command -v bochs >/dev/null || [ ! -f "$ELF" ]; then
    echo "x86 Linux boot to init under vmx: SKIP, needs bochs (scripts/setup-deps.sh) and make metal"
else
    V_DIR=$OUT/x86-linux-vmx
    mkdir -p "$V_DIR"
    cp "$LX/vmlinuz" "$OUT/init-exit.cpio" "$V_DIR/"
    bash boot/mkgrub-iso.sh "$V_DIR/init.iso" "$ELF" \
        "-M microvm -accel vmx -m 256M -kernel module:vmlinuz -initrd module:init-exit.cpio -append '$APPEND'" \
        "$V_DIR/vmlinuz" "$V_DIR/init-exit.cpio" >"$V_DIR/iso.log" 2>&1
    : >"$OUT/x86-linux-b-vmx.times"
    for _ in $(seq "$RUNS"); do
        wall 33 bash tests/scripts/bochs-run.sh -t 580 -m 512 "$V_DIR/run" "$V_DIR/init.iso" \
            >>"$OUT/x86-linux-b-vmx.times"
    done
    echo "x86 Linux boot to init, microvm: appliance -accel vmx in Bochs" \
        "$(ms "$(median <"$OUT/x86-linux-b-vmx.times")") ms (GRUB and the appliance's boot" \
        "included; median of $RUNS)"
fi

# --- svm (the appliance under QEMU's TCG) -------------------------------------------------
if [ "${SVM:-0}" != 1 ]; then
    echo "x86 Linux boot to init under svm: not run (SVM=1 runs it: minutes in QEMU's TCG)"
    exit 0
fi
[ -f "$ELF" ] && [ $have_qemu -eq 1 ] || { echo "bench-x86-linux: svm needs make metal and QEMU"; exit 1; }
S_DIR=$OUT/x86-linux-svm
mkdir -p "$S_DIR"
cp "$LX/vmlinuz" "$OUT/init-exit.cpio" "$S_DIR/"
# The appliance's status 33 comes out of QEMU's isa-debug-exit as (33 << 1) | 1.
S_APPL=(qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -m 1G -display none -serial none
    -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$ELF"
    -initrd "$S_DIR/vmlinuz,$S_DIR/init-exit.cpio"
    -append "-M microvm -accel svm -m 256M -kernel module:vmlinuz -initrd module:init-exit.cpio -append '$APPEND'")
S_TCG=(qemu-system-x86_64 -M microvm -accel tcg -m 256M -nodefaults -no-user-config -display none
    -serial none -device isa-debug-exit,iobase=0xf4,iosize=4 "${KERNEL[@]}")
: >"$OUT/x86-linux-b-svm.times"
: >"$OUT/x86-linux-q-tcg.times"
for _ in $(seq "$RUNS"); do
    wall 67 "${S_APPL[@]}" >>"$OUT/x86-linux-b-svm.times"
    wall 33 "${S_TCG[@]}" >>"$OUT/x86-linux-q-tcg.times"
done
b=$(median <"$OUT/x86-linux-b-svm.times")
q=$(median <"$OUT/x86-linux-q-tcg.times")
echo "x86 Linux boot to init, microvm: appliance -accel svm in QEMU TCG $(ms "$b") ms" \
    "(appliance boot included), the kernel on QEMU TCG directly $(ms "$q") ms," \
    "ratio $(echo "scale=3; $b / $q" | bc) (median of $RUNS)"
