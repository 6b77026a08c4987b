#!/usr/bin/env bash
# Small qcow2 seed images for fuzz-qcow2 (written into $1).
set -eu
out=$1
IMG=build/host/baremu-img
IO=build/host/tests/block/blk-io
mkdir -p "$out"
$IMG create -q -f qcow2 -o cluster_size=512 "$out/plain.qcow2" 64k
$IO "$out/plain.qcow2" write 0 3000 1 zero 4096 1024
$IMG create -q -f qcow2 -o cluster_size=512,refcount_bits=1 "$out/rc1.qcow2" 32k
$IO "$out/rc1.qcow2" write 1000 2000 2
$IMG create -q -f qcow2 -o cluster_size=512,compat=0.10 "$out/v2.qcow2" 32k
$IO "$out/v2.qcow2" write 0 1024 3 snap-create s write 0 512 4
$IMG create -q -f qcow2 -o cluster_size=512,refcount_bits=64,lazy_refcounts=on "$out/lazy.qcow2" 32k
$IO "$out/lazy.qcow2" write 512 4096 5 snap-create a snap-create b
head -c 8192 /dev/zero | tr '\0' 'z' >"$out/z.raw"
$IMG convert -q -c -O qcow2 -o cluster_size=4096 -f raw "$out/z.raw" "$out/comp.qcow2"
rm -f "$out/z.raw"
$IMG create -q -f qcow2 -o cluster_size=512 -b base.raw -F raw -u "$out/backing.qcow2" 16k
