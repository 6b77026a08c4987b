#!/bin/bash
# nested-linux.sh - boot Debian's Linux on baremu's -M pc (or -M microvm) with
# -accel kvm, inside a QEMU TCG guest that emulates AMD-V (+svm,+npt): the
# paravirtual KVM of this host cannot run Linux, a nested kvm_amd can. The
# outer guest is Debian's kernel with an initramfs holding build/host/baremu
# (and the shared libraries it needs), SeaBIOS, linuxboot_dma.bin, the kvm
# modules and the inner kernel + initramfs from scripts/mk-initramfs.sh.
#
# Usage: [L2_APPEND="console=ttyS0 ..."] [L2_SMP=N] scripts/nested-linux.sh [pc|microvm] [log]
# (L2_SMP: the inner machine's -smp; its scratch files are then apart from the 1-CPU run's.)
# The inner command line presets lpj=: under two layers of emulation the
# delay-loop calibration alone takes many minutes (TSC and PIT calibration
# fail there for the same reason; real SVM hardware has no such problem).
# Prints the inner run's serial output (marked "L2|") and exits 0 if the
# inner Linux printed BAREMU-VDA-OK and BAREMU-POWEROFF and baremu ended
# with status 0. Slow: the inner Linux runs under two layers of emulation.
set -euo pipefail

MACHINE=${1:-pc}
LOG=${2:-build/linux/nested-$MACHINE.log}
OUT=build/linux
EMU=${EMU:-build/host/baremu}
[ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initramfs.cpio.gz" ] || bash scripts/mk-initramfs.sh "$OUT"
[ -x "$EMU" ] || { echo "nested-linux: build $EMU first (make)" >&2; exit 1; }
TAG=$MACHINE${L2_SMP:+-smp$L2_SMP}
ROOT=$OUT/nested-root-$TAG
# shellcheck source=scripts/nested-lib.sh
. "$(dirname "$0")/nested-lib.sh"
nested_root "$ROOT"
mkdir -p "$ROOT"/usr/share/{seabios,qemu}
cp /usr/share/seabios/bios.bin "$ROOT/usr/share/seabios/"
cp /usr/share/qemu/linuxboot_dma.bin "$ROOT/usr/share/qemu/"
cp "$OUT/vmlinuz" "$ROOT/vmlinuz"
cp "$OUT/initramfs.cpio.gz" "$ROOT/initramfs.cpio.gz"

if [ "$MACHINE" = microvm ]; then
    ARGS="-M microvm -drive file=/tmp/disk.img,if=virtio,format=raw"
else
    ARGS="-M pc -drive file=/tmp/disk.img,if=virtio,format=raw"
fi
ARGS="$ARGS -smp ${L2_SMP:-1}"
cat >"$ROOT/init" <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in \$(cat /modules.list); do insmod /lib/modules/\$m || echo "insmod \$m failed"; done
truncate -s 1M /tmp/disk.img
echo "L1: starting baremu $ARGS"
( /bin/baremu $ARGS -accel kvm -m 512M -kernel /vmlinuz -initrd /initramfs.cpio.gz \\
    -append "${L2_APPEND:-console=ttyS0 lpj=4000000}" -nographic </dev/null 2>&1
    echo "L1-STATUS \$?" ) | while IFS= read -r l; do
    case "\$l" in L1-STATUS*) echo "L1: baremu status \${l#L1-STATUS }" ;; *) echo "L2|\$l" ;; esac
done
poweroff -f
INIT
chmod +x "$ROOT/init"
NESTED_TIMEOUT=${NESTED_TIMEOUT:-1500} nested_boot "$ROOT" "$OUT/nested-initramfs-$TAG.cpio.gz" 2G "$LOG"
grep -a '^L2|\|^L1:' "$LOG" | tr -d '\r' || true
grep -aq 'L2|BAREMU-VDA-OK' "$LOG" && grep -aq 'L2|BAREMU-POWEROFF' "$LOG" &&
    grep -aq '^L1: baremu status 0' "$LOG"
