#!/usr/bin/env python3
"""The appliance on the network, booted in qemu-system-x86_64 with user networking.

Usage: metal-net.py TEST --log LOG [--device MODEL] [--accel "OPTS"] [--elf ELF]
  dhcp-qmp   console shows the DHCP address; QMP through hostfwd with the secret
             (greeting, qmp_capabilities, query-status, stop/cont), without it and
             with a wrong one (one error, then the connection closes)
  static     ip=10.0.2.15/24,gw=10.0.2.2: that address printed, QMP reachable on it
  fallback   a network with no DHCP server: the fallback address after dhcp-timeout
  no-secret  -qmp tcp::PORT without secret= (or naming no secret): refused at boot,
             one line, power-off
  bad-option a malformed -net-appliance: refused at boot, one line, power-off
  hostile    connection floods, garbage, an over-long line, silent clients: the
             appliance keeps serving QMP and the guest keeps running
Prints what it checked; exits 0 on success, 1 with the reason otherwise. Every
wait is bounded; nothing is timed.
"""
import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import time

SECRET = "lab-secret-0451"
FW = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"
UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"
GUEST = "-M virt -m 128M -bios module:fw_jump.elf -kernel module:u-boot.bin"


class Fail(Exception):
    pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Appliance:
    """QEMU running the appliance, its serial console appended to a log file."""

    def __init__(self, args, append, netdev, device=None, debug_exit=False, modules=()):
        self.log = args.log
        cmd = ["qemu-system-x86_64", "-m", "256M", "-display", "none", "-no-reboot",
               "-serial", "file:" + self.log, "-monitor", "none", "-nic", "none"]
        cmd += args.accel.split()
        if debug_exit:
            cmd += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        cmd += ["-netdev", netdev, "-device", "%s,netdev=n" % (device or args.device)]
        cmd += ["-kernel", args.elf, "-initrd", ",".join((FW, UBOOT) + tuple(modules)), "-append", GUEST + " " + append]
        open(self.log, "w").close()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(self.log + ".qemu", "w"))

    def text(self):
        with open(self.log, "rb") as f:
            return f.read().decode("latin-1")

    def wait_for(self, pattern, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = re.search(pattern, self.text())
            if m:
                return m
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise Fail("console never showed /%s/ (log: %s)" % (pattern, self.log))

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise Fail("QEMU still running after %d s" % timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def check_healthy(self):
        t = self.text()
        for bad in ("CPU exception", "lwIP assertion", "out of memory"):
            if bad in t:
                raise Fail("console shows '%s'" % bad)


class Conn:
    def __init__(self, port, timeout=15):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.settimeout(timeout)
        self.buf = b""

    def send(self, obj):
        self.sock.sendall(json.dumps(obj).encode() + b"\n")

    def recv(self):
        """The next JSON object, or None at EOF."""
        while b"\n" not in self.buf:
            try:
                d = self.sock.recv(65536)
            except ConnectionResetError:
                d = b""
            if not d:
                if self.buf.strip():
                    raise Fail("connection closed inside a message: %r" % self.buf[:200])
                return None
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def reply(self):
        """The next return/error, skipping events."""
        while True:
            m = self.recv()
            if m is None or "event" not in m:
                return m

    def close(self):
        self.sock.close()


def authenticated(port, secret=SECRET):
    c = Conn(port)
    c.send({"execute": "baremu-authenticate", "arguments": {"secret": secret}})
    g = c.recv()
    if not g or "QMP" not in g:
        raise Fail("expected the greeting after authenticating, got %r" % g)
    c.send({"execute": "qmp_capabilities"})
    r = c.reply()
    if r != {"return": {}}:
        raise Fail("qmp_capabilities: %r" % r)
    return c


def status(c):
    c.send({"execute": "query-status"})
    r = c.reply()
    if not r or "return" not in r:
        raise Fail("query-status: %r" % r)
    return r["return"]["status"]


def refused(port, first, what):
    """A client without the right secret gets one error object and the connection closes."""
    c = Conn(port)
    c.send(first)
    r = c.recv()
    if not r or "error" not in r:
        raise Fail("%s: expected one error, got %r" % (what, r))
    more = c.recv()
    if more is not None:
        raise Fail("%s: after the error the connection stayed open and sent %r" % (what, more))
    c.close()
    print("%s: %s, then the connection closed" % (what, r["error"].get("desc")))


def qmp_netdev(port, extra=""):
    return "user,id=n,hostfwd=tcp:127.0.0.1:%d-:4444%s" % (port, extra)


QMP_OPTS = "-object secret,id=qs,data=%s -qmp tcp::4444,server=on,wait=off,secret=qs" % SECRET


def test_dhcp_qmp(args):
    port = free_port()
    a = Appliance(args, QMP_OPTS, qmp_netdev(port))
    try:
        m = a.wait_for(r"baremu: net0 (\S+) ([0-9a-f:]{17}) (\S+) \(dhcp\)", 90)
        print("console: " + m.group(0))
        if m.group(3) != "10.0.2.15/24":
            raise Fail("DHCP gave %s, expected 10.0.2.15/24" % m.group(3))
        c = authenticated(port)
        print("greeting and qmp_capabilities after baremu-authenticate")
        s = status(c)
        if s != "running":
            raise Fail("query-status says %s" % s)
        c.send({"execute": "stop"})
        if c.reply() != {"return": {}}:
            raise Fail("stop failed")
        if status(c) != "paused":
            raise Fail("not paused after stop")
        c.send({"execute": "cont"})
        if c.reply() != {"return": {}}:
            raise Fail("cont failed")
        if status(c) != "running":
            raise Fail("not running after cont")
        print("query-status running, stop -> paused, cont -> running")
        c.close()
        refused(port, {"execute": "qmp_capabilities"}, "no secret")
        refused(port, {"execute": "baremu-authenticate", "arguments": {"secret": "guess"}},
                "wrong secret")
        c = authenticated(port)
        if status(c) != "running":
            raise Fail("not running at the end")
        a.check_healthy()
        # quit: the reply still reaches the client before the appliance powers off.
        c.send({"execute": "quit"})
        r = c.reply()
        if r != {"return": {}}:
            raise Fail("quit: %r" % r)
        a.wait_exit(60)
        print("quit answered, then the PC powered off")
        c.close()
    finally:
        a.stop()


def test_static(args):
    port = free_port()
    # The secret from a boot module this time (-object secret,file=module:NAME).
    secret_file = args.log + ".secret"
    with open(secret_file, "w") as f:
        f.write(SECRET)
    a = Appliance(args, "-net-appliance ip=10.0.2.15/24,gw=10.0.2.2 "
                  "-object secret,id=qs,file=module:%s "
                  "-qmp tcp::4444,server=on,wait=off,secret=qs" % os.path.basename(secret_file),
                  qmp_netdev(port), modules=(secret_file,))
    try:
        m = a.wait_for(r"baremu: net0 .* (\S+) \(static\)( gw (\S+))?", 90)
        print("console: " + m.group(0))
        if m.group(1) != "10.0.2.15/24" or m.group(3) != "10.0.2.2":
            raise Fail("printed %s gw %s" % (m.group(1), m.group(3)))
        c = authenticated(port)
        if status(c) != "running":
            raise Fail("query-status is not running")
        print("QMP reachable on the static address, secret from a boot module: running")
        c.close()
        a.check_healthy()
    finally:
        a.stop()


def test_fallback(args):
    # A socket netdev whose other end nobody holds: frames go nowhere, no DHCP server.
    p1, p2 = free_port(), free_port()
    a = Appliance(args, "-net-appliance ip=dhcp,fallback=192.168.77.5/24,dhcp-timeout=2",
                  "socket,id=n,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d" % (p1, p2))
    try:
        m = a.wait_for(r"baremu: net0 .* (\S+) \(static, no DHCP answer\)", 90)
        print("console: " + m.group(0))
        if m.group(1) != "192.168.77.5/24":
            raise Fail("fallback printed %s" % m.group(1))
        a.check_healthy()
    finally:
        a.stop()


def refused_at_boot(args, append, expect):
    """One "baremu:" line saying expect, no guest, power-off with status 1."""
    a = Appliance(args, append, qmp_netdev(free_port()), debug_exit=True)
    try:
        st = a.wait_exit(90)
        t = a.text()
        lines = [l for l in t.splitlines() if "baremu:" in l]
        if len(lines) != 1 or expect not in lines[0]:
            raise Fail("expected one '%s' line, got %r" % (expect, lines))
        if "OpenSBI" in t:
            raise Fail("the guest started anyway")
        if st != 3:
            raise Fail("QEMU exit status %d, expected 3 (status 1 through isa-debug-exit)" % st)
        print("console: " + lines[0].strip())
    finally:
        a.stop()


def test_no_secret(args):
    refused_at_boot(args, "-qmp tcp::4444,server=on,wait=off", "needs a secret")
    refused_at_boot(args, QMP_OPTS.replace("secret=qs", "secret=nosuch"), "No secret with id")


def test_bad_option(args):
    refused_at_boot(args, "-net-appliance ip=10.0.2.300/24", "-net-appliance")
    refused_at_boot(args, "-net-appliance ip=dhcp,gw=10.0.2.2", "gw= goes with")


def test_hostile(args):
    port = free_port()
    a = Appliance(args, QMP_OPTS, qmp_netdev(port))
    rnd = random.Random(5)
    try:
        a.wait_for(r"baremu: net0 .* \(dhcp\)", 90)
        for _ in range(40):  # connect and drop at once
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.close()
        for i in range(12):  # garbage, binary and JSON-ish, then drop
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            junk = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 6000)))
            if i % 3 == 0:
                junk = b'{"execute":' * 400
            try:
                s.sendall(junk)
            except OSError:
                pass
            s.close()
        # A first line far over the limit for an unauthenticated client: an error, then closed.
        c = Conn(port)
        try:
            c.sock.sendall(b'{"execute": "' + b"x" * 20000 + b'"}\n')
            r = c.recv()
            if r is not None and "error" not in r:
                raise Fail("an over-long first message got %r" % r)
        except (BrokenPipeError, ConnectionResetError):
            pass
        c.close()
        # More clients at once than the appliance serves: the extra ones are turned away.
        held = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(8)]
        for s in held:
            s.close()
        # A correct client still gets in: while the abusers' slots are being reclaimed it may
        # be turned away (a reset), so it tries again for a bounded while.
        deadline, tries = time.time() + 30, 0
        while True:
            tries += 1
            try:
                c = authenticated(port)
                break
            except (Fail, OSError) as e:
                if time.time() > deadline:
                    raise Fail("no QMP session after the abuse (%d tries): %s" % (tries, e))
                time.sleep(0.5)
        print("a correct client got in at try %d" % tries)
        if status(c) != "running":
            raise Fail("query-status after the abuse is not running")
        c.close()
        print("after 40 drops, 12 garbage clients, an over-long line and 8 at once: "
              "QMP answers, guest running")
        a.check_healthy()
    finally:
        a.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("test")
    ap.add_argument("--log", required=True)
    ap.add_argument("--device", default="e1000")
    ap.add_argument("--accel", default="-accel tcg")
    ap.add_argument("--elf", default="build/metal/baremu.elf")
    args = ap.parse_args()
    tests = {"dhcp-qmp": test_dhcp_qmp, "static": test_static, "fallback": test_fallback,
             "no-secret": test_no_secret, "bad-option": test_bad_option,
             "hostile": test_hostile}
    try:
        tests[args.test](args)
    except (Fail, OSError, ValueError) as e:
        print("FAILED: %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
