#!/bin/bash
# mk-initramfs.sh - a Debian kernel and a busybox initramfs for booting
# Linux on -M pc (build/linux/vmlinuz, build/linux/initramfs.cpio.gz).
#
# Packages are downloaded with apt-get download (nothing is installed) and
# unpacked with dpkg-deb -x into build/linux/pkg/. The /init script mounts
# proc and sys, prints "BAREMU-LINUX-UP", loads the virtio modules (Debian
# builds virtio_pci, virtio_mmio and virtio_blk as modules; the order comes
# from each module's dependencies; virtio_mmio gets the virtio_mmio.device=
# parameters of the kernel command line, which -M microvm sets), writes a
# pattern to the first sector of /dev/vda and reads it back ("BAREMU-VDA-OK"
# or "BAREMU-VDA-FAIL"; no disk: "BAREMU-VDA-NONE"), prints /proc/cpuinfo,
# /proc/interrupts, each IRQ's effective affinity ("BAREMU-IRQ-AFFINITY N:
# cpus") and each PCI function's config space ("BAREMU-PCI " before what
# lspci -xxx prints), and powers off with "poweroff -f" (ACPI S5).
#
# Reference run (QEMU, TCG):
#   qemu-img create -f raw build/linux/disk.img 1M
#   qemu-system-x86_64 -accel tcg -m 1G -nographic -kernel build/linux/vmlinuz \
#     -initrd build/linux/initramfs.cpio.gz -append console=ttyS0 \
#     -drive file=build/linux/disk.img,if=virtio,format=raw
# baremu: the same with baremu -M pc (needs an accelerator that runs Linux: svm
# on the appliance; the paravirtual KVM here refuses stock 64-bit Linux).
#
# Usage: scripts/mk-initramfs.sh [output-dir]   (default build/linux)
set -euo pipefail

OUT=${1:-build/linux}
PKG=$OUT/pkg
ROOT=$OUT/initramfs
mkdir -p "$PKG" "$OUT"
OUT=$(cd "$OUT" && pwd)
PKG=$OUT/pkg
ROOT=$OUT/initramfs

# The kernel package linux-image-amd64 points at (linux-image-6.1.0-N-amd64 on bookworm).
KPKG=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' |
    head -1)
if [ -z "$KPKG" ]; then
    echo "mk-initramfs: cannot resolve linux-image-amd64 (apt-get update?)" >&2
    exit 1
fi

fetch() { # package: download once into $PKG and unpack into $PKG/<package>
    local p=$1 deb
    deb=$(ls "$PKG"/"${p}"_*.deb 2>/dev/null | head -1 || true)
    if [ -z "$deb" ]; then
        (cd "$PKG" && apt-get download "$p" >/dev/null)
        deb=$(ls "$PKG"/"${p}"_*.deb | head -1)
    fi
    if [ ! -d "$PKG/$p" ]; then
        dpkg-deb -x "$deb" "$PKG/$p.tmp"
        # Hook directories (etc/kernel/postinst.d, conf-hooks.d) are of no use here, and the
        # top-level Makefile takes every build/**/*.d for a dependency file.
        find "$PKG/$p.tmp" -depth -type d -name '*.d' -exec rm -rf {} +
        mv "$PKG/$p.tmp" "$PKG/$p"
    fi
}
fetch "$KPKG"
fetch busybox-static

KDIR=$PKG/$KPKG
KVER=$(ls "$KDIR/lib/modules" | head -1)
cp "$KDIR/boot/vmlinuz-$KVER" "$OUT/vmlinuz"

# Modules: virtio_blk, virtio_rng and virtio_pci with what they depend on, dependencies first. The
# package has no modules.dep (depmod makes it at install time), so read each module's "depends="
# from its .modinfo section.
MODDIR=$KDIR/lib/modules/$KVER
path_of() { # module name -> path relative to MODDIR ('-' and '_' are the same to the kernel)
    local pat=${1//[-_]/[-_]}
    (cd "$MODDIR" && find kernel -name "$pat.ko*" | head -1)
}
deps_of() { # module path -> the module names it needs
    local f=$MODDIR/$1 tmp
    tmp=$(mktemp)
    case $f in
    *.xz) xz -dc "$f" >"$tmp" ;;
    *.zst) zstd -qdc "$f" >"$tmp" ;;
    *) cp "$f" "$tmp" ;;
    esac
    objcopy -O binary --only-section=.modinfo "$tmp" "$tmp.info"
    tr '\0' '\n' <"$tmp.info" | sed -n 's/^depends=//p' | tr ',' '\n' | grep . || true
    rm -f "$tmp" "$tmp.info"
}
ORDER=()
add_mod() {
    local p d
    p=$(path_of "$1")
    if [ -z "$p" ]; then
        echo "mk-initramfs: module $1 not found in $KPKG (built in?)" >&2
        return 0
    fi
    for d in "${ORDER[@]:-}"; do
        [ "$d" = "$p" ] && return 0
    done
    for d in $(deps_of "$p"); do
        add_mod "$d"
    done
    ORDER+=("$p")
}
for m in virtio_pci virtio_mmio virtio_blk virtio_rng; do
    add_mod $m
done

rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,sbin,proc,sys,dev,tmp,lib/modules}
cp "$PKG/busybox-static/bin/busybox" "$ROOT/bin/busybox"
for app in sh mount umount cat echo dd cmp insmod poweroff sleep mknod ls head hexdump; do
    ln -sf busybox "$ROOT/bin/$app"
done
: >"$ROOT/modules.list"
for p in "${ORDER[@]}"; do
    f=$(basename "$p")
    case $f in
    *.ko.xz) xz -dc "$MODDIR/$p" >"$ROOT/lib/modules/${f%.xz}" ;;
    *.ko.zst) zstd -qdc "$MODDIR/$p" >"$ROOT/lib/modules/${f%.zst}" ;;
    *.ko.gz) gzip -dc "$MODDIR/$p" >"$ROOT/lib/modules/${f%.gz}" ;;
    *) cp "$MODDIR/$p" "$ROOT/lib/modules/$f" ;;
    esac
    f=${f%.xz}
    f=${f%.zst}
    f=${f%.gz}
    echo "$f" >>"$ROOT/modules.list"
done

cat >"$ROOT/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "BAREMU-LINUX-UP"
for m in $(cat /modules.list); do
    args=
    # insmod does not read the kernel command line as modprobe does: pass virtio_mmio.device=
    # (how -M microvm names its slots) to the module ourselves.
    if [ "$m" = virtio_mmio.ko ]; then
        for w in $(cat /proc/cmdline); do
            case $w in virtio_mmio.device=*) args="$args ${w#virtio_mmio.}" ;; esac
        done
    fi
    insmod /lib/modules/$m $args || echo "insmod $m failed"
done
for i in 1 2 3 4 5 6 7 8 9 10; do
    [ -b /dev/vda ] && break
    sleep 0.2
done
if [ -b /dev/vda ]; then
    echo "baremu virtio-blk test sector" >/tmp/pattern
    dd if=/tmp/pattern of=/dev/vda bs=512 count=1 conv=sync,fsync 2>/dev/null
    echo 3 >/proc/sys/vm/drop_caches
    dd if=/dev/vda of=/tmp/back bs=512 count=1 iflag=direct 2>/dev/null ||
        dd if=/dev/vda of=/tmp/back bs=512 count=1 2>/dev/null
    if head -c 30 /tmp/back | cmp -s - /tmp/pattern; then
        echo "BAREMU-VDA-OK"
    else
        echo "BAREMU-VDA-FAIL"
    fi
else
    echo "BAREMU-VDA-NONE"
fi
# virtio-rng (if the VM has one): the hw_random core picks it; two reads must differ.
cur=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)
echo "BAREMU-RNG-CURRENT: ${cur:-none}"
case $cur in
virtio_rng*)
    for i in 1 2; do
        echo "BAREMU-RNG-$i: $(head -c 16 /dev/hwrng | hexdump -v -e '16/1 "%02x"')"
    done
    ;;
esac
cat /proc/cpuinfo
cat /proc/interrupts
# The CPUs each interrupt is aimed at (an MSI's destination), and every PCI function's
# configuration space as "lspci -xxx" prints it (lspci -F reads it back on the host).
for f in /proc/irq/*/effective_affinity_list; do
    n=${f#/proc/irq/}
    echo "BAREMU-IRQ-AFFINITY ${n%%/*}: $(cat $f)"
done
for d in /sys/bus/pci/devices/*; do
    echo "BAREMU-PCI ${d##*/0000:}"
    hexdump -v -e '"BAREMU-PCI %02.2_ax: " 16/1 "%02x " "\n"' $d/config
done
echo "BAREMU-POWEROFF"
poweroff -f
INIT
chmod +x "$ROOT/init"

BB=$PKG/busybox-static/bin/busybox # the host may have no cpio: busybox has one
(cd "$ROOT" && find . | LC_ALL=C sort | "$BB" cpio -o -H newc 2>/dev/null) |
    gzip -9 >"$OUT/initramfs.cpio.gz"
echo "mk-initramfs: $OUT/vmlinuz ($KPKG), $OUT/initramfs.cpio.gz" \
    "(modules: $(tr '\n' ' ' <"$ROOT/modules.list"))"
