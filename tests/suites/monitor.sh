# shellcheck shell=bash
# The monitor (issue 5, hosted side): sourced by tests/run-all.sh, reports
# through result(). Real clients: socat and a Python QMP client over Unix
# and TCP sockets, readelf and gdb-multiarch on dumps, tmux on the console.
# QEMU answers the same transcript where it is installed, for shapes.

MON_UBOOT=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
MON_TMP=$(mktemp -d /tmp/baremu-mon.XXXXXX)
MON_QMPT="python3 tests/scripts/qmp-test.py"
MON_PIDS=()

# Start an emulator in the background; its pid goes to MON_PIDS. Waits for the socket.
mon_start() { # log socket-path-or-empty args...
    local log=$1 sock=$2
    shift 2
    "$@" >"$log" 2>&1 </dev/null &
    MON_PIDS+=($!)
    local i
    for i in $(seq 50); do
        [ -z "$sock" ] || [ -S "$sock" ] && break
        sleep 0.1
    done
}

mon_stop_all() {
    local p
    for p in "${MON_PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${MON_PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    MON_PIDS=()
}

BSOCK=$MON_TMP/qmp.sock
mon_start "$LOGS/monitor-emu.log" "$BSOCK" \
    timeout 300 "$EMU" -M virt -m 128M -kernel "$MON_UBOOT" -serial null \
    -qmp "unix:$BSOCK,server=on,wait=off" -qmp tcp:127.0.0.1:0,server=on,wait=off \
    -monitor "unix:$MON_TMP/hmp.sock,server=on,wait=off"

# 1. socat over a Unix socket: greeting, negotiation, a command with an id, an unknown one.
out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"query-status","id":"s1"}' \
    '{"execute":"frob"}' | socat -t3 - "UNIX-CONNECT:$BSOCK" 2>&1 | tr -d '\r')
echo "$out" >"$LOGS/monitor-socat-unix.log"
echo "$out" | grep -q '^{"QMP": {"version": {"qemu": {"micro": 0, "minor": 1, "major": 0}, "package": "baremu-0.1.0"}, "capabilities": \[\]}}' &&
    echo "$out" | grep -qx '{"return": {}}' &&
    echo "$out" | grep -qx '{"return": {"status": "running", "singlestep": false, "running": true}, "id": "s1"}' &&
    echo "$out" | grep -qx '{"error": {"class": "CommandNotFound", "desc": "The command frob has not been found"}}'
result $? monitor-socat-unix

# 2. socat over TCP (its own -qmp with a fixed port).
TPORT=$((20000 + $$ % 20000))
mon_start "$LOGS/monitor-emu-tcp.log" "" \
    timeout 120 "$EMU" -M virt -m 128M -kernel "$MON_UBOOT" -serial null -monitor none \
    -qmp "tcp:127.0.0.1:$TPORT,server=on,wait=off"
sleep 1
out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"query-cpus-fast"}' |
    socat -t3 - "TCP:127.0.0.1:$TPORT" 2>&1 | tr -d '\r')
echo "$out" >"$LOGS/monitor-socat-tcp.log"
echo "$out" | grep -q '"capabilities": \[\]' &&
    echo "$out" | grep -q '{"return": \[{"thread-id": [0-9]*, "props": {"core-id": 0}, "qom-path": "/machine/soc0/harts\[0\]", "cpu-index": 0, "target": "riscv64"}\]}'
result $? monitor-socat-tcp

# 3. The same transcript on baremu and QEMU: every response has QEMU's shape and error text.
$MON_QMPT transcript "unix:$BSOCK" "$MON_TMP/ours.json" >"$LOGS/monitor-qemu-shapes.log" 2>&1
st=$?
if [ $st -eq 0 ] && command -v qemu-system-riscv64 >/dev/null; then
    QSOCK=$MON_TMP/qemu.sock
    mon_start "$LOGS/monitor-qemu.log" "$QSOCK" timeout 60 qemu-system-riscv64 -M virt -m 128M \
        -display none -serial null -monitor none -kernel "$MON_UBOOT" \
        -qmp "unix:$QSOCK,server=on,wait=off"
    $MON_QMPT transcript "unix:$QSOCK" "$MON_TMP/qemu.json" >>"$LOGS/monitor-qemu-shapes.log" 2>&1 &&
        $MON_QMPT compare "$MON_TMP/ours.json" "$MON_TMP/qemu.json" >>"$LOGS/monitor-qemu-shapes.log" 2>&1
    st=$?
elif [ $st -eq 0 ]; then
    echo "qemu-system-riscv64 not installed: transcript only" >>"$LOGS/monitor-qemu-shapes.log"
fi
result $st monitor-qemu-shapes

# 4. stop/cont pause the vCPU and the virtual clock (mtime read through HMP xp).
$MON_QMPT pause "unix:$BSOCK" >"$LOGS/monitor-stop-cont.log" 2>&1
result $? monitor-stop-cont

# 5. dump-guest-memory: readelf accepts it, gdb reads the guest's memory and pc from it.
$MON_QMPT dump "unix:$BSOCK" "$MON_TMP/core" >"$LOGS/monitor-dump.log" 2>&1
st=$?
if [ $st -eq 0 ]; then
    want_pc=$(sed -n 's/^pc=\(0x[0-9a-f]*\) .*/\1/p' "$LOGS/monitor-dump.log")
    want_words=$(sed -n 's/^pc=0x[0-9a-f]* words=//p' "$LOGS/monitor-dump.log")
    readelf -h -l -n "$MON_TMP/core" >"$MON_TMP/readelf.txt" 2>&1
    cat "$MON_TMP/readelf.txt" >>"$LOGS/monitor-dump.log"
    grep -q 'Type:.*CORE' "$MON_TMP/readelf.txt" && grep -q 'Machine:.*RISC-V' "$MON_TMP/readelf.txt" &&
        grep -A1 'LOAD' "$MON_TMP/readelf.txt" | grep -q '0x0000000080000000 0x0000000080000000' &&
        grep -A1 'LOAD.*0x0000000080000000' "$MON_TMP/readelf.txt" | grep -q '0x0000000008000000' &&
        grep -q 'NT_PRSTATUS' "$MON_TMP/readelf.txt"
    st=$?
    if [ $st -eq 0 ] && command -v gdb-multiarch >/dev/null; then
        gdb-multiarch -batch -ex 'set architecture riscv:rv64' -ex "core-file $MON_TMP/core" \
            -ex 'x/4xw 0x80200000' -ex 'p/x $pc' >"$MON_TMP/gdb.txt" 2>&1
        cat "$MON_TMP/gdb.txt" >>"$LOGS/monitor-dump.log"
        got_words=$(sed -n 's/^0x80200000:\s*//p' "$MON_TMP/gdb.txt" | tr -s ' \t' ' ')
        got_pc=$(sed -n 's/^\$1 = //p' "$MON_TMP/gdb.txt")
        echo "gdb: pc=$got_pc words=$got_words; monitor: pc=$want_pc words=$want_words" >>"$LOGS/monitor-dump.log"
        [ -n "$want_pc" ] && [ "$got_pc" = "$want_pc" ] && [ "$got_words" = "$want_words" ]
        st=$?
    fi
fi
result $st monitor-dump-guest-memory

# 5b. An x86 guest (pc under KVM, stopped at reset with -S): the dump's registers are the
#     reset vector's, as gdb reads them.
if [ -c /dev/kvm ] && [ -w /dev/kvm ] && [ -f build/guests/x86/modes.bin ]; then
    XSOCK=$MON_TMP/x86.sock
    mon_start "$LOGS/monitor-emu-x86.log" "$XSOCK" timeout 60 "$EMU" -M pc -accel kvm -m 128M \
        -bios build/guests/x86/modes.bin -S -serial null -monitor none \
        -qmp "unix:$XSOCK,server=on,wait=off"
    printf '%s\n' '{"execute":"qmp_capabilities"}' \
        '{"execute":"dump-guest-memory","arguments":{"paging":false,"protocol":"file:'"$MON_TMP"'/x86.core"}}' |
        socat -t5 - "UNIX-CONNECT:$XSOCK" >"$LOGS/monitor-dump-x86.log" 2>&1
    gdb-multiarch -batch -ex "core-file $MON_TMP/x86.core" -ex 'p/x $rip' -ex 'p/x $cs' \
        >>"$LOGS/monitor-dump-x86.log" 2>&1
    grep -q '^\$1 = 0xfff0$' "$LOGS/monitor-dump-x86.log" &&
        grep -q '^\$2 = 0xf000$' "$LOGS/monitor-dump-x86.log"
    result $? monitor-dump-x86
fi

# 6. add-fd with SCM_RIGHTS, /dev/fdset/N as a dump target, remove-fd.
$MON_QMPT fdset "unix:$BSOCK" "$MON_TMP/fdset-core" >"$LOGS/monitor-fdset.log" 2>&1
result $? monitor-fdset

# -add-fd: a descriptor inherited on the command line becomes /dev/fdset/2.
ASOCK=$MON_TMP/addfd.sock
timeout 60 "$EMU" -M virt -m 128M -bios none -serial null -monitor none \
    -add-fd fd=7,set=2,opaque=cmdline -qmp "unix:$ASOCK,server=on,wait=off" \
    7>"$MON_TMP/fd7.core" >"$LOGS/monitor-emu-addfd.log" 2>&1 </dev/null &
MON_PIDS+=($!)
for i in $(seq 50); do [ -S "$ASOCK" ] && break; sleep 0.1; done
out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"query-fdsets"}' \
    '{"execute":"dump-guest-memory","arguments":{"paging":false,"protocol":"file:/dev/fdset/2"}}' |
    socat -t5 - "UNIX-CONNECT:$ASOCK" 2>&1 | tr -d '\r')
echo "$out" >"$LOGS/monitor-add-fd-option.log"
echo "$out" | grep -q '^{"return": \[{"fdset-id": 2, "fds": \[{"fd": [0-9]*, "opaque": "cmdline"}\]}\]}$' &&
    [ "$(stat -c %s "$MON_TMP/fd7.core")" -gt 134217728 ] &&
    readelf -h "$MON_TMP/fd7.core" 2>/dev/null | grep -q 'CORE'
result $? monitor-add-fd-option

# 7. HMP on a socket (-monitor unix:): info status/version/chardev/mtree/qtree/registers, x, xp.
$MON_QMPT hmp-socket "unix:$MON_TMP/hmp.sock" >"$LOGS/monitor-hmp-socket.log" 2>&1
result $? monitor-hmp-socket

# 8. Hostile input and load: nesting, huge messages, garbage; 1,000 clients; slow readers.
$MON_QMPT badinput "unix:$BSOCK" >"$LOGS/monitor-bad-input.log" 2>&1
result $? monitor-bad-input
timeout 60 $MON_QMPT load "unix:$BSOCK" 20 >"$LOGS/monitor-load.log" 2>&1
result $? monitor-load
timeout 60 $MON_QMPT slow-paused "unix:$BSOCK" >"$LOGS/monitor-slow-reader-paused.log" 2>&1
result $? monitor-slow-reader-paused

# 9. quit: SHUTDOWN reaches the client and the process exits 0.
out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"quit"}' |
    socat -t5 - "UNIX-CONNECT:$BSOCK" 2>&1)
echo "$out" >"$LOGS/monitor-quit.log"
sleep 0.5
echo "$out" | grep -q '"event": "SHUTDOWN", "data": {"guest": false, "reason": "host-qmp-quit"}' &&
    ! kill -0 "${MON_PIDS[0]}" 2>/dev/null
result $? monitor-quit
mon_stop_all

# 9b. -no-shutdown: a guest poweroff gives SHUTDOWN (guest) then STOP, status "shutdown",
#     cont refused until system_reset, as in QEMU.
NSOCK=$MON_TMP/noshut.sock
( (sleep 2; printf '\n'; sleep 1; printf 'poweroff\n'; sleep 8) |
    timeout 20 "$EMU" -M virt -m 128M -kernel "$MON_UBOOT" -serial stdio -monitor none \
        -no-shutdown -qmp "unix:$NSOCK,server=on,wait=off" >"$LOGS/monitor-emu-noshut.log" 2>&1 ) &
MON_PIDS+=($!)
for i in $(seq 50); do [ -S "$NSOCK" ] && break; sleep 0.1; done
out=$( (printf '%s\n' '{"execute":"qmp_capabilities"}'; sleep 5
    printf '%s\n' '{"execute":"query-status"}' '{"execute":"cont"}' '{"execute":"system_reset"}'
    sleep 0.5; printf '%s\n' '{"execute":"cont"}' '{"execute":"query-status"}' '{"execute":"quit"}') |
    socat -t3 - "UNIX-CONNECT:$NSOCK" 2>&1 | tr -d '\r' | sed 's/{"timestamp": {[^}]*}, //')
echo "$out" >"$LOGS/monitor-no-shutdown.log"
want='"event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-shutdown"}}
"event": "STOP"}
{"return": {"status": "shutdown", "singlestep": false, "running": false}}
{"error": {"class": "GenericError", "desc": "Resetting the Virtual Machine is required"}}
{"return": {}}
"event": "RESET", "data": {"guest": false, "reason": "host-qmp-system-reset"}}
"event": "RESUME"}
{"return": {}}
{"return": {"status": "running", "singlestep": false, "running": true}}'
[ "$(echo "$out" | sed -n '3,11p')" = "$want" ]
result $? monitor-no-shutdown

# 10. query-block and info block with a qcow2 virtio disk and a read-only raw if=none drive,
#     compared with QEMU's answers for the same drives.
qemu-img create -q -f qcow2 "$MON_TMP/d.qcow2" 64M && qemu-img create -q -f raw "$MON_TMP/d.raw" 1M
DSOCK=$MON_TMP/blk.sock
mon_start "$LOGS/monitor-emu-block.log" "$DSOCK" timeout 60 "$EMU" -M virt -m 128M -bios none \
    -serial null -monitor none -drive "file=$MON_TMP/d.qcow2,if=virtio" \
    -drive "file=$MON_TMP/d.raw,format=raw,if=none,id=d1,readonly=on" \
    -qmp "unix:$DSOCK,server=on,wait=off"
$MON_QMPT block "unix:$DSOCK" "$MON_TMP/blk-ours.json" >"$LOGS/monitor-query-block.log" 2>&1 &&
    [ "$(wc -l <"$MON_TMP/blk-ours.json")" -eq 4 ]
st=$?
mon_stop_all # one emulator at a time on the images
if [ $st -eq 0 ] && command -v qemu-system-riscv64 >/dev/null; then
    QDSOCK=$MON_TMP/qblk.sock
    mon_start "$LOGS/monitor-qemu-block.log" "$QDSOCK" timeout 60 qemu-system-riscv64 -M virt \
        -m 128M -bios none -display none -serial null -monitor none \
        -drive "file=$MON_TMP/d.qcow2,if=virtio" \
        -drive "file=$MON_TMP/d.raw,format=raw,if=none,id=d1,readonly=on" \
        -qmp "unix:$QDSOCK,server=on,wait=off"
    $MON_QMPT block "unix:$QDSOCK" "$MON_TMP/blk-qemu.json" >>"$LOGS/monitor-query-block.log" 2>&1 &&
        diff "$MON_TMP/blk-ours.json" "$MON_TMP/blk-qemu.json" >>"$LOGS/monitor-query-block.log" 2>&1
    st=$?
fi
result $st monitor-query-block
mon_stop_all

# 11. The JSON fuzzer under libFuzzer with ASan, bounded (when clang can build it).
if make -s fuzz-qmp >"$LOGS/monitor-fuzz.log" 2>&1; then
    mkdir -p "$MON_TMP/corpus"
    build/fuzz/fuzz-qmp -max_total_time=10 -rss_limit_mb=1024 -print_final_stats=1 \
        "$MON_TMP/corpus" tests/fuzz/corpus-qmp >>"$LOGS/monitor-fuzz.log" 2>&1
    result $? monitor-fuzz-libfuzzer
else
    echo "clang/libFuzzer unavailable; the unit test's mutation fuzzer still ran" >>"$LOGS/monitor-fuzz.log"
    result 0 monitor-fuzz-libfuzzer
fi

# 12. Ctrl-A c on -nographic from tmux: HMP prompt, info status, stop really stops the
#     guest's console, cont brings it back, Ctrl-A c returns to the guest.
mon_tmux() {
    command -v tmux >/dev/null || { echo "tmux missing"; return 1; }
    local s=baremu-mon-$$ i
    local pane=$MON_TMP/pane.txt
    screen() { tmux capture-pane -p -S -500 -t "$s" >"$pane" 2>/dev/null; }
    count() { screen; grep -c -- "$1" "$pane"; }
    wait_for() { # pattern min-count
        for i in $(seq 100); do
            [ "$(count "$1")" -ge "$2" ] && return 0
            sleep 0.2
        done
        echo "timed out waiting for '$1' x$2"
        cat "$pane"
        return 1
    }
    tmux kill-session -t "$s" 2>/dev/null
    tmux new-session -d -s "$s" -x 160 -y 50 -c "$PWD" \
        "timeout --foreground 120 $PWD/$EMU -M virt -m 128M -kernel $MON_UBOOT -nographic; sleep 30" || return 1
    wait_for 'Hit any key to stop autoboot' 1 || return 1
    tmux send-keys -t "$s" Enter
    wait_for '^=>' 1 || return 1
    tmux send-keys -t "$s" C-a c
    wait_for 'monitor (QEMU-compatible HMP)' 1 || return 1
    tmux send-keys -t "$s" 'info status' Enter
    wait_for 'VM status: running' 1 || return 1
    tmux send-keys -t "$s" 'stop' Enter 'info status' Enter
    wait_for 'VM status: paused' 1 || return 1
    # Back to the guest: what we type now waits in the UART; the stopped guest says nothing.
    tmux send-keys -t "$s" C-a c
    local before
    before=$(count 'U-Boot 20')
    tmux send-keys -t "$s" 'version' Enter
    sleep 1.5
    [ "$(count 'U-Boot 20')" -eq "$before" ] || { echo "guest answered while stopped"; return 1; }
    tmux send-keys -t "$s" C-a c
    tmux send-keys -t "$s" 'cont' Enter 'info status' Enter
    wait_for 'VM status: running' 2 || return 1
    tmux send-keys -t "$s" C-a c
    wait_for 'U-Boot 20' $((before + 1)) || return 1
    # History: Up recalls "info status" on the monitor.
    tmux send-keys -t "$s" C-a c Up Enter
    wait_for 'VM status: running' 3 || return 1
    tmux send-keys -t "$s" C-a x
    sleep 0.5
    screen
    cat "$pane"
    tmux kill-session -t "$s" 2>/dev/null
    return 0
}
mon_tmux >"$LOGS/monitor-tmux-ctrl-a-c.log" 2>&1
result $? monitor-tmux-ctrl-a-c

rm -rf "$MON_TMP"

# inject-nmi and HMP nmi (through human-monitor-command) on riscv64 virt, which has no
# NMI: QEMU 7.2's class and text (QERR_UNSUPPORTED), the same transcript from both; an
# argument is refused as for any command that takes none; HMP help lists nmi.
mon_nmi_transcript() { # emulator-command...
    local d sock
    d=$(mktemp -d /tmp/baremu-nmi.XXXXXX)
    sock=$d/qmp.sock
    timeout 30 "$@" -M virt -m 128M -S -display none -serial null \
        -qmp "unix:$sock,server=on,wait=off" </dev/null >"$d/emu.log" 2>&1 &
    local pid=$!
    for _ in $(seq 50); do
        [ -S "$sock" ] && break
        sleep 0.1
    done
    printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"inject-nmi","id":1}' \
        '{"execute":"human-monitor-command","arguments":{"command-line":"nmi"},"id":2}' \
        '{"execute":"human-monitor-command","arguments":{"command-line":"help nmi"},"id":3}' \
        '{"execute":"inject-nmi","arguments":{"cpu":0},"id":4}' '{"execute":"quit","id":5}' |
        socat -t5 - "UNIX-CONNECT:$sock" 2>&1 | tr -d '\r' | grep '"id"'
    wait "$pid" 2>/dev/null
    rm -rf "$d"
}
MON_NMI_WANT=$LOGS/monitor-nmi-riscv.want
mon_nmi_transcript "$EMU" -bios none >"$LOGS/monitor-nmi-riscv.out"
cat >"$MON_NMI_WANT" <<'WANT'
{"id": 1, "error": {"class": "GenericError", "desc": "this feature or command is not currently supported"}}
{"return": "Error: this feature or command is not currently supported\r\n", "id": 2}
{"return": "nmi  -- inject an NMI\r\n", "id": 3}
{"id": 4, "error": {"class": "GenericError", "desc": "Parameter 'cpu' is unexpected"}}
{"return": {}, "id": 5}
WANT
diff -u "$MON_NMI_WANT" "$LOGS/monitor-nmi-riscv.out" >"$LOGS/monitor-nmi-riscv.log" 2>&1
r=$?
if [ $r -eq 0 ] && command -v qemu-system-riscv64 >/dev/null; then
    mon_nmi_transcript qemu-system-riscv64 -nodefaults -bios none >"$LOGS/monitor-nmi-riscv.qemu"
    diff -u "$LOGS/monitor-nmi-riscv.qemu" "$LOGS/monitor-nmi-riscv.out" \
        >>"$LOGS/monitor-nmi-riscv.log" || r=1
fi
cat "$LOGS/monitor-nmi-riscv.out" >>"$LOGS/monitor-nmi-riscv.log"
result $r monitor-nmi-riscv-unsupported
