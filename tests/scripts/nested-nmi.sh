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
ROOT=$OUT/nested-root-nmi
# shellcheck source=scripts/nested-lib.sh
. "$(dirname "$0")/../../scripts/nested-lib.sh"
nested_root "$ROOT"
cp "$GUEST" "$ROOT/nmi.bin"

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
nested_boot "$ROOT" "$OUT/nested-initramfs-nmi.cpio.gz" 1G "$LOG"
grep -a '^L2|\|^L1:' "$LOG" | tr -d '\r' || true
grep -aq 'L2|nmi: NMI 2 came right after the IRET' "$LOG" &&
    grep -aq '^L1: baremu status 33' "$LOG"
