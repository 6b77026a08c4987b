#!/usr/bin/env bash
# Boots a CD image in Bochs (Debian's bochs: the x86 emulator with VMX,
# which our CI machines' paravirtual KVM does not offer) without a display,
# and ends the run when the appliance powers off (ACPI S5: Bochs quits) or
# after a timeout.
#   bochs-run.sh [-t SECONDS] [-m MEGS] [-c CPU-MODEL] [-e REGEX] [-n SLIRP] [-w] OUT ISO
# OUT.serial gets COM1, OUT.log Bochs's own log and what it printed. The
# exit status is the appliance's (kern_debug_exit writes "baremu: exit
# status N" to Bochs's port E9 console), 124 after the timeout, 125 if
# Bochs stopped without a status (a panic, a triple fault: see OUT.log).
# -e ends the run with status 0 as soon as COM1 has a line matching REGEX.
# -n adds an e1000 on Bochs's slirp network configured by file SLIRP (its
# hostfwd lines reach the appliance). -w writes OUT.bochsrc and OUT.dbg (the
# debugger's "continue") and stops there, for callers that run Bochs
# themselves: bochs -q -f OUT.bochsrc -rc OUT.dbg.
set -uo pipefail
secs=60 megs=256 model=corei7_skylake_x stop= slirp= write_only=
while getopts t:m:c:e:n:w o; do
    case $o in
    t) secs=$OPTARG ;;
    m) megs=$OPTARG ;;
    c) model=$OPTARG ;;
    e) stop=$OPTARG ;;
    n) slirp=$(realpath -m "$OPTARG") ;;
    w) write_only=1 ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || {
    echo "usage: bochs-run.sh [-t SECS] [-m MEGS] [-c MODEL] [-e REGEX] [-n SLIRP] [-w] OUT ISO" >&2
    exit 2
}
out=$1 iso=$(realpath "$2")
command -v bochs >/dev/null || {
    echo "bochs-run: bochs is not installed (scripts/setup-deps.sh)" >&2
    exit 2
}
rm -f "$out.serial" "$out.log"
rc_file=$out.bochsrc
# ips: what the emulated TSC and timers are scaled by, roughly this host's
# Bochs speed so that guest time stays near real time. clock sync=none keeps
# runs repeatable. panic "fatal" ends Bochs on the ACPI power-off (which it
# reports as a panic) and on real failures alike.
cat >"$rc_file" <<EOF
megs: $megs
cpu: model=$model, count=1, ips=40000000, reset_on_triple_fault=1
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
pci: enabled=1, chipset=i440fx${slirp:+, slot1=e1000}
${slirp:+e1000: enabled=1, mac=52:54:00:12:34:56, ethmod=slirp, script=$slirp}
ata0-master: type=cdrom, path="$iso", status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev="$(realpath -m "$out.serial")"
display_library: rfb, options="timeout=0"
plugin_ctrl: speaker=0
sound: driver=dummy
clock: sync=none, time0=946684800
port_e9_hack: enabled=1
log: -
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
EOF
# Debian's Bochs has its debugger built in and starts in it: "c" runs the PC.
printf 'c\nquit\n' >"$out.dbg"
[ -z "$write_only" ] || exit 0
nice bochs -q -f "$rc_file" -rc "$out.dbg" </dev/null >"$out.log" 2>&1 &
pid=$!
# The status line ends the run: waiting for the power-off too would cost Bochs-time.
status_of() {
    cat "$out.log" "$out.serial" 2>/dev/null | tr -d '\r' |
        grep -a -o -E 'baremu: (exit status|stopped \(exit status) -?[0-9]+' | tail -1 | grep -o -E -- '-?[0-9]+$'
}
end=$((SECONDS + secs))
status=
matched=
while kill -0 $pid 2>/dev/null && [ $SECONDS -lt $end ]; do
    status=$(status_of)
    [ -n "$status" ] && break
    if [ -n "$stop" ] && [ -f "$out.serial" ] &&
        tr -d '\r' <"$out.serial" | grep -a -q -E -- "$stop"; then
        matched=1
        break
    fi
    sleep 0.5
done
kill $pid 2>/dev/null
wait $pid 2>/dev/null
[ -f "$out.serial" ] || : >"$out.serial"
[ -n "$matched" ] && exit 0
status=$(status_of)
[ -n "$status" ] && exit $((status & 255))
[ $SECONDS -ge $end ] && exit 124
exit 125
