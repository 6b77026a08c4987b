# shellcheck shell=bash
# nested-lib.sh - sourced by scripts/nested-linux.sh and tests/scripts/nested-nmi.sh:
# the outer guest that runs build/host/baremu with -accel kvm under a nested
# kvm_amd (Debian's kernel in QEMU's TCG with +svm,+npt), for hosts whose own KVM
# cannot run the guest. Needs OUT (scripts/mk-initramfs.sh's directory: the
# kernel and the unpacked packages) and EMU (the hosted baremu).

# nested_root ROOT: a fresh initramfs tree with busybox (the applets the init
# scripts use), $EMU as /bin/baremu with its shared libraries, and kvm_amd with
# the modules it needs in /lib/modules, in load order in /modules.list.
nested_root() {
    local root=$1 kdir kver moddir p f lib
    kdir=$(ls -d "$OUT"/pkg/linux-image-*-amd64 | head -1)
    kver=$(ls "$kdir/lib/modules" | head -1)
    moddir=$kdir/lib/modules/$kver
    rm -rf "$root"
    mkdir -p "$root"/{bin,proc,sys,dev,tmp,lib/modules,lib64}
    cp "$OUT/pkg/busybox-static/bin/busybox" "$root/bin/busybox"
    for p in sh mount cat echo insmod poweroff sleep truncate; do
        ln -sf busybox "$root/bin/$p"
    done
    cp "$EMU" "$root/bin/baremu"
    for lib in $(ldd "$EMU" | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
    # Dependencies first, from each module's .modinfo "depends=".
    local order=()
    nested_deps_of() {
        local m=$moddir/$1 tmp
        tmp=$(mktemp)
        case $m in *.xz) xz -dc "$m" >"$tmp" ;; *) cp "$m" "$tmp" ;; esac
        objcopy -O binary --only-section=.modinfo "$tmp" "$tmp.info"
        tr '\0' '\n' <"$tmp.info" | sed -n 's/^depends=//p' | tr ',' '\n' | grep . || true
        rm -f "$tmp" "$tmp.info"
    }
    nested_add_mod() {
        local q d
        q=$(cd "$moddir" && find kernel -name "${1//[-_]/[-_]}.ko*" | head -1)
        [ -n "$q" ] || return 0
        for d in "${order[@]:-}"; do [ "$d" = "$q" ] && return 0; done
        for d in $(nested_deps_of "$q"); do nested_add_mod "$d"; done
        order+=("$q")
    }
    nested_add_mod kvm-amd
    : >"$root/modules.list"
    for p in "${order[@]}"; do
        f=$(basename "$p")
        case $f in
        *.xz) xz -dc "$moddir/$p" >"$root/lib/modules/${f%.xz}" && f=${f%.xz} ;;
        *) cp "$moddir/$p" "$root/lib/modules/$f" ;;
        esac
        echo "$f" >>"$root/modules.list"
    done
}

# nested_boot ROOT INITRAMFS MEM LOG: pack ROOT (its /init included) into INITRAMFS and
# boot it in QEMU's TCG with AMD-V, the console in LOG; NESTED_TIMEOUT (seconds) caps it.
nested_boot() {
    local root=$1 initramfs=$2 mem=$3 log=$4 bb
    bb=$(realpath "$OUT/pkg/busybox-static/bin/busybox")
    (cd "$root" && find . | LC_ALL=C sort | "$bb" cpio -o -H newc 2>/dev/null) |
        gzip -1 >"$initramfs"
    timeout "${NESTED_TIMEOUT:-600}" qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt \
        -m "$mem" -nographic -no-reboot -kernel "$OUT/vmlinuz" -initrd "$initramfs" \
        -append "console=ttyS0 quiet" </dev/null >"$log" 2>&1 || true
}
