#!/bin/bash
# RISC-V ISA tests: runs every tests/guests/riscv/out/*.elf on the virt machine and
# compares serial output byte for byte.
#   riscv-isa.sh [--emu PATH] [--qemu] [--regen] [--timeout S] [TEST...]
#   --emu PATH   run each test on this emulator binary too; its output must equal
#                QEMU's (or, without QEMU, the recorded expected/NAME.out)
#   --qemu       require QEMU (fail instead of falling back to expected files)
#   --regen      rewrite expected/NAME.out from QEMU (checks that two runs agree)
# Without --emu: QEMU's output must end with "DONE NAME" and equal expected/NAME.out.
# Prints "PASS name" / "FAIL name (...)" per test and "N passed, M failed".
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GDIR=$ROOT/tests/guests/riscv
EMU=
NEED_QEMU=0
REGEN=0
TMO=10
QEMU=${QEMU:-qemu-system-riscv64}
ARGS=(-M virt -m 128M -nographic)
# QEMU's default hart has extensions baremu does not implement (H, Zb*, Sstc,
# Zihintpause); compare against a QEMU hart configured as baremu's is.
QEMU_CPU=(-cpu rv64,h=false,zba=false,zbb=false,zbc=false,zbs=false,sstc=false,Zihintpause=false)
TESTS=()
while [ $# -gt 0 ]; do
    case $1 in
    --emu) EMU=$2; shift 2 ;;
    --qemu) NEED_QEMU=1; shift ;;
    --regen) REGEN=1; NEED_QEMU=1; shift ;;
    --timeout) TMO=$2; shift 2 ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) TESTS+=("$1"); shift ;;
    esac
done

make -s -C "$GDIR" >&2 || { echo "0 passed, 1 failed"; exit 1; }
if [ ${#TESTS[@]} -eq 0 ]; then
    for f in "$GDIR"/out/*.elf; do TESTS+=("$(basename "$f" .elf)"); done
fi

HAVE_QEMU=0
command -v "$QEMU" >/dev/null 2>&1 && HAVE_QEMU=1
if [ $NEED_QEMU = 1 ] && [ $HAVE_QEMU = 0 ]; then
    echo "$QEMU not found" >&2
    echo "0 passed, ${#TESTS[@]} failed"
    exit 1
fi
if [ -n "$EMU" ] && [ ! -x "$EMU" ]; then
    echo "emulator $EMU not executable" >&2
    echo "0 passed, ${#TESTS[@]} failed"
    exit 1
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# run BINARY ELF OUTFILE [ARGS...]: serial output (CRLF normalised) in OUTFILE;
# returns the exit status (124 on timeout).
run() {
    local bin=$1 elf=$2 out=$3
    shift 3
    timeout -k 2 "$TMO" "$bin" "${ARGS[@]}" "$@" -bios "$elf" </dev/null 2>"$out.err" |
        tr -d '\r' >"$out"
    return "${PIPESTATUS[0]}"
}

# why NAME OUT STATUS: empty if the run looks complete, else the reason.
check_done() {
    local name=$1 out=$2 st=$3
    if [ "$st" = 124 ]; then echo "timeout"; return; fi
    if [ "$st" != 0 ]; then echo "exit status $st"; return; fi
    if [ "$(tail -n 1 "$out")" != "DONE $name" ]; then echo "no DONE line"; return; fi
}

# difference A B: a short description of the first differing lines.
difference() {
    diff -u --label "$3" --label "$4" "$1" "$2" | sed -n '3,$p' | grep '^[-+]' | head -n 6 |
        tr '\n' ';' | sed 's/;$//'
}

pass=0
fail=0
for name in "${TESTS[@]}"; do
    elf=$GDIR/out/$name.elf
    exp=$GDIR/expected/$name.out
    reason=
    ref=
    if [ ! -f "$elf" ]; then
        reason="no $elf"
    elif [ $HAVE_QEMU = 1 ]; then
        run "$QEMU" "$elf" "$TMP/$name.qemu" "${QEMU_CPU[@]}"
        st=$?
        reason=$(check_done "$name" "$TMP/$name.qemu" $st)
        [ -n "$reason" ] && reason="qemu: $reason"
        ref=$TMP/$name.qemu
        if [ -z "$reason" ] && [ $REGEN = 1 ]; then
            run "$QEMU" "$elf" "$TMP/$name.qemu2" "${QEMU_CPU[@]}"
            if cmp -s "$TMP/$name.qemu" "$TMP/$name.qemu2"; then
                cp "$TMP/$name.qemu" "$exp"
            else
                reason="qemu output differs between runs: $(difference "$TMP/$name.qemu" \
                    "$TMP/$name.qemu2" run1 run2)"
            fi
        elif [ -z "$reason" ] && [ -z "$EMU" ]; then
            if [ ! -f "$exp" ]; then
                reason="no expected/$name.out (run with --regen)"
            elif ! cmp -s "$exp" "$ref"; then
                reason="qemu differs from expected: $(difference "$exp" "$ref" expected qemu)"
            fi
        fi
    elif [ -f "$exp" ]; then
        ref=$exp
    else
        reason="no QEMU and no expected/$name.out"
    fi
    if [ -z "$reason" ] && [ -n "$EMU" ]; then
        run "$EMU" "$elf" "$TMP/$name.emu"
        st=$?
        if ! cmp -s "$ref" "$TMP/$name.emu"; then
            reason="$(difference "$ref" "$TMP/$name.emu" reference emu)"
            [ "$st" = 124 ] && reason="timeout; $reason"
        else
            reason=$(check_done "$name" "$TMP/$name.emu" $st)
            [ -n "$reason" ] && reason="emu: $reason"
        fi
    fi
    if [ -z "$reason" ]; then
        echo "PASS $name"
        pass=$((pass + 1))
    else
        echo "FAIL $name ($reason)"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]
