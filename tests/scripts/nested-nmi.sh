#!/bin/bash
# nested-nmi.sh - the hosted emulator's NMI path with -accel kvm where this host
# has no usable KVM: Debian's kernel in QEMU's TCG with AMD-V (+svm,+npt) loads
# kvm_amd and runs build/host/baremu -M pc -accel kvm on the nmi guest
# (tests/guests/x86/nmi.S), whose HMP monitor on stdin gets "nmi" once the guest
# waits (as scripts/nested-linux.sh does it for Linux).
#
# Usage: tests/scripts/nested-nmi.sh LOG
# Prints the guest's lines (marked "L2|") and baremu's status ("L1: baremu
# status N"); exits 0 when the guest printed that the second NMI came right
# after the first one's IRET and baremu ended with the guest's status 33.
set -euo pipefail

LOG=${1:-build/linux/nested-nmi.log}
OUT=build/linux
EMU=${EMU:-build/host/baremu}
GUEST=build/guests/x86/nmi.bin
[ -f "$OUT/vmlinuz" ] || bash scripts/mk-initramfs.sh "$OUT"
[ -x "$EMU" ] && [ -f "$GUEST" ] || { echo "nested-nmi: build $EMU and $GUEST first (make)" >&2; exit 1; }
KDIR=$(ls -d "$OUT"/pkg/linux-image-*-amd64 | head -1)
KVER=$(ls "$KDIR/lib/modules" | head -1)
MODDIR=$KDIR/lib/modules/$KVER
BB=$OUT/pkg/busybox-static/bin/busybox
ROOT=$OUT/nested-root-nmi
rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,proc,sys,dev,tmp,lib/modules,lib64}

cp "$BB" "$ROOT/bin/busybox"
for app in sh mount cat echo insmod poweroff sleep; do
    ln -sf busybox "$ROOT/bin/$app"
done
cp "$EMU" "$ROOT/bin/baremu"
for lib in $(ldd "$EMU" | grep -o '/[^ ]*'); do
    mkdir -p "$ROOT$(dirname "$lib")"
    cp -L "$lib" "$ROOT$lib"
done
cp "$GUEST" "$ROOT/nmi.bin"

# kvm-amd and what it needs, dependencies first (each module's .modinfo "depends=").
deps_of() {
    local f=$MODDIR/$1 tmp
    tmp=$(mktemp)
    case $f in *.xz) xz -dc "$f" >"$tmp" ;; *) cp "$f" "$tmp" ;; esac
    objcopy -O binary --only-section=.modinfo "$tmp" "$tmp.info"
    tr '\0' '\n' <"$tmp.info" | sed -n 's/^depends=//p' | tr ',' '\n' | grep . || true
    rm -f "$tmp" "$tmp.info"
}
path_of() { (cd "$MODDIR" && find kernel -name "${1//[-_]/[-_]}.ko*" | head -1); }
ORDER=()
add_mod() {
    local p d
    p=$(path_of "$1")
    [ -n "$p" ] || return 0
    for d in "${ORDER[@]:-}"; do [ "$d" = "$p" ] && return 0; done
    for d in $(deps_of "$p"); do add_mod "$d"; done
    ORDER+=("$p")
}
add_mod kvm-amd
: >"$ROOT/modules.list"
for p in "${ORDER[@]}"; do
    f=$(basename "$p")
    case $f in *.xz) xz -dc "$MODDIR/$p" >"$ROOT/lib/modules/${f%.xz}"; f=${f%.xz} ;;
    *) cp "$MODDIR/$p" "$ROOT/lib/modules/$f" ;; esac
    echo "$f" >>"$ROOT/modules.list"
done

# The guest waits in HLT for the NMI: a few seconds are plenty for it to get there. stdin
# stays open a while after "nmi" (the monitor's end of input would not stop baremu, but
# the guest's isa-debug-exit is what should).
cat >"$ROOT/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules.list); do insmod /lib/modules/$m || echo "insmod $m failed"; done
echo "L1: starting baremu"
(sleep 8; echo nmi; sleep 15) | /bin/baremu -M pc -accel kvm -m 128M -bios /nmi.bin \
    -serial file:/tmp/serial -monitor stdio >/tmp/monitor 2>&1
echo "L1: baremu status $?"
while IFS= read -r l; do echo "L2|$l"; done </tmp/serial
poweroff -f
INIT
chmod +x "$ROOT/init"
BBABS=$(realpath "$BB")
(cd "$ROOT" && find . | LC_ALL=C sort | "$BBABS" cpio -o -H newc 2>/dev/null) |
    gzip -1 >"$OUT/nested-initramfs-nmi.cpio.gz"

timeout "${NESTED_TIMEOUT:-600}" qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -m 1G \
    -nographic -no-reboot -kernel "$OUT/vmlinuz" -initrd "$OUT/nested-initramfs-nmi.cpio.gz" \
    -append "console=ttyS0 quiet" </dev/null >"$LOG" 2>&1 || true
grep -a '^L2|\|^L1:' "$LOG" | tr -d '\r' || true
grep -aq 'L2|nmi: NMI 2 came right after the IRET' "$LOG" &&
    grep -aq '^L1: baremu status 33' "$LOG"
