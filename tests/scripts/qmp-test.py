#!/usr/bin/env python3
"""QMP/HMP checks against a running emulator (baremu or QEMU).

Usage: qmp-test.py TEST ADDRESS [args]
  ADDRESS is unix:PATH or tcp:HOST:PORT. Each test prints what it saw and
  exits 0 on success, 1 on a mismatch (with the reason on stdout).
"""
import json
import os
import socket
import sys
import time


def connect(addr, timeout=10):
    if addr.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = addr[5:]
    else:
        host, port = addr[4:].rsplit(":", 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        target = (host, int(port))
    deadline = time.time() + timeout
    while True:
        try:
            s.connect(target)
            break
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)
    s.settimeout(timeout)
    return s


class QMP:
    def __init__(self, addr, negotiate=True):
        self.sock = connect(addr)
        self.buf = b""
        self.events = []
        self.greeting = self.read()
        if negotiate:
            r = self.cmd("qmp_capabilities")
            assert r == {"return": {}}, r

    def read(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def send_raw(self, data, fds=None):
        if fds:
            socket.send_fds(self.sock, [data], fds)
        else:
            self.sock.sendall(data)

    def response(self):
        while True:
            m = self.read()
            if "event" in m:
                self.events.append(m)
            else:
                return m

    def cmd(self, name, args=None, fds=None, **extra):
        req = {"execute": name}
        if args is not None:
            req["arguments"] = args
        req.update(extra)
        self.send_raw(json.dumps(req).encode() + b"\n", fds)
        return self.response()

    def hmp(self, line):
        r = self.cmd("human-monitor-command", {"command-line": line})
        if "return" not in r:
            raise RuntimeError(r)
        return r["return"]

    def wait_event(self, name, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for e in self.events:
                if e["event"] == name:
                    self.events.remove(e)
                    return e
            self.sock.settimeout(max(0.1, deadline - time.time()))
            try:
                self.events.append(self.read())
            except socket.timeout:
                break
        return None


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def shape(v):
    """The structure of a value: keys and types, not the values."""
    if isinstance(v, dict):
        return {k: shape(x) for k, x in sorted(v.items())}
    if isinstance(v, list):
        return [shape(v[0])] if v else []
    return type(v).__name__


# The commands both emulators get; results compared by shape.
SHAPE_CMDS = [
    ("query-version", None),
    ("query-name", None),
    ("query-status", None),
    ("query-cpus-fast", None),
    ("query-chardev", None),
    ("query-commands", None),
    ("query-dump", None),
    ("query-fdsets", None),
    ("human-monitor-command", {"command-line": "info status"}),
    ("stop", None),
    ("cont", None),
    ("system_powerdown", None),
    ("nosuchcommand", None),
    ("stop", {"bogus": 1}),
    ("human-monitor-command", {"command-line": 5}),
    ("human-monitor-command", None),
    ("add-fd", None),
    ("remove-fd", {"fdset-id": 99}),
]
RAW_INPUTS = [b'{"execute": }', b"foo", b"[1]", b'{"exec": "x"}', b'{"execute": "query-status", "id": [1, {"a": 2}]}']


def t_transcript(addr, out):
    """Write every response (shape-relevant parts) as JSON lines to out."""
    q = QMP(addr, negotiate=False)
    rec = [{"greeting": shape(q.greeting)}]
    rec.append({"pre": q.cmd("query-status")})
    rec.append({"neg": q.cmd("qmp_capabilities")})
    rec.append({"neg2": q.cmd("qmp_capabilities")})
    for name, args in SHAPE_CMDS:
        r = q.cmd(name, args)
        if "error" in r:
            rec.append({name: {"error": r["error"]["class"], "desc": r["error"]["desc"]}})
        else:
            rec.append({name: shape(r)})
    for raw in RAW_INPUTS:
        q.send_raw(raw + b"\n")
        r = q.response()
        rec.append({raw.decode(): r.get("error", shape(r))})
    ev = q.wait_event("POWERDOWN", 5)
    rec.append({"events": sorted({e["event"] for e in q.events} | ({ev["event"]} if ev else set()))})
    with open(out, "w") as f:
        for r in rec:
            f.write(json.dumps(r, sort_keys=True) + "\n")
    print("transcript: %d records" % len(rec))


def t_block(addr, out):
    """query-block shapes of the drives both emulators have (QEMU adds its
    empty floppy/sd slots, and "qdev" where it can name the device), plus
    the values that must agree, and HMP info block's first lines."""
    q = QMP(addr)
    rec = []
    for d in q.cmd("query-block")["return"]:
        if d["device"] not in ("virtio0", "d1"):
            continue
        d.pop("qdev", None)
        ins = d["inserted"]
        rec.append({"device": d["device"], "shape": shape(d), "ro": ins["ro"], "drv": ins["drv"],
                    "file": ins["file"], "size": ins["image"]["virtual-size"],
                    "cache": ins["cache"], "removable": d["removable"]})
    hmp = q.hmp("info block")
    for line in hmp.split("\r\n"):
        if line.startswith(("virtio0", "d1")):
            rec.append({"hmp": line.split(":", 1)[1]})
    with open(out, "w") as f:
        for r in rec:
            f.write(json.dumps(r, sort_keys=True) + "\n")
    print("\n".join(json.dumps(r) for r in rec))


def t_compare(ours, theirs):
    """Same shapes and error texts, except where baremu documents a difference."""
    a = [json.loads(l) for l in open(ours)]
    b = [json.loads(l) for l in open(theirs)]
    bad = 0
    for x, y in zip(a, b):
        if x != y:
            key = list(x)[0]
            # QEMU 7.2 advertises "oob" and more HMP commands; chardev lists differ by machine.
            if key in ("greeting",) and x[key]["QMP"]["version"] == y[key]["QMP"]["version"]:
                continue
            print("differs:\n  baremu: %s\n  qemu:   %s" % (json.dumps(x), json.dumps(y)))
            bad += 1
    if len(a) != len(b):
        fail("different number of records: %d vs %d" % (len(a), len(b)))
    if bad:
        fail("%d records differ" % bad)
    print("all %d records have QEMU's shapes" % len(a))


def mtime(q):
    # ACLINT mtime at CLINT base + 0xbff8 (QEMU 7.2 virt layout).
    txt = q.hmp("xp /1g 0x200bff8")
    return int(txt.split()[1], 16)


def t_pause(addr):
    """stop really stops the vCPU and the virtual clock; cont resumes both."""
    q = QMP(addr)
    t0 = mtime(q)
    time.sleep(0.3)
    t1 = mtime(q)
    if t1 <= t0:
        fail("mtime does not advance while running: %x %x" % (t0, t1))
    assert q.cmd("stop") == {"return": {}}
    if not q.wait_event("STOP"):
        fail("no STOP event")
    st = q.cmd("query-status")["return"]
    if st["status"] != "paused" or st["running"]:
        fail("query-status after stop: %s" % st)
    pc0 = q.hmp("info registers").split("\n")[0]
    s0 = mtime(q)
    time.sleep(0.5)
    s1 = mtime(q)
    pc1 = q.hmp("info registers").split("\n")[0]
    if s0 != s1:
        fail("virtual clock moved while stopped: %x -> %x" % (s0, s1))
    if pc0 != pc1:
        fail("pc moved while stopped: %s -> %s" % (pc0, pc1))
    assert q.cmd("cont") == {"return": {}}
    if not q.wait_event("RESUME"):
        fail("no RESUME event")
    time.sleep(0.3)
    s2 = mtime(q)
    if s2 <= s1:
        fail("virtual clock did not resume: %x -> %x" % (s1, s2))
    # Virtual time skipped none of the pause: it moved by about 0.3 s, not 0.8 s (10 MHz).
    if s2 - s1 > 6000000:
        fail("virtual clock counted the pause: +%d ticks" % (s2 - s1))
    print("paused at %s; mtime held at %x, resumed to %x" % (pc0.strip(), s1, s2))


def t_dump(addr, path):
    """Stop, note registers and memory, dump, write what we expect for gdb."""
    q = QMP(addr)
    q.cmd("stop")
    regs = q.hmp("info registers")
    pc = int(regs.split("\n")[0].split()[1], 16)
    words = q.hmp("xp /4xw 0x80200000").split(":")[1].split()
    r = q.cmd("dump-guest-memory", {"paging": False, "protocol": "file:" + path})
    if r != {"return": {}}:
        fail("dump: %s" % r)
    ev = q.wait_event("DUMP_COMPLETED")
    if not ev or ev["data"]["result"]["status"] != "completed":
        fail("DUMP_COMPLETED: %s" % ev)
    qd = q.cmd("query-dump")["return"]
    if qd["status"] != "completed" or qd["total"] != qd["completed"] or qd["total"] < 128 << 20:
        fail("query-dump: %s" % qd)
    # The dump keeps a stopped guest stopped.
    if q.cmd("query-status")["return"]["status"] != "paused":
        fail("dump resumed a stopped guest")
    q.cmd("cont")
    print("pc=0x%x words=%s" % (pc, " ".join(words)))


def t_fdset(addr, path):
    """add-fd over SCM_RIGHTS, query-fdsets, a dump to /dev/fdset/N, remove-fd."""
    q = QMP(addr)
    r = q.cmd("add-fd", {"opaque": "dumpfile"})
    if r.get("error", {}).get("desc") != "No file descriptor supplied via SCM_RIGHTS":
        fail("add-fd without an fd: %s" % r)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    r = q.cmd("add-fd", {"fdset-id": 3, "opaque": "dumpfile"}, fds=[fd])
    os.close(fd)
    if "return" not in r or r["return"]["fdset-id"] != 3:
        fail("add-fd: %s" % r)
    their_fd = r["return"]["fd"]
    sets = q.cmd("query-fdsets")["return"]
    if sets != [{"fdset-id": 3, "fds": [{"fd": their_fd, "opaque": "dumpfile"}]}]:
        fail("query-fdsets: %s" % sets)
    r = q.cmd("dump-guest-memory", {"paging": False, "protocol": "file:/dev/fdset/3"})
    if r != {"return": {}}:
        fail("dump to /dev/fdset/3: %s" % r)
    if os.path.getsize(path) < 128 << 20:
        fail("fdset dump is only %d bytes" % os.path.getsize(path))
    r = q.cmd("dump-guest-memory", {"paging": False, "protocol": "file:/dev/fdset/9"})
    if "error" not in r:
        fail("dump to a missing fd set succeeded: %s" % r)
    if q.cmd("remove-fd", {"fdset-id": 3}) != {"return": {}}:
        fail("remove-fd")
    if q.cmd("query-fdsets")["return"] != []:
        fail("fd set still there after remove-fd")
    r = q.cmd("remove-fd", {"fdset-id": 3})
    if r.get("error", {}).get("desc") != "File descriptor named 'fdset-id:3' not found":
        fail("remove-fd twice: %s" % r)
    print("fd %d in set 3 took a %d-byte dump" % (their_fd, os.path.getsize(path)))


def t_badinput(addr):
    """Hostile input on one session; the same session and others keep working."""
    q = QMP(addr)
    q.send_raw(b"[" * 5000 + b"]" * 5000 + b"\n")
    r = q.response()
    if r.get("error", {}).get("class") != "GenericError" or "nesting" not in r["error"]["desc"]:
        fail("deep nesting: %s" % r)
    q.send_raw(b'{"execute": "' + b"x" * (2 << 20) + b'"}\n')
    r = q.response()
    if "too large" not in r.get("error", {}).get("desc", ""):
        fail("huge message: %s" % r)
    q.send_raw(b"\xff\xfe{\"execute\": \"query-status\"}\n")
    errs = 0
    while True:
        r = q.response()
        if "error" in r:
            errs += 1
            continue
        break
    if r["return"]["status"] != "running":
        fail("after garbage: %s" % r)
    r = q.cmd("query-status", id={"nested": [1, 2, {"x": None}]})
    if r.get("id") != {"nested": [1, 2, {"x": None}]}:
        fail("id not echoed: %s" % r)
    print("deep nesting, 2 MiB message and binary garbage answered with errors (%d), session alive" % errs)


def t_load(addr, seconds):
    """Connection churn, half-sent commands and slow readers while a client keeps asking."""
    end = time.time() + seconds
    n = 0
    slow = []
    for i in range(6):
        s = connect(addr)
        # Commands whose answers are never read: the emulator must drop us, not block.
        try:
            s.setblocking(False)
            s.send(b'{"execute": "qmp_capabilities"}\n' + b'{"execute": "query-commands"}\n' * 200)
        except OSError:
            pass
        slow.append(s)
    watcher = QMP(addr)
    t_prev = mtime(watcher)
    while n < 1000 and time.time() < end:
        s = connect(addr)
        kind = n % 4
        if kind == 1:
            s.sendall(b'{"execute": "qmp_capa')  # half a command, then gone
        elif kind == 2:
            s.recv(100)  # half the greeting
        elif kind == 3:
            s.sendall(b'{"execute": "qmp_capabilities"}\n{"execute": "query-status"}\n')
        s.close()
        n += 1
        if n % 100 == 0:
            st = watcher.cmd("query-status")["return"]
            if st["status"] != "running":
                fail("guest not running after %d connections: %s" % (n, st))
    t_now = mtime(watcher)
    if t_now <= t_prev:
        fail("guest clock stalled during the load")
    for s in slow:
        s.close()
    if n < 1000:
        fail("only %d connections in %.0f s" % (n, seconds))
    # A brand-new client after all that.
    q = QMP(addr)
    if q.cmd("query-status")["return"]["status"] != "running":
        fail("not running at the end")
    print("%d connections churned, 6 slow readers, guest clock %x -> %x, monitor answering" % (n, t_prev, t_now))


def t_slow_paused(addr):
    """A client that queues many commands while the guest is paused, then reads
    slowly, still gets every answer (output is pushed on without new input)."""
    q = QMP(addr)
    q.cmd("stop")
    n = 600
    q.send_raw(b'{"execute": "query-commands"}\n' * n)
    time.sleep(1.0)  # more than the socket buffer is now waiting on our side
    got = 0
    q.sock.settimeout(10)
    while got < n:
        time.sleep(0.001)
        r = q.response()
        if "return" not in r:
            fail("unexpected: %s" % r)
        got += 1
    q.cmd("cont")
    print("%d answers of ~1 KiB each read slowly while paused" % got)


def t_hmp_socket(addr):
    """HMP on a socket: banner, prompt, info commands, x/xp."""
    s = connect(addr)
    buf = b""

    def until(pat, timeout=10):
        nonlocal buf
        deadline = time.time() + timeout
        while pat not in buf:
            s.settimeout(max(0.1, deadline - time.time()))
            d = s.recv(65536)
            if not d:
                break
            buf += d
        if pat not in buf:
            fail("HMP: no %r in %r" % (pat, buf[-300:]))
        out, buf = buf.split(pat, 1)
        return out.decode(errors="replace")

    until(b"(qemu) ")
    checks = [
        ("info status", "VM status: running"),
        ("info version", "0.1.0"),
        ("info chardev", "serial0: filename="),
        ("info mtree", "0000000080000000-0000000087ffffff (prio 0, ram): riscv_virt_board.ram"),
        ("info qtree", "dev: uart16550, id \"serial0\""),
        ("info registers", "x2/sp"),
        ("xp /2xw 0x1000", "0000000000001000: 0x"),
        ("x /2xw 0x80200000", "0000000080200000: 0x"),
        ("info block", ""),
        ("stop", ""),
        ("info status", "VM status: paused"),
        ("cont", ""),
        ("info status", "VM status: running"),
        ("bogus", "unknown command: 'bogus'"),
    ]
    for cmd, want in checks:
        s.sendall(cmd.encode() + b"\r")
        out = until(b"(qemu) ")
        if want not in out:
            fail("HMP %s: wanted %r in %r" % (cmd, want, out))
    print("HMP over a socket: %d commands checked" % len(checks))


def main():
    t = sys.argv[1]
    args = sys.argv[2:]
    fn = {
        "transcript": t_transcript,
        "compare": t_compare,
        "pause": t_pause,
        "dump": t_dump,
        "fdset": t_fdset,
        "badinput": t_badinput,
        "load": lambda a, s="20": t_load(a, float(s)),
        "hmp-socket": t_hmp_socket,
        "slow-paused": t_slow_paused,
        "block": t_block,
    }[t]
    fn(*args)


if __name__ == "__main__":
    main()
