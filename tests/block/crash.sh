#!/usr/bin/env bash
# Crash safety: a writer doing random stamped writes and flushes is killed
# with SIGKILL at a random point, for every cache mode and both
# lazy_refcounts settings. Afterwards: without lazy_refcounts qemu-img check
# finds no corruption (leaks are allowed); with it the image is repaired
# (by qemu-img check -r all or by our repair-on-open, alternately); then it
# checks clean, and every sector holds the last flushed write to it or a
# later one - no flushed write is lost.
cd "$(dirname "$0")/../.."
. tests/block/lib.sh

verify() { # raw log [selftest] -> exit 0 if no flushed write was lost
    python3 - "$@" <<'PY'
import struct, sys
raw = open(sys.argv[1], 'rb').read()
writes, flushed = [], 0
for line in open(sys.argv[2]):
    p = line.split()
    if len(p) == 4 and p[0] in 'WZ':
        writes.append((p[0], int(p[1]), int(p[2]), int(p[3])))
    elif len(p) == 2 and p[0] == 'F':
        flushed = int(p[1])
# What a sector may hold after a write: its stamp, or 0 (zeros) after a zero write.
need = {}    # sector -> content of the last flushed write covering it
later = {}   # sector -> contents of unflushed writes covering it
for kind, seq, off, ln in writes:
    val = seq if kind == 'W' else 0
    for s in range(off // 512, (off + ln) // 512):
        if seq <= flushed:
            need[s] = val
        else:
            later.setdefault(s, set()).add(val)
if len(sys.argv) > 3:  # self-test: lose one flushed write, which must be caught
    s = next(s for s in need if s not in later and need[s])
    raw = raw[:s * 512] + bytes(512) + raw[(s + 1) * 512:]
import os
init = os.environ.get('INITIAL')  # byte the image was filled with before the log began
bad = 0
for s in set(need) | set(later):
    sec = raw[s * 512:(s + 1) * 512]
    seq, where = struct.unpack_from('<QQ', sec)
    if init is not None and sec == bytes([int(init)]) * 512:
        got = 'init'
    elif sec == bytes(512):
        got = 0
    elif sec != sec[:16] * 32 or where != s * 512:
        got = -1  # torn or misplaced
    else:
        got = seq
    ok = got == need.get(s, 0 if init is None else 'init') or got in later.get(s, ())
    if not ok:
        bad += 1
        if bad < 5:
            print(f"sector {s}: has write {got}, last flushed write was {need.get(s, 0)}")
print(f"{len(writes)} writes, last flush after write {flushed}, {bad} bad sectors")
sys.exit(1 if bad else 0)
PY
}

trial=0
for round in $(seq "${CRASH_ROUNDS:-2}"); do
for lazy in off on; do
    for cache in writeback writethrough none directsync unsafe; do
        trial=$((trial + 1))
        n="crash$round-$cache-lazy_$lazy"
        img="$T/c.qcow2"
        rm -f "$img" "$T/log" "$T/c.raw"
        $IMG create -q -f qcow2 -o lazy_refcounts=$lazy,cluster_size=4096 "$img" 16M
        $IO -t $cache "$img" crash $((RANDOM + trial)) "$T/log" &
        pid=$!
        sleep "0.$((RANDOM % 5 + 2))"
        kill -KILL $pid
        wait $pid 2>/dev/null
        qemu-img check "$img" >"$T/check1" 2>&1
        rc=$?
        if [ $lazy = off ] && [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
            bad "$n-consistent" "qemu-img check exit $rc: $(head -3 "$T/check1")"
            continue
        fi
        ok "$n-consistent"
        if [ $((trial % 2)) -eq 0 ]; then
            qemu-img check -q -r all "$img" >/dev/null 2>&1
        else
            # Our repair: leaks for clean images, open-time rebuild for dirty ones.
            $IMG check -q -r all "$img" >/dev/null 2>&1
            $IO "$img" >/dev/null 2>&1
        fi
        expect_rc "$n-repaired" 0 qemu-img check "$img"
        qemu-img convert -O raw "$img" "$T/c.raw"
        if out=$(verify "$T/c.raw" "$T/log"); then ok "$n-no-flushed-write-lost"; echo "  $out"
        else bad "$n-no-flushed-write-lost" "$out"; fi
    done
done
done
# With a snapshot taken first, every write copies shared clusters (and L2
# tables): after the kill the image is consistent and the snapshot intact.
for lazy in off on; do
    n="crash-snapshot-lazy_$lazy"
    img="$T/s.qcow2"
    rm -f "$img"
    $IMG create -q -f qcow2 -o lazy_refcounts=$lazy,cluster_size=4096 "$img" 16M
    $IO "$img" write 0 16777216 90 snap-create s
    $IO "$img" crash $RANDOM "$T/slog" &
    pid=$!
    sleep 0.4
    kill -KILL $pid
    wait $pid 2>/dev/null
    qemu-img check "$img" >"$T/check1" 2>&1
    rc=$?
    if [ $lazy = off ] && [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
        bad "$n-consistent" "qemu-img check exit $rc: $(head -3 "$T/check1")"
    else ok "$n-consistent"; fi
    $IO "$img" >/dev/null 2>&1 # our repair on open (dirty) or nothing
    qemu-img check -q -r leaks "$img" >/dev/null 2>&1
    expect_rc "$n-repaired" 0 qemu-img check "$img"
    qemu-img convert -O raw "$img" "$T/s.raw"
    if out=$(INITIAL=90 verify "$T/s.raw" "$T/slog"); then ok "$n-no-flushed-write-lost"; else bad "$n-no-flushed-write-lost" "$out"; fi
    expect "$n-snapshot-apply" $IMG snapshot -a s "$img"
    expect "$n-snapshot-intact" $IO "$img" read 0 16777216 90
    expect_rc "$n-after-apply" 0 qemu-img check "$img"
done

# The verifier itself must notice a lost write.
if verify "$T/c.raw" "$T/log" selftest >/dev/null; then bad verifier-catches-loss "it did not"
else ok verifier-catches-loss; fi
finish
