#!/usr/bin/env bash
# baremu-img convert against qemu-img convert on a 2 GiB image with mixed
# data (random and compressible) and holes: qcow2->raw and raw->qcow2,
# alternating runs A B A B, medians of wall time, ratio printed. Outputs
# are checked with qemu-img compare so a fast wrong answer fails.
#   RUNS=5 bash bench/img-convert.sh
set -eu
cd "$(dirname "$0")/.."
IMG=build/host/baremu-img
RUNS=${RUNS:-5}
OUT=${BENCH_DIR:-build/bench/img}
mkdir -p "$OUT"
command -v qemu-img >/dev/null || { echo "img-convert: qemu-img not installed"; exit 1; }

SRC_RAW=$OUT/src.raw
SRC_QCOW2=$OUT/src.qcow2
if [ ! -e "$OUT/.ok" ]; then
    # 2 GiB: every 8 MiB stripe has 3 MiB random, 2 MiB repetitive text, 3 MiB hole.
    rm -f "$SRC_RAW"
    truncate -s 2G "$SRC_RAW"
    python3 - "$SRC_RAW" <<'PY'
import os, sys
f = open(sys.argv[1], 'r+b')
text = (b'baremu block benchmark line of text 0123456789\n' * 50000)[:2 << 20]
for i in range(256):
    f.seek(i * (8 << 20))
    f.write(os.urandom(3 << 20))
    f.write(text)
PY
    qemu-img convert -f raw -O qcow2 "$SRC_RAW" "$SRC_QCOW2"
    touch "$OUT/.ok"
fi

run() { # prints seconds
    local t0 t1
    sync
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}
. bench/lib.sh # median

for dir in qcow2-raw raw-qcow2; do
    if [ $dir = qcow2-raw ]; then in=$SRC_QCOW2 inf=qcow2 outf=raw; else in=$SRC_RAW inf=raw outf=qcow2; fi
    : >"$OUT/b.times"
    : >"$OUT/q.times"
    for i in $(seq "$RUNS"); do
        rm -f "$OUT/b.out" "$OUT/q.out"
        run $IMG convert -f $inf -O $outf "$in" "$OUT/b.out" >>"$OUT/b.times"
        run qemu-img convert -f $inf -O $outf "$in" "$OUT/q.out" >>"$OUT/q.times"
    done
    qemu-img compare -q -f $outf -F $outf "$OUT/b.out" "$OUT/q.out" ||
        { echo "img-convert $dir: baremu-img's output differs from qemu-img's"; exit 1; }
    if [ $outf = qcow2 ]; then
        qemu-img check -q "$OUT/b.out" || { echo "img-convert $dir: output fails qemu-img check"; exit 1; }
    fi
    b=$(median <"$OUT/b.times")
    q=$(median <"$OUT/q.times")
    echo "img-convert $dir (2 GiB, data+holes): baremu-img median ${b}s, qemu-img ${q}s over $RUNS runs"
    echo "img-convert $dir: ratio baremu-img/qemu-img = $(echo "scale=3; $b / $q" | bc) (below 1.0: baremu-img is faster)"
done
rm -f "$OUT/b.out" "$OUT/q.out"
