#!/usr/bin/env bash
# Bad command lines: exactly one line on stderr that names the offending
# option or value, exit status 1, nothing started.
set -u
EMU=${1:-build/host/baremu}
status=0
bad() { # expected-substring args...
    local want=$1 err rc
    shift
    err=$("$EMU" "$@" 2>&1 </dev/null >/dev/null)
    rc=$?
    if [ $rc -ne 1 ] || [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] || [[ "$err" != *"$want"* ]]; then
        echo "BAD: baremu $* -> status $rc, stderr: $err (wanted one line with '$want')"
        status=1
    else
        echo "ok: $* -> $err"
    fi
}
bad "-frobnicate" -frobnicate
bad "-m" -m
bad "xyz" -M virt -m xyz -nographic
bad "nosuchboard" -M nosuchboard -nographic
bad "nosuchaccel" -M virt -accel nosuchaccel -nographic
bad "/nonexistent/fw.bin" -M virt -bios /nonexistent/fw.bin -nographic
bad "/nonexistent/kernel" -M virt -kernel /nonexistent/kernel -nographic
bad "-smp" -M virt -smp 0 -nographic
bad "-d" -d nosuchlog -M virt -nographic
bad "/nonexistent/rng" -object rng-random,id=r0,filename=/nonexistent/rng -M virt -nographic
bad "'zz'" -M virt -device virtio-rng-device,rng=zz -nographic
bad "max-bytes" -M virt -device virtio-rng-device,max-bytes=0 -nographic
bad "frob" -M virt -device virtio-rng-device,frob=1 -nographic

# -version and -help succeed.
"$EMU" -version | grep -q -i version || { echo "BAD: -version"; status=1; }
"$EMU" -help | grep -q -- -nographic || { echo "BAD: -help"; status=1; }
# -M help lists the virt machine.
"$EMU" -M help | grep -q '^virt' || { echo "BAD: -M help"; status=1; }
exit $status
