# shellcheck shell=bash
# Serial-console control from tmux (issue 5): the same keystrokes against the
# hosted program (-serial mon:stdio) and the appliance (its serial port, under
# qemu-system-x86_64 -nographic): Ctrl-A c to the monitor, info status, stop
# (the guest really stops answering), cont, Ctrl-A c back, a U-Boot command
# whose output proves the guest got it, Ctrl-A Ctrl-A as a literal Ctrl-A,
# Ctrl-A h, Ctrl-A x. Sourced by tests/run-all.sh (uses result, $EMU, $LOGS).

CT_TMP=$(mktemp -d /tmp/baremu-ctmux.XXXXXX)
CT_OPENSBI=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf
CT_UBOOT=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
CT_METAL=${CT_METAL:-build/metal/baremu.elf}

console_tmux() { # boot-timeout-s command...
    command -v tmux >/dev/null || { echo "tmux missing"; return 1; }
    local boot=$1 s=baremu-ct-$$ i
    shift
    local pane=$CT_TMP/pane.txt
    ct_screen() { tmux capture-pane -p -S -1000 -t "$s" >"$pane" 2>/dev/null; }
    ct_count() { ct_screen; grep -c -- "$1" "$pane"; }
    ct_wait() { # pattern min-count [tries of 0.2 s]
        for i in $(seq "${3:-100}"); do
            [ "$(ct_count "$1")" -ge "$2" ] && return 0
            sleep 0.2
        done
        echo "timed out waiting for '$1' x$2"
        cat "$pane"
        return 1
    }
    tmux kill-session -t "$s" 2>/dev/null
    # The command's status shows once it ends (Ctrl-A x); the pane stays for capture.
    tmux new-session -d -s "$s" -x 160 -y 50 -c "$PWD" \
        "$*; echo CONSOLE-EXIT=\$?; sleep 60" || return 1
    ct_wait 'Hit any key to stop autoboot' 1 $((boot * 5)) || { tmux kill-session -t "$s"; return 1; }
    tmux send-keys -t "$s" Enter
    ct_wait '^=> *$' 1 || return 1
    # Ctrl-A c: the monitor.
    tmux send-keys -t "$s" C-a c
    ct_wait 'monitor (QEMU-compatible HMP)' 1 || return 1
    tmux send-keys -t "$s" 'info status' Enter
    ct_wait 'VM status: running' 1 || return 1
    tmux send-keys -t "$s" 'stop' Enter 'info status' Enter
    ct_wait 'VM status: paused' 1 || return 1
    # Back to the stopped guest: what we type waits in its UART, unanswered.
    tmux send-keys -t "$s" C-a c
    local before
    before=$(ct_count 'U-Boot 20')
    tmux send-keys -t "$s" 'version' Enter
    sleep 2
    [ "$(ct_count 'U-Boot 20')" -eq "$before" ] || { echo "guest answered while stopped"; cat "$pane"; return 1; }
    tmux send-keys -t "$s" C-a c 'cont' Enter 'info status' Enter
    ct_wait 'VM status: running' 2 || return 1
    # Ctrl-A c back: the guest takes what waited, and new input.
    tmux send-keys -t "$s" C-a c
    ct_wait 'U-Boot 20' $((before + 1)) || return 1
    tmux send-keys -t "$s" 'setexpr ct 0x20 + 0x13; echo got-${ct}-ok' Enter
    ct_wait '^got-33-ok' 1 || return 1
    # Ctrl-A Ctrl-A is one Ctrl-A for the guest: U-Boot's line editor moves to the line's
    # start, so "cho lit-ok" becomes "echo lit-ok".
    tmux send-keys -t "$s" 'cho lit-ok' C-a C-a e Enter
    ct_wait '^lit-ok' 1 || return 1
    # Ctrl-A h lists the escapes; Ctrl-A x ends the emulator (the appliance powers off).
    tmux send-keys -t "$s" C-a h
    ct_wait 'C-a c    switch between console and monitor' 1 || return 1
    tmux send-keys -t "$s" C-a x
    ct_wait '^CONSOLE-EXIT=0' 1 || return 1
    ct_screen
    cat "$pane"
    tmux kill-session -t "$s" 2>/dev/null
    return 0
}

console_tmux 60 timeout --foreground 120 "$PWD/$EMU" -M virt -m 128M -bios "$CT_OPENSBI" \
    -kernel "$CT_UBOOT" -serial mon:stdio >"$LOGS/console-tmux-hosted.log" 2>&1
result $? console-tmux-hosted

if [ -f "$CT_METAL" ]; then
    # QEMU's own -nographic mux would take Ctrl-A: its serial is plain stdio here, as
    # a real serial line to the PC would be.
    console_tmux 150 timeout --foreground 300 qemu-system-x86_64 -nographic -serial stdio \
        -monitor none -no-reboot -accel tcg -m 256M -kernel "$PWD/$CT_METAL" \
        -initrd "$CT_OPENSBI,$CT_UBOOT" \
        -append "'-M virt -m 128M -bios module:fw_jump.elf -kernel module:u-boot.bin'" \
        >"$LOGS/console-tmux-appliance.log" 2>&1
    result $? console-tmux-appliance
else
    echo "no $CT_METAL" >"$LOGS/console-tmux-appliance.log"
    result 1 console-tmux-appliance
fi

rm -rf "$CT_TMP"
