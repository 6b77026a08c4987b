# Shared by the block tests: tools, a scratch dir, PASS/FAIL counting.
# Each script ends with "N passed, M failed" (tests/run-all.sh's suite format).
IMG=${IMG:-build/host/baremu-img}
IO=${IO:-build/host/tests/block/blk-io}
T=$(mktemp -d "${TMPDIR:-/tmp}/baremu-block.XXXXXX")
trap 'rm -rf "$T"' EXIT
npass=0
nfail=0
ok() { # name
    npass=$((npass + 1))
    echo "PASS $1"
}
bad() { # name why
    nfail=$((nfail + 1))
    echo "FAIL $1: $2"
}
# expect NAME CMD...: the command must succeed
expect() {
    local name=$1
    shift
    if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$* -> $out"; fi
}
# expect_rc NAME RC CMD...: the command must exit with RC
expect_rc() {
    local name=$1 want=$2 rc
    shift 2
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$name"; else bad "$name" "exit $rc, wanted $want: $* -> $out"; fi
}
finish() {
    echo "$npass passed, $nfail failed"
    [ "$nfail" -eq 0 ]
}
