#!/usr/bin/env bash
# make bench: baremu against qemu-system-riscv64 (TCG) on the shared
# rv-sysbench workload, side by side in one run: alternate A B A B, take the
# median whole-process wall time of each, print the ratio. Every run's
# checksum is verified; a wrong checksum fails the benchmark whatever the speed.
#   RUNS=5 make bench
set -eu
cd "$(dirname "$0")/.."
EMU=build/host/baremu
RUNS=${RUNS:-5}
SRC=../shared/bench/rv-sysbench
OUT=build/bench
WANT_CHECK=check=1916883256
mkdir -p "$OUT"
[ -d "$SRC" ] || { echo "bench: $SRC not found (the shared workload)"; exit 1; }
# shared/ is read-only: build a private copy of the workload.
cp "$SRC"/{bench.c,start.S,link.ld,Makefile} "$OUT/"
make -s -C "$OUT" rv-sysbench.elf >/dev/null 2>&1
ELF="$OUT/rv-sysbench.elf"

run_one() { # label command... ; prints seconds
    local label=$1 t0 t1 out
    shift
    t0=$(date +%s.%N)
    out=$("$@" </dev/null 2>&1)
    t1=$(date +%s.%N)
    if ! grep -q "$WANT_CHECK" <<<"$out"; then
        echo "bench: wrong or missing checksum from $label:" >&2
        tail -5 <<<"$out" >&2
        exit 1
    fi
    grep -a ' ticks=' <<<"$out" >>"$OUT/$label.ticks" || true
    echo "$t1 - $t0" | bc
}
. bench/lib.sh # median

ARGS=(-M virt -m 128M -bios "$ELF" -nographic)
: >"$OUT/baremu.times"
: >"$OUT/qemu.times"
: >"$OUT/baremu.ticks"
: >"$OUT/qemu.ticks"
have_qemu=0
command -v qemu-system-riscv64 >/dev/null && have_qemu=1
for i in $(seq "$RUNS"); do
    run_one baremu "$EMU" "${ARGS[@]}" >>"$OUT/baremu.times"
    [ $have_qemu -eq 0 ] || run_one qemu qemu-system-riscv64 "${ARGS[@]}" >>"$OUT/qemu.times"
done
b=$(median <"$OUT/baremu.times")
echo "rv-sysbench: baremu median ${b}s over $RUNS runs"
if [ $have_qemu -eq 1 ]; then
    q=$(median <"$OUT/qemu.times")
    echo "rv-sysbench: qemu-system-riscv64 $(qemu-system-riscv64 --version | head -1 | awk '{print $4}') median ${q}s"
    echo "rv-sysbench: ratio baremu/qemu = $(echo "scale=3; $b / $q" | bc) (below 1.0: baremu is faster)"
    # Per workload: median guest ticks (CLINT, 10 MHz) of each, and their ratio.
    awk 'FNR == 1 { f++ } { split($2, t, "="); v[f, $1, ++n[f, $1]] = t[2] + 0; if (f == 1 && !seen[$1]++) w[++nw] = $1 }
         function med(f, k,   m, i, j, x, a) { m = n[f, k]; for (i = 1; i <= m; i++) a[i] = v[f, k, i]
             for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
             return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
         END { printf "rv-sysbench: %-8s %12s %12s %7s\n", "ticks", "baremu", "qemu", "ratio"
               for (i = 1; i <= nw; i++) { b = med(1, w[i]); q = med(2, w[i])
                   printf "rv-sysbench: %-8s %12d %12d %7.3f\n", w[i], b, q, q ? b / q : 0 } }' \
        "$OUT/baremu.ticks" "$OUT/qemu.ticks"
fi

# baremu-img convert against qemu-img convert (block layer).
bash bench/img-convert.sh
