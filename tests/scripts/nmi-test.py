#!/usr/bin/env python3
"""Send an NMI over QMP once a guest waits for one (tests/guests/x86/nmi.S).

Usage: nmi-test.py --log FILE --qmp unix:PATH|tcp:PORT [--secret S] [--hmp]
                   [--timeout N] [--wait REGEX] [--ready REGEX]... [--serial FILE]
                   [--until REGEX] -- COMMAND...
Runs COMMAND (an emulator whose stdout is the guest's serial port) with its
stdout in FILE; when FILE shows "waiting for an NMI" (or the --wait REGEX)
and each --ready REGEX (the appliance's network address, say), it connects
to the QMP server (after baremu-authenticate with --secret), negotiates, and sends
inject-nmi, or with --hmp human-monitor-command "nmi". Then it waits for
COMMAND to end. Prints each QMP reply as a JSON line (events left out), then
"exit N" with COMMAND's exit status (124 when it ran past --timeout), or
"exit until" when --until matched first. --serial: the guest's serial port
is that file (Bochs's COM1), not COMMAND's stdout.
Exits 0 when it could do all that, 1 with the reason otherwise.
"""
import argparse
import json
import re
import socket
import subprocess
import sys
import time


class Fail(Exception):
    pass


def connect(qmp, deadline):
    kind, _, where = qmp.partition(":")
    while True:
        try:
            if kind == "unix":
                s = socket.socket(socket.AF_UNIX)
                s.connect(where)
            else:
                s = socket.create_connection(("127.0.0.1", int(where)), timeout=10)
            s.settimeout(max(1, deadline - time.time()))
            return s
        except OSError:
            if time.time() > deadline:
                raise Fail("cannot connect to QMP at %s" % qmp)
            time.sleep(0.2)


class Conn:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def send(self, obj):
        self.sock.sendall(json.dumps(obj).encode() + b"\n")

    def recv(self):
        while b"\n" not in self.buf:
            d = self.sock.recv(65536)
            if not d:
                raise Fail("QMP connection closed")
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def reply(self):
        while True:
            m = self.recv()
            if "event" not in m:
                return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--qmp", required=True)
    ap.add_argument("--secret")
    ap.add_argument("--hmp", action="store_true")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--wait", default="waiting for an NMI",
                    help="the regex that says the guest is ready for the NMI")
    ap.add_argument("--ready", action="append", default=[],
                    help="a regex the log must show too before connecting (repeatable)")
    ap.add_argument("--serial", help="watch this file instead of the --log (Bochs's COM1)")
    ap.add_argument("--until", help="after the NMI, end COMMAND once the watched file shows "
                    "this regex (prints \"exit until\")")
    ap.add_argument("cmd", nargs="+")
    args = ap.parse_args()

    deadline = time.time() + args.timeout
    watched = args.serial or args.log

    def shows(regex):
        try:
            return re.search(regex.encode(), open(watched, "rb").read(), re.M)
        except FileNotFoundError:
            return None

    with open(args.log, "wb") as out:
        proc = subprocess.Popen(args.cmd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        while not all(shows(w) for w in [args.wait] + args.ready):
            if proc.poll() is not None or time.time() > deadline:
                raise Fail("%s never showed /%s/ and the --ready patterns"
                           % (watched, args.wait))
            time.sleep(0.2)
        c = Conn(connect(args.qmp, deadline))
        if args.secret:
            c.send({"execute": "baremu-authenticate", "arguments": {"secret": args.secret}})
        if "QMP" not in c.recv():
            raise Fail("no QMP greeting")
        c.send({"execute": "qmp_capabilities"})
        if c.reply() != {"return": {}}:
            raise Fail("qmp_capabilities refused")
        if args.hmp:
            c.send({"execute": "human-monitor-command", "arguments": {"command-line": "nmi"}})
        else:
            c.send({"execute": "inject-nmi"})
        print(json.dumps(c.reply()))
        while args.until and proc.poll() is None and time.time() < deadline:
            if shows(args.until):
                print("exit until")
                return 0
            time.sleep(0.2)
        try:
            st = proc.wait(max(1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            st = 124
        print("exit %d" % st)
        return 0
    except Fail as e:
        print("FAIL: %s" % e)
        return 1
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    sys.exit(main())
