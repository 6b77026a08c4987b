#!/usr/bin/env bash
# Hostile images: each is made from a good one by editing bytes, and every
# tool run on it must end with a clear error (never a crash, a hang, or a
# write outside the image); check must see the damage and repair what can
# be repaired.
cd "$(dirname "$0")/../.."
. tests/block/lib.sh

# poke FILE OFFSET FORMAT VALUE: big-endian struct write (FORMAT: Q, L, H, B)
poke() { python3 -c "
import struct,sys
f=open(sys.argv[1],'r+b'); f.seek(int(sys.argv[2],0)); f.write(struct.pack('>'+sys.argv[3],int(sys.argv[4],0)))" "$@"; }
# runs CMD with a time limit; fails the test on a signal or a hang
safe() { # name want_rc grep_pattern cmd...
    local name=$1 want=$2 pat=$3 rc
    shift 3
    out=$(timeout 20 "$@" 2>&1)
    rc=$?
    if [ $rc -ge 124 ]; then bad "$name" "killed/hung (exit $rc): $out"
    elif [ "$rc" -ne "$want" ]; then bad "$name" "exit $rc, wanted $want: $out"
    elif [ -n "$pat" ] && ! grep -qiE "$pat" <<<"$out"; then bad "$name" "no '$pat' in: $out"
    else ok "$name"; fi
}
fresh() { # a 16 MiB image, 64 KiB clusters: header 0, reftable 0x10000, refblock 0x20000,
          # L1 0x30000, L2 0x40000, data from 0x50000
    rm -f "$T/h.qcow2"
    qemu-img create -q -f qcow2 "$T/h.qcow2" 16M
    qemu-io -c 'write -P 0x61 0 1M' "$T/h.qcow2" >/dev/null
}
len() { stat -c %s "$1"; }

fresh
for cut in 0 50 100 70000 200000; do
    cp "$T/h.qcow2" "$T/t.qcow2"; truncate -s $cut "$T/t.qcow2"
    safe "truncated-$cut-read" 1 "." $IMG convert -f qcow2 -O raw "$T/t.qcow2" "$T/out.raw"
    safe "truncated-$cut-write" 1 "." $IO -f qcow2 "$T/t.qcow2" write 0 4096 1
done
# Data clusters cut off: reads give zeros as in QEMU, check reports the damage.
cp "$T/h.qcow2" "$T/t.qcow2"; truncate -s 327680 "$T/t.qcow2"
safe truncated-data-check 2 "exceeding the end of the file" $IMG check "$T/t.qcow2"

fresh; poke "$T/h.qcow2" 24 Q 0x7fffffffffffffff
safe huge-size 1 "too large" $IMG info "$T/h.qcow2"
fresh; poke "$T/h.qcow2" 36 L 0xffffffff
safe huge-l1 1 "too large" $IMG info "$T/h.qcow2"
fresh; poke "$T/h.qcow2" 56 L 0x7fffffff
safe huge-reftable 1 "too large" $IMG info "$T/h.qcow2"
fresh; poke "$T/h.qcow2" 20 L 40
safe bad-cluster-bits 1 "cluster size" $IMG info "$T/h.qcow2"
fresh; poke "$T/h.qcow2" 40 Q 0x10000000000
safe l1-past-eof 1 "past the end" $IMG info "$T/h.qcow2"
fresh; poke "$T/h.qcow2" 48 Q 0x12345
safe reftable-unaligned 1 "aligned" $IMG info "$T/h.qcow2"
fresh; poke "$T/h.qcow2" 72 Q 0x100
safe unknown-incompat-feature 1 "Unsupported qcow2 feature" $IMG info "$T/h.qcow2"
fresh; poke "$T/h.qcow2" 100 L 0x20000
safe bad-header-length 1 "header length" $IMG info "$T/h.qcow2"
fresh; poke "$T/h.qcow2" 4 L 9
safe bad-version 1 "version" $IMG info "$T/h.qcow2"

# Overlapping tables: L1 placed on the refcount table.
fresh; poke "$T/h.qcow2" 40 Q 0x10000
safe overlap-check 2 "ERROR" $IMG check "$T/h.qcow2"
size0=$(len "$T/h.qcow2")
safe overlap-write-refused 1 "corrupt" $IO "$T/h.qcow2" write 0 65536 2
safe overlap-marked-corrupt 1 "corrupt" $IO "$T/h.qcow2" write 0 512 2
[ "$(len "$T/h.qcow2")" -le $((size0 + 65536)) ] && ok overlap-no-growth || bad overlap-no-growth "$(len "$T/h.qcow2")"

# L1 entry pointing far past the end: reads fail cleanly, nothing is written there.
fresh; poke "$T/h.qcow2" 0x30000 Q 0x80000100000000
safe l2-past-eof-read 1 "past the end" $IMG convert -O raw "$T/h.qcow2" "$T/out.raw"
safe l2-past-eof-write 1 "." $IO "$T/h.qcow2" write 0 4096 3
[ "$(len "$T/h.qcow2")" -lt $((1 << 24)) ] && ok l2-past-eof-no-escape || bad l2-past-eof-no-escape "grew to $(len "$T/h.qcow2")"
safe l2-past-eof-check 2 "past the end" $IMG check "$T/h.qcow2"

# Data cluster entry unaligned, and one past the end of the file.
fresh; poke "$T/h.qcow2" 0x40000 Q 0x8000000000050200
safe l2-entry-unaligned-read 1 "unaligned" $IMG convert -O raw "$T/h.qcow2" "$T/out.raw"
safe l2-entry-unaligned-check 2 "not properly aligned" $IMG check "$T/h.qcow2"
fresh; poke "$T/h.qcow2" 0x40008 Q 0x8000100000000000
safe data-past-eof-write 1 "past the end" $IO "$T/h.qcow2" write 65536 512 4
[ "$(len "$T/h.qcow2")" -lt $((1 << 24)) ] && ok data-past-eof-no-escape || bad data-past-eof-no-escape "grew to $(len "$T/h.qcow2")"

# Refcount table entry past the end: refused for use, check sees it, -r all rebuilds.
fresh; poke "$T/h.qcow2" 0x10000 Q 0x40000000000
safe refblock-past-eof-open 1 "refcount block" $IO "$T/h.qcow2" write 0 512 1
safe refblock-past-eof-check 2 "ERROR" $IMG check "$T/h.qcow2"
safe refblock-past-eof-repair 0 "" $IMG check -r all "$T/h.qcow2"
expect_rc refblock-past-eof-qemu-check 0 qemu-img check "$T/h.qcow2"
expect refblock-past-eof-data-kept $IO "$T/h.qcow2" read 0 1048576 0x61

# Refcount too low (a corruption) and too high (a leak): check exit codes, repair.
fresh; poke "$T/h.qcow2" 0x2000a H 0
safe refcount-zero-check 2 "ERROR cluster 5 refcount=0 reference=1" $IMG check "$T/h.qcow2"
safe refcount-zero-leaks-only 2 "" $IMG check -r leaks "$T/h.qcow2"
safe refcount-zero-repair 0 "" $IMG check -r all "$T/h.qcow2"
expect_rc refcount-zero-qemu-check 0 qemu-img check "$T/h.qcow2"
fresh; poke "$T/h.qcow2" 0x2000a H 2
safe leak-check 2 "" $IMG check "$T/h.qcow2"
fresh; truncate -s +65536 "$T/h.qcow2"; poke "$T/h.qcow2" 0x2002a H 1
safe leak-check-3 3 "Leaked cluster 21 refcount=1 reference=0" $IMG check "$T/h.qcow2"
cp "$T/h.qcow2" "$T/h2.qcow2"
safe leak-repair 0 "1 leaked clusters" $IMG check -r leaks "$T/h.qcow2"
expect_rc leak-repair-qemu-check 0 qemu-img check "$T/h.qcow2"
qemu-img check -r leaks "$T/h2.qcow2" >/dev/null 2>&1
expect_rc leak-same-as-qemu-repair 0 cmp "$T/h.qcow2" "$T/h2.qcow2"

# Refcount overflow: a cluster at the 16-bit maximum cannot gain a snapshot's reference.
fresh; poke "$T/h.qcow2" 0x2000a H 0xffff
safe refcount-overflow 1 "overflow" $IMG snapshot -c s "$T/h.qcow2"
$IMG create -q -f qcow2 -o refcount_bits=1 "$T/r1.qcow2" 1M
$IO "$T/r1.qcow2" write 0 65536 1
safe refcount-1bit-snapshot 1 "overflow" $IMG snapshot -c s "$T/r1.qcow2"

# Header extensions: too long, bad backing format; unknown ones survive our rewrites.
fresh; poke "$T/h.qcow2" 112 L 0x6803f857; poke "$T/h.qcow2" 116 L 0xffff0
safe ext-too-long 1 "too large" $IMG info "$T/h.qcow2"
fresh; poke "$T/h.qcow2" 0x10 L 2000; poke "$T/h.qcow2" 8 Q 0x200
safe backing-name-too-long 1 "backing file name" $IMG info "$T/h.qcow2"
$IMG create -q -f qcow2 "$T/e.qcow2" 4M
python3 - "$T/e.qcow2" <<'PY'
import struct, sys
f = open(sys.argv[1], 'r+b')
f.seek(112)
f.write(struct.pack('>LL', 0x12345678, 5) + b'hello\0\0\0' + bytes(8))
PY
$IMG resize "$T/e.qcow2" 8M >/dev/null
$IO "$T/e.qcow2" write 0 4096 1 snap-create x
if head -c 65536 "$T/e.qcow2" | grep -q hello; then ok unknown-ext-kept; else bad unknown-ext-kept "dropped"; fi
expect_rc unknown-ext-qemu-check 0 qemu-img check "$T/e.qcow2"

# Corrupt bit: refused for writing with the reason, readable, cleared by repair.
fresh; poke "$T/h.qcow2" 72 Q 2
safe corrupt-refused 1 "corrupt.*read/write" $IO "$T/h.qcow2" write 0 512 1
safe corrupt-readable 0 "" $IMG convert -O raw "$T/h.qcow2" "$T/out.raw"
safe corrupt-info 0 "corrupt: true" $IMG info "$T/h.qcow2"
safe corrupt-repair 0 "" $IMG check -r all "$T/h.qcow2"
safe corrupt-cleared 0 "corrupt: false" $IMG info "$T/h.qcow2"

# Backing chain loop and a missing backing file.
qemu-img create -q -f qcow2 "$T/a.qcow2" 1M
qemu-img create -q -f qcow2 -b a.qcow2 -F qcow2 "$T/b.qcow2"
qemu-img rebase -q -u -b b.qcow2 -F qcow2 "$T/a.qcow2"
safe backing-loop 1 "too deep" $IMG convert -O raw "$T/b.qcow2" "$T/out.raw"
qemu-img rebase -q -u -b nothere.qcow2 -F qcow2 "$T/a.qcow2"
safe backing-missing 1 "backing file" $IMG convert -O raw "$T/a.qcow2" "$T/out.raw"

# One L2 table listed half a million times in the L1 table: the check must
# finish (each table is walked once) and writers refuse the image.
qemu-img create -q -f qcow2 "$T/big.qcow2" 256T
qemu-io -c 'write -P 7 0 64k' "$T/big.qcow2" >/dev/null
python3 - "$T/big.qcow2" <<'PY'
import struct, sys
f = open(sys.argv[1], 'r+b')
h = f.read(72)
l1_size, l1_off = struct.unpack_from('>LQ', h, 36)
f.seek(l1_off)
e = f.read(8)
f.seek(l1_off)
f.write(e * l1_size)
PY
safe l2-listed-twice-check 2 "ERROR" $IMG check "$T/big.qcow2"
safe l2-listed-twice-snapshot 1 "listed twice" $IMG snapshot -c s "$T/big.qcow2"

# Snapshot table past the end of the file.
fresh; qemu-img snapshot -c s "$T/h.qcow2"; poke "$T/h.qcow2" 64 Q 0x100000000
safe snapshots-past-eof 1 "snapshot table" $IMG info "$T/h.qcow2"

finish
