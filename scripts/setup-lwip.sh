#!/usr/bin/env bash
# Fetches Debian's lwIP source package and unpacks it, with Debian's patches
# applied, under OUTDIR/lwip-src (never into the repo). mk/lwip.mk compiles it
# into the appliance with our kernel/lwip/lwipopts.h.
# Usage: setup-lwip.sh OUTDIR     Idempotent: skipped once OUTDIR/.lwip-ok exists.
#
# The mirror has no deb-src index here, so the files are fetched by their pool
# paths. Trust: the .dsc is pinned by its SHA-256 below (it is Debian's signed
# description of the package); the tarballs must match the .dsc's Checksums-Sha256.
set -euo pipefail

out=$(realpath -m "${1:-build/metal}")
[ -e "$out/.lwip-ok" ] && exit 0

mirror=${LWIP_MIRROR:-http://deb.debian.org/debian}
pool=$mirror/pool/main/l/lwip
dsc=lwip_2.1.3+dfsg1-2.dsc
dsc_sha256=8d8f944db8e6d542fc2d6f01559078fb1b5dda71651c67ee5fa3571ed1342c50

dl=$out/lwip-dl
mkdir -p "$dl"

fetch() { # file
    [ -s "$dl/$1" ] && return 0
    curl -sSfL --retry 3 -o "$dl/$1.part" "$pool/$1" || {
        echo "setup-lwip: cannot download $pool/$1" >&2
        exit 1
    }
    mv "$dl/$1.part" "$dl/$1"
}

check() { # file expected-sha256
    local got
    got=$(sha256sum "$dl/$1" | cut -d' ' -f1)
    if [ "$got" != "$2" ]; then
        echo "setup-lwip: $1: SHA-256 $got, expected $2" >&2
        rm -f "$dl/$1"
        exit 1
    fi
}

fetch "$dsc"
check "$dsc" "$dsc_sha256"
# " <sha256> <size> <name>" lines of the Checksums-Sha256 field.
files=$(awk '/^Checksums-Sha256:/ { f = 1; next } /^[^ ]/ { f = 0 } f && NF == 3 { print $3 " " $1 }' \
    "$dl/$dsc")
[ -n "$files" ] || { echo "setup-lwip: $dsc has no Checksums-Sha256" >&2; exit 1; }
while read -r name sum; do
    fetch "$name"
    check "$name" "$sum"
done <<<"$files"

src=$out/lwip-src
rm -rf "$src" "$out/lwip-src.tmp"
mkdir -p "$out/lwip-src.tmp"
tar -xf "$dl"/lwip_*.orig.tar.xz -C "$out/lwip-src.tmp" --strip-components=1
tar -xf "$dl"/lwip_*.debian.tar.xz -C "$out/lwip-src.tmp"
(
    cd "$out/lwip-src.tmp"
    while read -r p; do
        case "$p" in '' | '#'*) continue ;; esac
        patch -s -p1 <"debian/patches/$p"
    done <debian/patches/series
) || { echo "setup-lwip: Debian's patches did not apply" >&2; exit 1; }
mv "$out/lwip-src.tmp" "$src"
touch "$out/.lwip-ok"
echo "setup-lwip: Debian's lwIP ${dsc%.dsc} in $src"
