#!/usr/bin/env bash
# Interop with QEMU 7.2's qemu-img/qemu-io both ways: images we write pass
# qemu-img check and compare equal to the same writes on a raw file; images
# qemu writes (every create option, backing chains, snapshots, compressed
# clusters) read back identically through baremu-img and pass our check.
cd "$(dirname "$0")/../.."
. tests/block/lib.sh

OPTS=("" "compat=0.10" "cluster_size=512" "cluster_size=2M" "refcount_bits=1"
      "refcount_bits=2" "refcount_bits=8" "refcount_bits=64" "lazy_refcounts=on"
      "cluster_size=4096,refcount_bits=4" "compat=0.10,cluster_size=1024")
WRITES="write 0 100000 17 write 1048576 65536 34 zero 1048576 4096 write 10485760 4194304 51
        discard 10485760 2097152 write 20000000 300000 68 zerou 20000000 70000 write 33553920 512 85"
QEMU_WRITES=(-c 'write -P 0x11 0 100000' -c 'write -P 0x22 1M 64k' -c 'write -z 1M 4k'
             -c 'write -P 0x33 10M 4M' -c 'discard 10M 2M' -c 'write -P 0x44 20000000 300000'
             -c 'write -z -u 20000000 70000' -c 'write -P 0x55 33553920 512')

# 1. baremu writes, qemu checks.
for o in "${OPTS[@]}"; do
    n="ours-${o:-default}"
    rm -f "$T/o.qcow2" "$T/o.raw"
    $IMG create -q -f qcow2 ${o:+-o "$o"} "$T/o.qcow2" 32M && qemu-img create -q -f raw "$T/o.raw" 32M
    # shellcheck disable=SC2086
    $IO "$T/o.qcow2" $WRITES && $IO -f raw "$T/o.raw" $WRITES || { bad "$n" "write failed"; continue; }
    expect_rc "$n-qemu-check" 0 qemu-img check "$T/o.qcow2"
    expect_rc "$n-qemu-compare" 0 qemu-img compare "$T/o.qcow2" "$T/o.raw"
    expect_rc "$n-our-check" 0 $IMG check "$T/o.qcow2"
done

# 2. qemu writes, baremu reads and checks; then baremu writes over qemu's layout.
for o in "${OPTS[@]}"; do
    n="qemu-${o:-default}"
    rm -f "$T/q.qcow2" "$T/ref.raw" "$T/our.raw"
    qemu-img create -q -f qcow2 ${o:+-o "$o"} "$T/q.qcow2" 32M
    qemu-io "${QEMU_WRITES[@]}" "$T/q.qcow2" >/dev/null
    qemu-img convert -O raw "$T/q.qcow2" "$T/ref.raw"
    $IMG convert -O raw "$T/q.qcow2" "$T/our.raw"
    expect "$n-read" cmp "$T/ref.raw" "$T/our.raw"
    expect_rc "$n-our-check" 0 $IMG check "$T/q.qcow2"
    # shellcheck disable=SC2086
    $IO "$T/q.qcow2" write 65536 200000 119 zero 0 65536 && $IO -f raw "$T/ref.raw" write 65536 200000 119 zero 0 65536
    expect_rc "$n-rewrite-qemu-check" 0 qemu-img check "$T/q.qcow2"
    expect_rc "$n-rewrite-compare" 0 qemu-img compare "$T/q.qcow2" "$T/ref.raw"
done

# 3. Compressed clusters both ways.
head -c 8M /dev/urandom >"$T/rnd"
python3 -c "import sys; sys.stdout.buffer.write(b''.join(bytes([i % 251]) * 4096 for i in range(2048)))" >"$T/pat"
cat "$T/pat" "$T/rnd" >"$T/src.raw"
truncate -s 32M "$T/src.raw"
qemu-img convert -c -O qcow2 "$T/src.raw" "$T/qc.qcow2"
expect "qemu-compressed-read" bash -c "$IMG convert -O raw $T/qc.qcow2 $T/qc.raw && cmp $T/qc.raw $T/src.raw"
expect_rc "qemu-compressed-our-check" 0 $IMG check "$T/qc.qcow2"
$IO "$T/qc.qcow2" write 4096 8192 7 write 100000 70000 9
cp "$T/src.raw" "$T/src2.raw" && $IO -f raw "$T/src2.raw" write 4096 8192 7 write 100000 70000 9
expect_rc "cow-over-compressed-qemu-check" 0 qemu-img check "$T/qc.qcow2"
expect_rc "cow-over-compressed-compare" 0 qemu-img compare "$T/qc.qcow2" "$T/src2.raw"
$IMG convert -c -O qcow2 "$T/src.raw" "$T/oc.qcow2"
expect_rc "our-compressed-qemu-check" 0 qemu-img check "$T/oc.qcow2"
expect_rc "our-compressed-compare" 0 qemu-img compare "$T/oc.qcow2" "$T/src.raw"
osz=$(stat -c %s "$T/oc.qcow2")
# The pattern half must really be compressed: far smaller than the 16 MiB of data.
if [ "$osz" -lt $((10 * 1024 * 1024)) ]; then ok our-compressed-smaller; else bad our-compressed-smaller "$osz bytes"; fi
if $IMG check "$T/oc.qcow2" | grep -q "compressed clusters" &&
   [ "$(qemu-img check --output=json "$T/oc.qcow2" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("compressed-clusters", 0))')" -gt 0 ]; then
    ok our-compressed-counted
else bad our-compressed-counted "qemu sees no compressed clusters"; fi

# 4. Backing chains with backing_fmt, made by qemu and by us.
qemu-img create -q -f raw "$T/base.raw" 16M
qemu-io -f raw -c 'write -P 0xa1 0 16M' "$T/base.raw" >/dev/null
qemu-img create -q -f qcow2 -b base.raw -F raw "$T/mid.qcow2"
qemu-io -c 'write -P 0xb2 1M 1M' -c 'write -z 4M 64k' "$T/mid.qcow2" >/dev/null
qemu-img create -q -f qcow2 -b mid.qcow2 -F qcow2 "$T/top.qcow2" 32M
qemu-io -c 'write -P 0xc3 1536k 64k' -c 'write -P 0xc4 20M 1M' "$T/top.qcow2" >/dev/null
qemu-img convert -O raw "$T/top.qcow2" "$T/chain.raw"
cp "$T/chain.raw" "$T/top.raw"
expect "qemu-chain-read" bash -c "$IMG convert -O raw $T/top.qcow2 $T/chain2.raw && cmp $T/chain.raw $T/chain2.raw"
$IMG create -q -f qcow2 -b top.qcow2 -F qcow2 "$T/ours.qcow2"
$IO "$T/ours.qcow2" write 1600000 10000 201
$IO -f raw "$T/chain.raw" write 1600000 10000 201
expect_rc "our-overlay-qemu-check" 0 qemu-img check "$T/ours.qcow2"
expect_rc "our-overlay-compare" 0 qemu-img compare "$T/ours.qcow2" "$T/chain.raw"
if qemu-img info --output=json "$T/ours.qcow2" | grep -q '"backing-filename-format": "qcow2"'; then
    ok our-overlay-backing-fmt; else bad our-overlay-backing-fmt "backing_fmt not recorded"; fi
# Small clusters leave no room for the feature name table beside a backing name.
$IMG create -q -f qcow2 -o cluster_size=512 -b base.raw -F raw "$T/small.qcow2"
expect_rc small-cluster-backing-qemu-check 0 qemu-img check "$T/small.qcow2"
if qemu-img info "$T/small.qcow2" | grep -q "backing file format: raw"; then ok small-cluster-backing-info
else bad small-cluster-backing-info "$(qemu-img info "$T/small.qcow2")"; fi
# block-stream: the top gets all data and loses its backing file.
cp "$T/ours.qcow2" "$T/streamed.qcow2"
expect "stream" $IO "$T/streamed.qcow2" stream
if qemu-img info "$T/streamed.qcow2" | grep -q "backing file"; then bad stream-drops-backing "still has one"
else ok stream-drops-backing; fi
expect_rc "stream-qemu-check" 0 qemu-img check "$T/streamed.qcow2"
expect_rc "stream-compare" 0 qemu-img compare -f qcow2 -F raw "$T/streamed.qcow2" "$T/chain.raw"
# commit into the backing file, then the chain reads the same.
cp "$T/top.qcow2" "$T/top2.qcow2"; cp "$T/mid.qcow2" "$T/mid2.qcow2"
qemu-img rebase -u -b mid2.qcow2 -F qcow2 "$T/top2.qcow2"
qemu-io -c 'write -P 0xd5 3M 128k' "$T/top2.qcow2" >/dev/null
qemu-img convert -O raw "$T/top2.qcow2" "$T/top2.raw"
expect "commit" $IMG commit "$T/top2.qcow2"
expect_rc "commit-qemu-check-base" 0 qemu-img check "$T/mid2.qcow2"
expect_rc "commit-qemu-check-top" 0 qemu-img check "$T/top2.qcow2"
expect_rc "commit-chain-compare" 0 qemu-img compare "$T/top2.qcow2" "$T/top2.raw"
expect_rc "commit-base-compare" 0 qemu-img compare "$T/mid2.qcow2" "$T/top2.raw"
# commit -b: a three-image chain committed into its bottom.
qemu-img create -q -f qcow2 "$T/c1.qcow2" 4M
qemu-io -c 'write -P 1 0 4M' "$T/c1.qcow2" >/dev/null
qemu-img create -q -f qcow2 -b c1.qcow2 -F qcow2 "$T/c2.qcow2"
qemu-io -c 'write -P 2 1M 1M' "$T/c2.qcow2" >/dev/null
qemu-img create -q -f qcow2 -b c2.qcow2 -F qcow2 "$T/c3.qcow2"
qemu-io -c 'write -P 3 1536k 64k' -c 'write -z 3M 64k' "$T/c3.qcow2" >/dev/null
qemu-img convert -O raw "$T/c3.qcow2" "$T/c3.raw"
expect commit-base $IMG commit -b c1.qcow2 "$T/c3.qcow2"
expect_rc commit-base-compare 0 qemu-img compare -f qcow2 -F raw "$T/c1.qcow2" "$T/c3.raw"
expect_rc commit-base-qemu-check 0 qemu-img check "$T/c1.qcow2"
expect_rc commit-base-not-in-chain 1 $IMG commit -b nothere.qcow2 "$T/c3.qcow2"
# rebase (safe) onto nothing keeps the content.
cp "$T/top.qcow2" "$T/rb.qcow2"
expect "rebase-safe" $IMG rebase -b "" "$T/rb.qcow2"
expect_rc "rebase-compare" 0 qemu-img compare "$T/rb.qcow2" "$T/top.raw"
expect_rc "rebase-qemu-check" 0 qemu-img check "$T/rb.qcow2"

# convert -B: only what differs from the backing file is stored.
qemu-img create -q -f raw "$T/bb.raw" 8M
qemu-io -f raw -c 'write -P 1 0 8M' "$T/bb.raw" >/dev/null
cp "$T/bb.raw" "$T/bs.raw"
qemu-io -f raw -c 'write -P 2 1M 64k' -c 'write -z 3M 128k' "$T/bs.raw" >/dev/null
expect convert-B $IMG convert -O qcow2 -B bb.raw -F raw "$T/bs.raw" "$T/cb.qcow2"
expect_rc convert-B-qemu-check 0 qemu-img check "$T/cb.qcow2"
expect_rc convert-B-compare 0 qemu-img compare "$T/cb.qcow2" "$T/bs.raw"
if qemu-img check "$T/cb.qcow2" | grep -q "^1/128 = "; then ok convert-B-sparse; else bad convert-B-sparse "$(qemu-img check "$T/cb.qcow2")"; fi
# Several sources into one compressed image, sizes not cluster multiples.
head -c 100352 /dev/urandom >"$T/m1"; head -c 70144 /dev/zero | tr '\0' 'x' >"$T/m2"
$IMG convert -c -O qcow2 -f raw "$T/m1" "$T/m2" "$T/mc.qcow2"
cat "$T/m1" "$T/m2" >"$T/m12"
expect_rc convert-multi-compressed 0 qemu-img compare -f qcow2 -F raw "$T/mc.qcow2" "$T/m12"

# 5. Snapshots: qemu's read by us, ours read by qemu.
qemu-img create -q -f qcow2 "$T/s.qcow2" 16M
qemu-io -c 'write -P 1 0 2M' "$T/s.qcow2" >/dev/null
qemu-img snapshot -c one "$T/s.qcow2"
qemu-io -c 'write -P 2 1M 2M' "$T/s.qcow2" >/dev/null
qemu-img snapshot -c two "$T/s.qcow2"
qemu-io -c 'write -P 3 0 64k' "$T/s.qcow2" >/dev/null
expect_rc "qemu-snapshots-our-check" 0 $IMG check "$T/s.qcow2"
if [ "$($IMG snapshot -l "$T/s.qcow2" | awk 'NR>2 {print $2}' | tr '\n' ' ')" = "one two " ]; then
    ok snapshot-list; else bad snapshot-list "$($IMG snapshot -l "$T/s.qcow2")"; fi
cp "$T/s.qcow2" "$T/s2.qcow2"
expect "our-snapshot-apply" $IMG snapshot -a one "$T/s2.qcow2"
qemu-img snapshot -a one "$T/s.qcow2"
expect_rc "snapshot-apply-same-as-qemu" 0 qemu-img compare "$T/s.qcow2" "$T/s2.qcow2"
expect_rc "snapshot-apply-qemu-check" 0 qemu-img check "$T/s2.qcow2"
$IO "$T/s2.qcow2" write 0 100000 77 snap-create three write 0 4096 78
expect_rc "our-snapshot-qemu-check" 0 qemu-img check "$T/s2.qcow2"
expect "our-snapshot-delete" $IMG snapshot -d two "$T/s2.qcow2"
expect_rc "our-snapshot-delete-qemu-check" 0 qemu-img check "$T/s2.qcow2"
cp "$T/s2.qcow2" "$T/s3.qcow2"
qemu-img snapshot -a three "$T/s2.qcow2"
$IMG snapshot -a three "$T/s3.qcow2"
expect_rc "our-snapshot-apply-compare" 0 qemu-img compare "$T/s2.qcow2" "$T/s3.qcow2"
expect "our-snapshot-content" $IO "$T/s3.qcow2" read 0 100000 77 read 1048576 65536 1
for s in one three; do expect "snapshot-delete-$s" $IMG snapshot -d $s "$T/s3.qcow2"; done
expect_rc "all-snapshots-deleted-qemu-check" 0 qemu-img check "$T/s3.qcow2"

# 6. info/check/map output matches qemu-img's (modulo the program name).
qemu-img create -q -f qcow2 "$T/i.qcow2" 64M
qemu-io -c 'write -P 1 0 1M' -c 'write -z 2M 64k' "$T/i.qcow2" >/dev/null
for cmd in "info" "info --output=json" "check" "check --output=json" "map" "map --output=json" "snapshot -l"; do
    # shellcheck disable=SC2086
    if diff <(cd "$T" && qemu-img $cmd i.qcow2 2>&1) <(cd "$T" && "$OLDPWD/$IMG" $cmd i.qcow2 2>&1) >"$T/diff"; then
        ok "output-${cmd// /_}"; else bad "output-${cmd// /_}" "$(head -5 "$T/diff")"; fi
done
qemu-img create -q -f qcow2 -b i.qcow2 -F qcow2 "$T/j.qcow2"
for cmd in "info" "info --output=json" "map --output=json" "info --backing-chain" "info --backing-chain --output=json"; do
    # shellcheck disable=SC2086
    if diff <(cd "$T" && qemu-img $cmd j.qcow2 2>&1) <(cd "$T" && "$OLDPWD/$IMG" $cmd j.qcow2 2>&1) >"$T/diff"; then
        ok "output-overlay-${cmd// /_}"; else bad "output-overlay-${cmd// /_}" "$(head -5 "$T/diff")"; fi
done

# Damaged, compressed, compat=0.10 and raw images: same reports as qemu-img.
qemu-img create -q -f qcow2 "$T/k.qcow2" 16M
qemu-io -c 'write -P 0x61 0 1M' "$T/k.qcow2" >/dev/null
truncate -s +65536 "$T/k.qcow2"
python3 - "$T/k.qcow2" <<'PY'
import struct, sys
f = open(sys.argv[1], 'r+b')
f.seek(0x2002a); f.write(struct.pack('>H', 1))  # leak cluster 21
f.seek(0x2000c); f.write(struct.pack('>H', 0))  # refcount 0 for used cluster 6
PY
qemu-img create -q -f qcow2 -o compat=0.10 "$T/v2.qcow2" 16M
qemu-img create -q -f raw "$T/r.raw" 3M
cp "$T/qc.qcow2" "$T/cmp.qcow2"
for f in k.qcow2 cmp.qcow2 v2.qcow2 r.raw; do
    for cmd in "info" "info --output=json" "check" "check --output=json" "map --output=json"; do
        # shellcheck disable=SC2086
        if diff <(cd "$T" && qemu-img $cmd $f 2>&1; echo "rc=$?") \
                <(cd "$T" && "$OLDPWD/$IMG" $cmd $f 2>&1 | sed 's/^baremu-img:/qemu-img:/'; echo "rc=${PIPESTATUS[0]}") >"$T/diff"; then
            ok "output-$f-${cmd// /_}"; else bad "output-$f-${cmd// /_}" "$(head -6 "$T/diff")"; fi
    done
done

# 7. resize and amend, checked by qemu.
$IMG create -q -f qcow2 -o cluster_size=4096 "$T/r.qcow2" 1M
$IO "$T/r.qcow2" write 0 1048576 9
expect "resize-grow" $IMG resize "$T/r.qcow2" +3G
expect_rc "resize-qemu-check" 0 qemu-img check "$T/r.qcow2"
if qemu-img info "$T/r.qcow2" | grep -q "(3222274048 bytes)"; then ok resize-size; else bad resize-size "$(qemu-img info "$T/r.qcow2" | grep virtual)"; fi
expect_rc "resize-shrink-refused" 1 $IMG resize "$T/r.qcow2" 512k
expect "amend-refcount-bits" $IMG amend -o refcount_bits=64 "$T/r.qcow2"
expect_rc "amend-refcount-qemu-check" 0 qemu-img check "$T/r.qcow2"
if qemu-img info "$T/r.qcow2" | grep -q "refcount bits: 64"; then ok amend-refcount-info; else bad amend-refcount-info "not 64"; fi
expect "amend-lazy" $IMG amend -o lazy_refcounts=on "$T/r.qcow2"
expect "amend-compat" $IMG amend -o compat=0.10,lazy_refcounts=off,refcount_bits=16 "$T/r.qcow2"
expect_rc "amend-compat-qemu-check" 0 qemu-img check "$T/r.qcow2"
if qemu-img info "$T/r.qcow2" | grep -q "compat: 0.10"; then ok amend-compat-info; else bad amend-compat-info "not 0.10"; fi
expect "amend-data-kept" $IO "$T/r.qcow2" read 0 1048576 9

# 8. compare reports the first difference like qemu-img, exit 1.
qemu-img create -q -f raw "$T/c1" 1M; qemu-img create -q -f raw "$T/c2" 1M
qemu-io -f raw -c 'write -P 1 5000 1' "$T/c2" >/dev/null
if [ "$($IMG compare "$T/c1" "$T/c2")" = "$(qemu-img compare "$T/c1" "$T/c2")" ]; then ok compare-message; else bad compare-message "$($IMG compare "$T/c1" "$T/c2")"; fi
expect_rc compare-rc 1 $IMG compare "$T/c1" "$T/c2"

finish
