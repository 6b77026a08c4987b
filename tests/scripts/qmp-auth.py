#!/usr/bin/env python3
"""QMP with a secret (baremu-authenticate), against a running baremu.

Usage: qmp-auth.py TEST ADDRESS SECRET [args]
  TEST: protocol | hostile N
  ADDRESS is unix:PATH or tcp:HOST:PORT. Prints what it saw; exits 0 on
  success, 1 on a mismatch (with the reason).
"""
import json
import socket
import sys
import time


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def connect(addr, timeout=10):
    if addr.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = addr[5:]
    else:
        host, port = addr[4:].rsplit(":", 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        target = (host, int(port))
    s.settimeout(timeout)
    deadline = time.time() + timeout
    while True:
        try:
            s.connect(target)
            return s
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.05)


def read_all(s, timeout):
    """Everything until EOF or timeout: (bytes, got_eof)."""
    s.settimeout(timeout)
    buf = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return buf, True
            buf += d
    except socket.timeout:
        return buf, False
    except ConnectionResetError:
        return buf, True


def auth_msg(secret):
    return json.dumps({"execute": "baremu-authenticate", "arguments": {"secret": secret}}).encode() + b"\n"


class Client:
    """An authenticated QMP client."""

    def __init__(self, addr, secret):
        self.s = connect(addr)
        self.buf = b""
        self.s.sendall(auth_msg(secret))
        g = self.read()
        if "QMP" not in g:
            fail("no greeting after authenticating: %s" % g)
        r = self.cmd("qmp_capabilities")
        if r != {"return": {}}:
            fail("qmp_capabilities: %s" % r)

    def read(self):
        while b"\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError("closed")
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, args=None):
        req = {"execute": name}
        if args is not None:
            req["arguments"] = args
        self.s.sendall(json.dumps(req).encode() + b"\n")
        while True:
            m = self.read()
            if "event" not in m:
                return m

    def mtime(self):
        r = self.cmd("human-monitor-command", {"command-line": "xp /1g 0x200bff8"})
        return int(r["return"].split()[1], 16)


def expect_one_error(addr, payload, want_desc, label, secret):
    """payload first: exactly one GenericError line, then the server closes."""
    s = connect(addr)
    try:
        s.sendall(payload)
    except OSError:
        pass  # a huge payload may meet the close half-way
    out, eof = read_all(s, 10)
    s.close()
    lines = out.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) != 1:
        fail("%s: wanted one line, got %r" % (label, out[:300]))
    r = json.loads(lines[0])
    if r.get("error", {}).get("class") != "GenericError" or want_desc not in r["error"]["desc"]:
        fail("%s: %s" % (label, r))
    if secret.encode() in out:
        fail("%s: the secret was echoed" % label)
    if not eof:
        fail("%s: connection left open" % label)
    print("%s: %s, then closed" % (label, r["error"]["desc"]))


def t_protocol(addr, secret):
    # Nothing, not even the greeting, to a client that has not authenticated.
    s = connect(addr)
    out, eof = read_all(s, 1.0)
    if out:
        fail("server spoke first: %r" % out[:200])
    s.close()
    print("silent before authentication")
    wrong = secret[:-1] + chr(ord(secret[-1]) ^ 1)
    expect_one_error(addr, auth_msg(wrong), "Authentication failed", "wrong secret", secret)
    expect_one_error(addr, auth_msg(secret[:-1]), "Authentication failed", "prefix", secret)
    expect_one_error(addr, auth_msg(secret + "x"), "Authentication failed", "longer", secret)
    expect_one_error(addr, b'{"execute": "qmp_capabilities"}\n' + auth_msg(secret),
                     "Authentication required", "command first", secret)
    expect_one_error(addr, b'{"execute": "quit"}\n', "Authentication required", "quit first", secret)
    expect_one_error(addr, b"\xff\xfe garbage }}}\n", "Authentication required", "garbage", secret)
    expect_one_error(addr, b'{"execute": "baremu-authenticate", "arguments": {"secret": "' +
                     b"A" * (1 << 20) + b'"}}\n', "Authentication required", "1 MiB message", secret)
    # The right secret: greeting, negotiation, commands.
    c = Client(addr, secret)
    st = c.cmd("query-status")["return"]
    if st["status"] != "running":
        fail("query-status: %s" % st)
    print("authenticated: greeting, qmp_capabilities, query-status %s" % st["status"])


def t_hostile(addr, secret, n):
    """n unauthenticated connections of every kind; the guest runs and a good
    client is answered throughout and afterwards."""
    n = int(n)
    good = Client(addr, secret)
    t0 = good.mtime()
    kinds = {"close": 0, "half": 0, "garbage": 0, "wrong": 0, "huge": 0, "silent-wait": 0}
    t_start = time.time()
    for i in range(n):
        s = connect(addr)
        k = i % 50
        try:
            if k == 0:
                s.sendall(auth_msg("not the secret"))
                kinds["wrong"] += 1
                read_all(s, 5)
            elif k == 1:
                s.sendall(b"\x00\x01\x02" * 1000 + b"}\n")
                kinds["garbage"] += 1
                read_all(s, 5)
            elif k == 2:
                try:
                    s.sendall(b"[" * 100000)
                except OSError:
                    pass
                kinds["huge"] += 1
                read_all(s, 5)
            elif k == 3:
                out, _ = read_all(s, 0.05)
                if out:
                    fail("silent client got %r" % out[:100])
                kinds["silent-wait"] += 1
            elif k % 2:
                s.sendall(b'{"execute": "baremu-auth')  # half a message, then gone
                kinds["half"] += 1
            else:
                kinds["close"] += 1
        except OSError:
            pass
        s.close()
        if i % 100 == 99:
            st = good.cmd("query-status")["return"]["status"]
            if st != "running":
                fail("guest %s after %d connections" % (st, i + 1))
    t1 = good.mtime()
    if t1 <= t0:
        fail("guest clock stalled: %x -> %x" % (t0, t1))
    fresh = Client(addr, secret)
    if fresh.cmd("query-status")["return"]["status"] != "running":
        fail("not running at the end")
    print("%d hostile connections (%s) in %.1f s; guest clock %x -> %x; old and new clients answered"
          % (n, ", ".join("%s %d" % kv for kv in kinds.items()), time.time() - t_start, t0, t1))


def main():
    t, addr, secret = sys.argv[1:4]
    args = sys.argv[4:]
    {"protocol": t_protocol, "hostile": t_hostile}[t](addr, secret, *args)


if __name__ == "__main__":
    main()
