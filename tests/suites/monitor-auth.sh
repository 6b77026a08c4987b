# shellcheck shell=bash
# Monitor access control (issue 5): -object secret, secret= on QMP sockets,
# the refusal of unauthenticated network monitors, and hostile clients on a
# secret listener. Sourced by tests/run-all.sh (uses result, $EMU, $LOGS).

AUTH_TMP=$(mktemp -d /tmp/baremu-auth.XXXXXX)
AUTH_UBOOT=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
AUTH_PY="python3 tests/scripts/qmp-auth.py"
AUTH_SECRET=correct-horse-battery-staple-7f3a
printf '%s' "$AUTH_SECRET" >"$AUTH_TMP/secret"
chmod 600 "$AUTH_TMP/secret"

# 1. Start-up: a TCP monitor off loopback needs a secret; secret= must name one and is
#    QMP's only; -object errors never show the value. One line each, status 1.
auth_refused() { # name expected-text args...
    local name=$1 want=$2 out st
    shift 2
    out=$(timeout 10 "$EMU" -M virt -m 128M -bios none -serial null "$@" 2>&1 </dev/null)
    st=$?
    echo "status $st: $out" >>"$LOGS/monitor-auth-startup.log"
    [ $st -eq 1 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -qF -- "$want" &&
        ! echo "$out" | grep -q TOPSECRET || { echo "FAILED: $name" >>"$LOGS/monitor-auth-startup.log"; return 1; }
}
: >"$LOGS/monitor-auth-startup.log"
AUTH_PORT=$((21000 + $$ % 20000))
{
    auth_refused any-address "needs secret=ID" -monitor none -qmp "tcp::$AUTH_PORT,server=on,wait=off" &&
        auth_refused all-zeros "needs secret=ID" -monitor none \
            -qmp "tcp:0.0.0.0:$AUTH_PORT,server=on,wait=off" &&
        auth_refused hmp-network "needs secret=ID" -monitor "tcp:0.0.0.0:$AUTH_PORT,server=on,wait=off" &&
        auth_refused chardev-network "needs secret=ID" -monitor none \
            -chardev "socket,id=m0,host=0.0.0.0,port=$AUTH_PORT,server=on,wait=off" \
            -mon chardev=m0,mode=control &&
        auth_refused no-such-secret "No secret with id 'nosuch'" -monitor none \
            -qmp "tcp:0.0.0.0:$AUTH_PORT,server=on,wait=off,secret=nosuch" &&
        auth_refused hmp-secret "secret= is for QMP only" -object secret,id=s,data=TOPSECRET \
            -monitor "tcp:127.0.0.1:$AUTH_PORT,server=on,wait=off,secret=s" &&
        auth_refused bad-object "Invalid parameter 'bogus'" \
            -object secret,id=s,data=TOPSECRET,bogus=1 &&
        auth_refused bad-base64 "Base64 data contains invalid characters" \
            -object secret,id=s,data=TOPSECRET!,format=base64 &&
        auth_refused object-type "Parameter 'qom-type' does not accept value 'frob'" \
            -object frob,id=x,data=TOPSECRET
}
result $? monitor-auth-startup

# 2. A secret TCP listener on every address, and a secret Unix one through -chardev/-mon;
#    the secret comes from a file, once as base64. A plain loopback listener needs none.
AUTH_B64=$(printf '%s' "$AUTH_SECRET" | base64 -w0)
AUTH_SOCK=$AUTH_TMP/qmp.sock
timeout 300 "$EMU" -M virt -m 128M -kernel "$AUTH_UBOOT" -serial null -monitor none \
    -object "secret,id=sec0,file=$AUTH_TMP/secret" \
    -object "secret,id=sec1,data=$AUTH_B64,format=base64" \
    -qmp "tcp:0.0.0.0:$AUTH_PORT,server=on,wait=off,secret=sec0" \
    -chardev "socket,id=qs,path=$AUTH_SOCK,server=on,wait=off,secret=sec1" -mon chardev=qs,mode=control \
    -qmp "unix:$AUTH_TMP/open.sock,server=on,wait=off" \
    >"$LOGS/monitor-auth-emu.log" 2>&1 </dev/null &
AUTH_PID=$!
for _ in $(seq 50); do [ -S "$AUTH_SOCK" ] && break; sleep 0.1; done
sleep 0.3

$AUTH_PY protocol "tcp:127.0.0.1:$AUTH_PORT" "$AUTH_SECRET" >"$LOGS/monitor-auth-tcp.log" 2>&1
result $? monitor-auth-tcp
$AUTH_PY protocol "unix:$AUTH_SOCK" "$AUTH_SECRET" >"$LOGS/monitor-auth-unix.log" 2>&1
result $? monitor-auth-unix

# 3. The secret is nowhere in what the monitor shows (query-chardev, info chardev) or logs.
out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"query-chardev"}' \
    '{"execute":"human-monitor-command","arguments":{"command-line":"info chardev"}}' |
    socat -t3 - "UNIX-CONNECT:$AUTH_TMP/open.sock" 2>&1)
echo "$out" >"$LOGS/monitor-auth-not-shown.log"
echo "$out" | grep -q "tcp:0.0.0.0:$AUTH_PORT,server=on" &&
    ! grep -q -e "$AUTH_SECRET" -e "$AUTH_B64" "$LOGS/monitor-auth-not-shown.log" "$LOGS/monitor-auth-emu.log"
result $? monitor-auth-not-shown

# 4. Hostile: 1,000 unauthenticated connections (connect-and-close, half messages,
#    garbage, wrong secrets, 100 KB of brackets, silent clients) on each listener; the
#    guest runs and authenticated clients, old and new, are answered.
timeout 120 $AUTH_PY hostile "tcp:127.0.0.1:$AUTH_PORT" "$AUTH_SECRET" 1000 \
    >"$LOGS/monitor-auth-hostile-tcp.log" 2>&1
result $? monitor-auth-hostile-tcp
timeout 120 $AUTH_PY hostile "unix:$AUTH_SOCK" "$AUTH_SECRET" 1000 \
    >"$LOGS/monitor-auth-hostile-unix.log" 2>&1
result $? monitor-auth-hostile-unix

kill "$AUTH_PID" 2>/dev/null
wait "$AUTH_PID" 2>/dev/null
rm -rf "$AUTH_TMP"
