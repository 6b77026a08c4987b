#!/usr/bin/env python3
"""Drive a program's serial console like a person at a terminal.

    console.py [--timeout S] [--log FILE] [--pty] STEPS -- COMMAND ARGS...

STEPS is a file with one step per line:
    expect REGEX        wait (up to the timeout) until the output matches
    send TEXT           type TEXT (\\n, \\r, \\xNN escapes; Ctrl-A is \\x01)
    exit STATUS         wait for the program to end with this exit status
    # comment

Exits 0 if every step held, 1 otherwise, printing which step failed and the
tail of the output. The whole output goes to --log.
"""
import os
import re
import select
import subprocess
import sys
import time


def unescape(s):
    return s.encode("latin-1").decode("unicode_escape").encode("latin-1")


def main():
    args = sys.argv[1:]
    timeout, log, use_pty = 30.0, None, False
    while args and args[0].startswith("--") and args[0] != "--":
        opt = args.pop(0)
        if opt == "--timeout":
            timeout = float(args.pop(0))
        elif opt == "--log":
            log = args.pop(0)
        elif opt == "--pty":
            use_pty = True
        else:
            sys.exit(f"console.py: unknown option {opt}")
    steps_file = args.pop(0)
    if not args or args.pop(0) != "--":
        sys.exit("console.py: expected -- COMMAND")
    steps = []
    with open(steps_file) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            verb, _, arg = line.partition(" ")
            steps.append((verb, arg))

    if use_pty:
        import pty
        master, slave = pty.openpty()
        proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=subprocess.STDOUT,
                                start_new_session=True)
        os.close(slave)
        rfd = wfd = master
    else:
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        rfd, wfd = proc.stdout.fileno(), proc.stdin.fileno()
    out = bytearray()
    pos = 0  # expectations match only after the previous match
    failed = None

    def pump(deadline):
        r, _, _ = select.select([rfd], [], [], max(0.0, min(0.2, deadline - time.time())))
        if r:
            try:
                data = os.read(rfd, 65536)
            except OSError:
                data = b""
            if data:
                out.extend(data)
                return True
            return None  # EOF
        return False

    for i, (verb, arg) in enumerate(steps):
        deadline = time.time() + timeout
        if verb == "expect":
            rx = re.compile(arg.encode())
            while True:
                m = rx.search(out, pos)
                if m:
                    pos = m.end()
                    break
                if time.time() > deadline:
                    failed = f"step {i+1}: timed out waiting for /{arg}/"
                    break
                if pump(deadline) is None and not rx.search(out, pos):
                    failed = f"step {i+1}: output ended before /{arg}/"
                    break
        elif verb == "send":
            # Type at a human pace: guests' UART FIFOs are 16 bytes deep.
            for b in unescape(arg):
                os.write(wfd, bytes([b]))
                t_end = time.time() + 0.01
                while time.time() < t_end:
                    pump(t_end)
        elif verb == "exit":
            want = int(arg)
            while proc.poll() is None and time.time() < deadline:
                pump(deadline)
            while pump(time.time() + 0.1):
                pass
            if proc.poll() is None:
                failed = f"step {i+1}: still running after {timeout}s"
            elif proc.returncode != want:
                failed = f"step {i+1}: exit status {proc.returncode}, wanted {want}"
        else:
            failed = f"step {i+1}: unknown verb {verb}"
        if failed:
            break

    if proc.poll() is None:
        proc.kill()
        proc.wait()
    if log:
        with open(log, "wb") as f:
            f.write(out)
    if failed:
        tail = out[-1500:].decode("latin-1")
        print(f"console.py: {failed}\n--- last output ---\n{tail}\n---", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
