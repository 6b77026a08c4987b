#!/usr/bin/env bash
# Builds the appliance's third-party libraries from Debian sources into
# build/metal/ (never into the repo):
#   newlib  from the newlib-source package's tarball (libc.a, libm.a)
#   libfdt  from `apt-get source device-tree-compiler`
# Usage: setup-metal.sh OUTDIR   (OUTDIR/sysroot gets include/ and lib/)
# Idempotent: each part is skipped once its stamp exists.
set -euo pipefail

out=$(realpath -m "${1:-build/metal}")
sysroot=$out/sysroot
mkdir -p "$out" "$sysroot/lib" "$sysroot/include"
jobs=${METAL_JOBS:-2}

build_newlib() {
    [ -e "$out/.newlib-ok" ] && return 0
    local tarball
    tarball=$(ls /usr/src/newlib/newlib-*.tar.* 2>/dev/null | head -1)
    if [ -z "$tarball" ]; then
        echo "setup-metal: no newlib tarball in /usr/src/newlib (package newlib-source)" >&2
        exit 1
    fi
    echo "setup-metal: building newlib from $tarball"
    rm -rf "$out/newlib-src" "$out/newlib-build" "$out/newlib-install"
    mkdir -p "$out/newlib-src" "$out/newlib-build"
    tar -xf "$tarball" -C "$out/newlib-src" --strip-components=1
    # The host's gcc and binutils produce x86_64 ELF objects; newlib only needs
    # them under its cross names. -mno-red-zone: interrupts use the kernel stack.
    local cflags="-ffreestanding -fno-stack-protector -mno-red-zone -fno-pic -O2 -g"
    (
        cd "$out/newlib-build"
        "$out/newlib-src/configure" --target=x86_64-elf --prefix="$out/newlib-install" \
            --disable-multilib --disable-newlib-supplied-syscalls --disable-nls \
            --enable-newlib-io-long-long --enable-newlib-io-c99-formats \
            CC_FOR_TARGET="gcc $cflags" CFLAGS_FOR_TARGET="$cflags" \
            AR_FOR_TARGET=ar AS_FOR_TARGET=as LD_FOR_TARGET=ld NM_FOR_TARGET=nm \
            RANLIB_FOR_TARGET=ranlib OBJDUMP_FOR_TARGET=objdump STRIP_FOR_TARGET=strip \
            >"$out/newlib-configure.log" 2>&1
        make -j"$jobs" all-target-newlib >"$out/newlib-make.log" 2>&1
        make install-target-newlib >>"$out/newlib-make.log" 2>&1
    ) || {
        echo "setup-metal: newlib build failed, see $out/newlib-*.log" >&2
        exit 1
    }
    cp -r "$out/newlib-install/x86_64-elf/include/." "$sysroot/include/"
    cp "$out/newlib-install/x86_64-elf/lib/libc.a" "$out/newlib-install/x86_64-elf/lib/libm.a" \
        "$sysroot/lib/"
    rm -rf "$out/newlib-src" "$out/newlib-build"
    touch "$out/.newlib-ok"
}

# deb-src lines derived from the machine's own apt sources (same mirrors,
# suites and keys), used through a private apt state so the system is untouched.
fetch_dtc_source() {
    local apt=$out/apt
    rm -rf "$apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/src"
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$apt/sources.list"
    done
    : >"$apt/src.sources"
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # deb822 stanzas: keep enabled ones with Types: deb, as deb-src.
        awk 'BEGIN { RS=""; ORS="\n\n" }
             /(^|\n)Types:[^\n]*deb([ \t\n]|$)/ && !/(^|\n)Enabled:[ \t]*no/ {
                 gsub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src"); sub(/^\n/, ""); print }' \
            "$f" >>"$apt/src.sources"
    done
    mkdir -p "$apt/parts"
    mv "$apt/src.sources" "$apt/parts/src.sources"
    local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/parts"
        -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
        -o "Debug::NoLocking=1" -o "APT::Sandbox::User=$(id -un)")
    apt-get "${opts[@]}" -qq update >"$out/apt-update.log" 2>&1 &&
        (cd "$apt/src" && apt-get "${opts[@]}" -qq --download-only source device-tree-compiler) \
            >"$out/apt-source.log" 2>&1
}

build_libfdt() {
    [ -e "$out/.libfdt-ok" ] && return 0
    if ! fetch_dtc_source; then
        # Some mirrors carry no sources. libfdt-dev's libfdt.a needs only
        # string functions and the stack protector (kernel/ provides both),
        # and the kernel takes exceptions on their own stacks (IST), so
        # code built with a red zone is safe in it.
        echo "setup-metal: no device-tree-compiler source (see $out/apt-source.log);" \
            "using libfdt-dev's libfdt.a"
        cp /usr/lib/x86_64-linux-gnu/libfdt.a "$sysroot/lib/libfdt.a"
        cp /usr/include/{fdt.h,libfdt.h,libfdt_env.h} "$sysroot/include/"
        rm -rf "$out/apt"
        touch "$out/.libfdt-ok"
        return 0
    fi
    echo "setup-metal: building libfdt from Debian's device-tree-compiler source"
    local orig
    orig=$(ls "$out"/apt/src/device-tree-compiler_*.orig.tar.* | head -1)
    rm -rf "$out/dtc-src" "$out/libfdt-obj"
    mkdir -p "$out/dtc-src" "$out/libfdt-obj"
    tar -xf "$orig" -C "$out/dtc-src" --strip-components=1
    local cflags=(-std=gnu11 -O2 -g -ffreestanding -fno-stack-protector -mno-red-zone -fno-pic
        -mcmodel=small -nostdinc -isystem "$sysroot/include"
        -isystem "$(gcc -print-file-name=include)" -I"$out/dtc-src/libfdt")
    local c
    for c in "$out"/dtc-src/libfdt/fdt*.c; do
        gcc "${cflags[@]}" -c "$c" -o "$out/libfdt-obj/$(basename "${c%.c}").o"
    done
    rm -f "$sysroot/lib/libfdt.a"
    ar rcs "$sysroot/lib/libfdt.a" "$out"/libfdt-obj/*.o
    cp "$out"/dtc-src/libfdt/{fdt.h,libfdt.h,libfdt_env.h} "$sysroot/include/"
    rm -rf "$out/dtc-src" "$out/libfdt-obj" "$out/apt"
    touch "$out/.libfdt-ok"
}

build_newlib
build_libfdt
