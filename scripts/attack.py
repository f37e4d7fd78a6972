"""The attack suite (issue 11): hostile clients against the built servers,
each server under an address-space limit, with a real Pyro 3.16 client
(Python 2.7, scripts/attack_client.py) calling it throughout.

usage: attack.py --bin DIR [--servers LIST] [--attacks LIST]
                 [--as-limit MIB] [--known FILE] [--json FILE]

For every server x attack a fresh server is started (pyro-echo; pyro-ns;
pyro-ns -d in a temporary directory; pyro-es -N with one Python
subscriber of 'attack' and 'client'), under `ulimit -v` and
with PYRO_MAXCONNECTIONS=200; the real client connects afresh for every
call (echo(i) / resolve(':Pyro.NameServer') / publish('client', i)) and
must have been served once before the attack starts. Then the attack runs,
bounded in count and time, then a second of settling. The table says what
the attacker got back, whether the server lived (and its peak RSS, from
/proc), and how the real client fared over the attack: calls ok / made and
the longest call. A cell passes when the server is alive at the end and
every call the real client started during the attack succeeded.

Attacks (raw frames written here, after the handshake unless said):
  none        no attack: shows that the limit and the set-up are sound
  encoder     one call whose argument is K\\x01 then 2\\x86 forty times
              (154-byte pickle, a tuple of 2**40 shared leaves): echo(x),
              register(':Default.attack', x), publish('attack', x)
  decoder     8 connections at once, each sending a 15.6 KB zlib-compressed
              body (K\\x01, 16,000,000 DUP, LIST: a 16M-item list)
  malformed   bad magic / version / header size / checksum, negative and
              oversized lengths, truncated header and body, bad zlib, not a
              4-tuple, bad pickle, unknown object, bad CONNECT, junk instead
              of the handshake: each on its own connection (the second
              table gives each answer)
  slow        20 connections trickling a handshake and a valid call, one
              byte per 30 ms
  idle        199 connections that never send a byte, held for 3 s
  reconnect   199 connections that never send a byte, each closed by the
              attacker after 0.3-1.5 s and reopened at once, and reopened at
              once when the server closes it, for 4 s

The attackers connect from 127.0.0.1 like the real client; --src 127.0.0.2
(loopback too) lets a server's per-address limit
(PYRO_MAXCONNECTIONS_PER_HOST) tell them apart.

Exit status: 1 if a cell failed, unless --known FILE lists it ("server
attack" per line, # comments): then only cells failing that are not listed
make it 1, so CI catches regressions while known failures remain; listed
cells that now pass are named at the end so the list can shrink. 2 for a
broken set-up (a server that does not start, a real client never served
before the attack).
"""
import argparse
import collections
import concurrent.futures
import hashlib
import hmac
import io
import json
import os
import pickle
import random
import re
import resource
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
HOST = "127.0.0.1"
HEADER = struct.Struct(">4sHHiHI")  # Pyro's !4sHHlHl, crc unsigned here
FLAG_COMPRESSED, FLAG_CHECKSUM = 1, 2
DAEMON_ID = b"c0000000011000001000000010000001"
READ_CAP = 64 << 20  # reply bodies larger than this are not read
CALL_TIMEOUT = 10  # the real client's socket timeout per call
SETTLE = 1.0  # seconds watched after an attack ends
BUSY_CPU = 0.5  # a server using more of a core than this after the attack is busy,
BUSY_GROWTH = 16  # and so is one whose RSS grows by more MiB than this in half a second
ANSWER_WAIT = 20.0  # how long an amplification attacker waits for its answer
IDLE_SECONDS = 3
RECONNECT_SECONDS = 4

PROCS = []  # every process started, killed on the way out
STOPPING = threading.Event()  # set on the way out: no new process starts
PROCS_LOCK = threading.Lock()


class SetupError(Exception):
    """The suite itself could not run a cell (exit status 2)."""


# ---------------------------------------------------------------- pickles

class Raw(bytes):
    """Pickle opcodes inserted as they are."""


def pk(v):
    """Protocol-2 opcodes for the few Python 2 values the calls need (bytes
    are Python 2 str)."""
    if isinstance(v, Raw):
        return bytes(v)
    if v is None:
        return b"N"
    if isinstance(v, bool):
        return b"\x88" if v else b"\x89"
    if isinstance(v, int):
        if 0 <= v < 256:
            return b"K" + bytes([v])
        return b"J" + struct.pack("<i", v)
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        if len(v) < 256:
            return b"U" + bytes([len(v)]) + v
        return b"T" + struct.pack("<I", len(v)) + v
    if isinstance(v, tuple):
        if not v:
            return b")"
        if len(v) <= 3:
            return b"".join(pk(x) for x in v) + b"\x85\x86\x87"[len(v) - 1:len(v)]
        return b"(" + b"".join(pk(x) for x in v) + b"t"
    if isinstance(v, dict):
        if not v:
            return b"}"
        return b"}(" + b"".join(pk(k) + pk(x) for k, x in v.items()) + b"u"
    raise TypeError("cannot pickle %r" % (v,))


def dumps(v):
    return b"\x80\x02" + pk(v) + b"."


def call_body(objid, method, flags, args):
    return dumps((objid, method, flags, args))


SHARED_TUPLE = Raw(b"K\x01" + b"2\x86" * 40)  # ((1,1),(1,1))... 2**40 leaves
BIG_LIST = b"\x80\x02(K\x01" + b"2" * 16_000_000 + b"l."  # 16M-item list


class _Stub:
    """Stands for any class a reply names; keeps what it was built from."""
    qual = "?"

    def __init__(self, *args):
        self.args = args
        self.state = None

    def __setstate__(self, state):
        self.state = state


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        return type(name, (_Stub,), {"qual": module + "." + name})


def safe_repr(v, depth=2):
    """A short repr that never walks far into a value (an echoed tuple of
    2**40 shared leaves must not be printed)."""
    if isinstance(v, _Stub):
        return v.qual + safe_repr(v.args, depth)
    if isinstance(v, (str, bytes)):
        r = repr(v)
        return r if len(r) <= 60 else r[:57] + "..."
    if isinstance(v, (tuple, list)):
        if depth <= 0:
            return "(...)" if isinstance(v, tuple) else "[...]"
        inner = ", ".join(safe_repr(x, depth - 1) for x in v[:3])
        if len(v) > 3:
            inner += ", ... %d items" % len(v)
        return ("(%s)" if isinstance(v, tuple) else "[%s]") % inner
    if isinstance(v, dict):
        return "{...%d keys}" % len(v) if depth <= 0 else "{%s}" % ", ".join(
            "%s: %s" % (safe_repr(k, 0), safe_repr(x, depth - 1)) for k, x in list(v.items())[:3])
    return repr(v)[:60]


def describe_reply(body):
    """What a reply body says, in a few words."""
    if b"PyroExceptionCapsule" in body:
        try:
            capsule = _Unpickler(io.BytesIO(body), encoding="latin1").load()
            exc = (capsule.state or {}).get("excObj")
            if isinstance(exc, _Stub):
                args = exc.args
                text = (repr(args[0])[1:-1] if len(args) == 1 and isinstance(args[0], str)
                        else ", ".join(safe_repr(a, 1) for a in args))
                qual = re.sub(r"^(exceptions|Pyro\.errors)\.", "", exc.qual)
                return "error %s: %s" % (qual, text)
        except Exception as x:  # the reply is described, not trusted
            return "error reply (%d bytes, unreadable: %s)" % (len(body), x)
    if len(body) <= 4096:
        try:
            v = _Unpickler(io.BytesIO(body), encoding="latin1").load()
            return "value %s (%d bytes)" % (safe_repr(v, 1), len(body))
        except Exception:
            pass
    return "value (%d bytes)" % len(body)


# ------------------------------------------------------------ connections

def frame(body, flags=0, magic=b"PYRO", version=5, hsize=18, size=None, crc=None):
    if crc is None:
        crc = zlib.adler32(body) if flags & FLAG_CHECKSUM else 0
    return HEADER.pack(magic, version, hsize, len(body) if size is None else size, flags, crc) + body


class Conn:
    """One raw attacker connection."""

    def __init__(self, port, src, timeout=5.0):
        self.s = socket.socket()
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.s.bind((src, 0))
        self.s.settimeout(timeout)
        self.s.connect((HOST, port))

    def close(self):
        self.s.close()

    def read(self, n, deadline):
        """Up to n bytes, fewer on EOF, reset or the deadline."""
        buf = b""
        while len(buf) < n:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError(buf)
            self.s.settimeout(left)
            try:
                chunk = self.s.recv(n - len(buf))
            except socket.timeout:
                raise TimeoutError(buf)
            except ConnectionResetError:
                raise EOFError(buf, "reset")
            if not chunk:
                raise EOFError(buf, "closed")
            buf += chunk
        return buf

    def challenge(self, timeout=5.0):
        """Reads the server's first message: the challenge, or DENIED."""
        deadline = time.time() + timeout
        try:
            head = self.read(7, deadline)
        except EOFError as x:
            if x.args[0].startswith(b"DENIED"):
                return x.args[0]
            raise
        if head.startswith(b"DENIED"):
            return head
        head += self.read(HEADER.size - 7, deadline)
        size = HEADER.unpack(head)[3]
        return self.read(size, deadline)

    def handshake(self, timeout=5.0):
        ch = self.challenge(timeout)
        if ch.startswith(b"DENIED"):
            raise SetupError("handshake: server answered %s" % ch.decode(errors="replace"))
        token = hmac.new(ch, b"", hashlib.md5).digest()
        self.s.sendall(frame(b"CONNECT" + token))
        verdict = self.read(7, time.time() + timeout)
        if verdict != b"GRANTED":
            raise SetupError("handshake: server answered %r" % verdict)

    def answer(self, timeout):
        """What the server sends next, in words: a reply, a raw verdict,
        the connection closed or reset, or nothing within timeout."""
        t0 = time.time()
        deadline = t0 + timeout
        try:
            head = self.read(7, deadline)
            if head in (b"GRANTED",) or head.startswith(b"DENIED"):
                return "raw %s" % head.decode()
            head += self.read(HEADER.size - 7, deadline)
            magic, version, hsize, size, flags, _ = HEADER.unpack(head)
            if magic != b"PYRO" or size < 0:
                return "bad reply header %r" % head
            if size > READ_CAP:
                return "reply of %d bytes (not read)" % size
            body = self.read(size, deadline)
        except TimeoutError as x:
            return "nothing in %.0f s" % timeout if not x.args[0] else "partial reply, then nothing"
        except EOFError as x:
            how = "reset" if x.args[1] == "reset" else "closed"
            if x.args[0]:
                return "partial reply, then %s" % how
            return "%s after %.1f s, no reply" % (how, time.time() - t0)
        if flags & FLAG_COMPRESSED:
            d = zlib.decompressobj()
            try:
                body = d.decompress(body, READ_CAP)
            except zlib.error:
                return "reply with bad zlib data"
        return describe_reply(body)


def tally(answers):
    """'3 x A, 1 x B' for a list of answers, most common first."""
    c = collections.Counter(answers)
    if len(c) == 1 and len(answers) == 1:
        return answers[0]
    return ", ".join("%d x %s" % (n, a) for a, n in c.most_common())


def generalize(answer):
    """An answer without the figures that differ between connections."""
    return re.sub(r" after [0-9.]+ s", "", answer)


# ---------------------------------------------------------------- servers

SERVERS = {
    # name: (binary, arguments, URI line pattern, ready line)
    "pyro-echo": ("pyro-echo", ["-H", HOST, "-p", "0"], r"echo uri = (PYRO://\S+)", "echoserver running."),
    "pyro-ns": ("pyro-ns", ["-n", HOST, "-p", "0", "-r", "-x"], r"URI is: (PYRO://\S+)", "Name Server started."),
    "pyro-ns-d": ("pyro-ns", ["-n", HOST, "-p", "0", "-r", "-x", "-d"], r"URI is: (PYRO://\S+)",
                  "Name Server started."),
    "pyro-es": ("pyro-es", ["-n", HOST, "-p", "0", "-N"], r"URI= (PYRO://\S+)", "Event Server started."),
}
CLIENT_KIND = {"pyro-echo": "echo", "pyro-ns": "ns", "pyro-ns-d": "ns", "pyro-es": "es"}


def start(cmd, **kw):
    with PROCS_LOCK:
        if STOPPING.is_set():
            raise SetupError("stopping")
        p = subprocess.Popen(cmd, **kw)
        PROCS.append(p)
        return p


def stop(p, grace=3.0):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def kill_all():
    with PROCS_LOCK:
        STOPPING.set()
    for p in PROCS:
        if p.poll() is None:
            p.kill()
    for p in PROCS:
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            pass


class Lines:
    """Collects a process's stdout lines, each with the time it arrived."""

    def __init__(self, stream):
        self.lines = []
        self.cond = threading.Condition()
        self.done = False
        threading.Thread(target=self._run, args=(stream,), daemon=True).start()

    def _run(self, stream):
        for raw in stream:
            with self.cond:
                self.lines.append((time.time(), raw.decode(errors="replace").rstrip("\n")))
                self.cond.notify_all()
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def wait_for(self, pred, timeout):
        deadline = time.time() + timeout
        with self.cond:
            i = 0
            while True:
                for _, line in self.lines[i:]:
                    m = pred(line)
                    if m:
                        return m
                i = len(self.lines)
                left = deadline - time.time()
                if self.done or left <= 0:
                    return None
                self.cond.wait(left)

    def text(self):
        with self.cond:
            return "\n".join(line for _, line in self.lines)


def py2_env(work):
    env = dict(os.environ)
    env.update(PYTHONDONTWRITEBYTECODE="1", PYRO_STORAGE=work, PYRO_HOST=HOST, PYRO_PORT="0",
               PYRO_NS_HOSTNAME=HOST, PYRO_NS2_HOSTNAME=HOST)
    return env


class Server:
    """One server process under the address-space limit, its RSS watched."""

    def __init__(self, name, args, work):
        binary, argv, uri_re, ready = SERVERS[name]
        self.name, self.work = name, work
        env = dict(os.environ, PYRO_STORAGE=work, PYRO_MAXCONNECTIONS="200")
        self.err_path = os.path.join(work, "stderr")
        cmd = [os.path.join(args.bin, binary)] + argv
        if args.as_limit:
            # sh sets the limit, then becomes the server (same pid)
            cmd = ["/bin/sh", "-c", 'ulimit -v %d && exec "$0" "$@"' % (args.as_limit * 1024)] + cmd
        with open(self.err_path, "wb") as err:
            self.p = start(cmd, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=work)
        self.out = Lines(self.p.stdout)
        m = self.out.wait_for(lambda l: re.search(uri_re, l), 15)
        if not m or not self.out.wait_for(lambda l: l == ready, 15):
            stop(self.p)
            raise SetupError("%s did not start%s (exit %s):\n%s\n%s" % (
                name, " under a %d MiB address-space limit" % args.as_limit if args.as_limit else "",
                self.p.poll(), self.out.text(), self.stderr()[-2000:]))
        self.uri = m.group(1)
        hostport, objid = self.uri[len("PYRO://"):].split("/", 1)
        self.port, self.objid = int(hostport.rsplit(":", 1)[1]), objid.encode()
        if args.as_limit:
            self.limit = args.as_limit << 20
        else:
            # what it maps at rest (mostly reservations of the Go runtime),
            # plus the headroom, from now on
            self.limit = self.status("VmSize") * 1024 + (args.as_headroom << 20)
            resource.prlimit(self.p.pid, resource.RLIMIT_AS, (self.limit, self.limit))
        self.check_limit()
        self.peak_kib = 0
        self.stopped = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()
        self.sub = None
        if name == "pyro-es":
            self.sub = start([args.py2, os.path.join(HERE, "attack_client.py"), "sub", self.uri, "attack", "client"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                             env=py2_env(work))
            self.sub_out = Lines(self.sub.stdout)
            if not self.sub_out.wait_for(lambda l: l == "READY", 15):
                self.stop()
                raise SetupError("the subscriber of %s did not subscribe" % name)

    def status(self, field):
        """A kB figure of /proc/<pid>/status."""
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise SetupError("no %s in /proc/%d/status" % (field, self.p.pid))

    def check_limit(self):
        with open("/proc/%d/limits" % self.p.pid) as f:
            for line in f:
                if line.startswith("Max address space"):
                    soft = line.split()[3]
                    if soft != str(self.limit):
                        raise SetupError("%s runs with address-space limit %s, not %d" % (
                            self.name, soft, self.limit))
                    return
        raise SetupError("no address-space limit in /proc/%d/limits" % self.p.pid)

    def _sample(self):
        path = "/proc/%d/status" % self.p.pid
        while not self.stopped.is_set() and self.p.poll() is None:
            try:
                with open(path) as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            self.peak_kib = max(self.peak_kib, int(line.split()[1]))
            except (OSError, ValueError):
                return
            self.stopped.wait(0.05)

    def alive(self):
        return self.p.poll() is None

    def activity(self, seconds):
        """(share of one core used, RSS growth in MiB) over the next seconds."""
        def sample():
            try:
                with open("/proc/%d/stat" % self.p.pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                return ((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"),
                        int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / (1 << 20))
            except (OSError, IndexError, ValueError):
                return None
        a, t = sample(), time.time()
        time.sleep(seconds)
        b = sample()
        if a is None or b is None:
            return 0.0, 0.0
        return (b[0] - a[0]) / (time.time() - t), b[1] - a[1]

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode(errors="replace")

    def death(self):
        """How the server ended, in a few words (None while it runs)."""
        rc = self.p.poll()
        if rc is None:
            return None
        err = self.stderr()
        for pat in (r"^fatal error: (.*)$", r"^(runtime: out of memory.*?)$", r"^panic: (.*)$",
                    r"^(runtime/cgo: .*)$", r"^(runtime: .*)$"):
            m = re.search(pat, err, re.M)
            if m:
                return "died: " + m.group(1).strip()
        if rc < 0:
            return "died: signal %s" % signal.Signals(-rc).name
        return "exited with status %d" % rc

    def events(self, t0, t1=None):
        """Events per subject the subscriber received between t0 and t1."""
        if not self.sub:
            return None
        with self.sub_out.cond:
            return collections.Counter(l.split()[2] for t, l in self.sub_out.lines
                                       if l.startswith("EVENT ") and t0 <= t and (t1 is None or t <= t1))

    def stop(self):
        self.stopped.set()
        if self.sub:
            stop(self.sub)
        stop(self.p)


class RealClient:
    """scripts/attack_client.py calling the server in a loop."""

    def __init__(self, server, args):
        self.p = start([args.py2, os.path.join(HERE, "attack_client.py"), CLIENT_KIND[server.name],
                        server.uri, str(CALL_TIMEOUT)],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       env=py2_env(server.work))
        self.out = Lines(self.p.stdout)

    def calls(self):
        """(start, seconds, outcome) of every call so far."""
        with self.out.cond:
            lines = [l for _, l in self.out.lines if l.startswith("CALL ")]
        out = []
        for l in lines:
            _, start, secs, outcome = l.split(" ", 3)
            out.append((float(start), float(secs), outcome))
        return out

    def wait_served(self, timeout):
        return self.out.wait_for(lambda l: l.startswith("CALL ") and l.endswith(" ok"), timeout)

    def finish(self):
        """Lets the call under way end (bounded by its own timeout), then
        stops the loop."""
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(CALL_TIMEOUT + 5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


# ---------------------------------------------------------------- attacks

def benign_call(server):
    """A valid call for each server (what the slow attacker trickles)."""
    kind = CLIENT_KIND[server.name]
    if kind == "echo":
        return call_body(server.objid, "echo", 3, ((b"slow",), {}))
    if kind == "ns":
        return call_body(server.objid, "ping", 0, ())
    return call_body(server.objid, "publish", 3, ((b"slow", 1), {}))


def amplified_call(server, x):
    kind = CLIENT_KIND[server.name]
    if kind == "echo":
        return call_body(server.objid, "echo", 3, ((x,), {}))
    if kind == "ns":
        return call_body(server.objid, "register", 0, (b":Default.attack", x))
    return call_body(server.objid, "publish", 3, ((b"attack", x), {}))


def attack_none(server, args):
    time.sleep(1.0)
    return {"answer": "-"}


def attack_encoder(server, args):
    body = amplified_call(server, SHARED_TUPLE)
    c = Conn(server.port, args.src)
    c.handshake()
    c.s.sendall(frame(body))
    t0 = time.time()
    ans = c.answer(ANSWER_WAIT)
    c.close()
    note = "%d-byte request, answer after %.1f s" % (len(body), time.time() - t0)
    if server.sub and ans.startswith("value"):
        # pyro-es answers publish at once and encodes the event for its
        # subscriber after: wait for the delivery.
        end = t0 + ANSWER_WAIT
        while server.alive() and not server.events(t0)["attack"] and time.time() < end:
            time.sleep(0.05)
        got = [t for t, l in server.sub_out.lines if t >= t0 and l.endswith(" attack")]
        if got:
            note += ", event delivered after %.1f s" % (got[0] - t0)
        elif server.alive():
            ans += "; event not delivered in %.0f s" % (time.time() - t0)
            return {"answer": ans, "unanswered": 1, "note": note}
    return {"answer": ans, "unanswered": int(ans.startswith("nothing")), "note": note}


_packed = []


def attack_decoder(server, args):
    if not _packed:
        _packed.append(zlib.compress(BIG_LIST, 9))
    packed = _packed[0]
    conns = []
    for _ in range(8):
        c = Conn(server.port, args.src)
        c.handshake()
        conns.append(c)
    msg = frame(packed, flags=FLAG_COMPRESSED)
    for c in conns:
        c.s.sendall(msg)
    answers = [None] * len(conns)

    def read(i):
        answers[i] = generalize(conns[i].answer(ANSWER_WAIT))

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(conns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in conns:
        c.close()
    return {"answer": tally(answers), "unanswered": sum(a.startswith("nothing") for a in answers),
            "note": "8 x %d-byte message (%d bytes inflated)" % (len(msg), len(BIG_LIST))}


def malformed_cases(server):
    ok = benign_call(server)
    return [
        # (name, before handshake?, bytes, half-close after sending?)
        ("bad magic", False, frame(ok, magic=b"PYRX"), False),
        ("bad version", False, frame(ok, version=4), False),
        ("bad header size", False, frame(ok, hsize=17), False),
        ("bad checksum", False, frame(ok, flags=FLAG_CHECKSUM, crc=12345), False),
        ("negative length", False, frame(b"", size=-1), False),
        ("oversized length", False, frame(b"", size=0x7FFFFFFF), False),
        ("truncated header", False, frame(ok)[:10], True),
        ("truncated body", False, frame(ok)[:HEADER.size + len(ok) // 2], True),
        ("bad zlib", False, frame(b"this is not zlib data", flags=FLAG_COMPRESSED), False),
        ("not a 4-tuple", False, frame(dumps((1, 2))), False),
        ("bad pickle", False, frame(b"\x80\x02\xff\xfe\xfd."), False),
        ("unknown object", False, frame(call_body(b"0" * 34, "ping", 0, ())), False),
        ("CONNECT missing", True, frame(b"HELLO" + b"\0" * 16), False),
        ("junk handshake", True, b"GET / HTTP/1.0\r\n\r\n" + b"\0" * 32, False),
    ]


def attack_malformed(server, args):
    cases = malformed_cases(server)
    results = [None] * len(cases)

    def run(i):
        name, pre, data, half = cases[i]
        try:
            c = Conn(server.port, args.src)
            if pre:
                c.challenge()
            else:
                c.handshake()
            c.s.sendall(data)
            if half:
                c.s.shutdown(socket.SHUT_WR)
            results[i] = (name, c.answer(3.0))
            c.close()
        except (OSError, SetupError, EOFError, TimeoutError) as x:
            results[i] = (name, "attacker failed: %s" % (x,))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(cases))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    kinds = collections.Counter(
        "error reply" if a.startswith("error") else
        "closed" if a.startswith(("closed", "reset")) else a for _, a in results)
    return {"answer": "%d cases: %s" % (len(results), ", ".join("%d %s" % (n, k) for k, n in kinds.most_common())),
            "detail": results}


def attack_slow(server, args, n=20, pause=0.03):
    conns, sent, done = [], [], {}
    for _ in range(n):
        c = Conn(server.port, args.src)
        ch = c.challenge()
        data = frame(b"CONNECT" + hmac.new(ch, b"", hashlib.md5).digest()) + frame(benign_call(server))
        conns.append((c, data))
        sent.append(0)
    t0 = time.time()
    while len(done) < n:
        for i, (c, data) in enumerate(conns):
            if i in done:
                continue
            try:
                c.s.sendall(data[sent[i]:sent[i] + 1])
                sent[i] += 1
            except OSError as x:
                done[i] = "%s after %.1f s at byte %d of %d" % (
                    "reset" if isinstance(x, ConnectionResetError) else "send failed", time.time() - t0,
                    sent[i], len(data))
                continue
            if sent[i] == len(data):
                done[i] = None
        time.sleep(pause)
    answers = []
    for i, (c, data) in enumerate(conns):
        if done[i]:
            answers.append(generalize(done[i]))
            continue
        verdict = c.answer(3.0)
        if verdict == "raw GRANTED":
            verdict = c.answer(3.0)
        answers.append(generalize(verdict))
        c.close()
    return {"answer": tally(answers),
            "note": "%d conns x %d bytes over %.1f s" % (n, len(conns[0][1]), time.time() - t0)}


class Crowd:
    """Connections that never send a byte: they read what the server sends
    (its challenge, or DENIED) and notice when it closes them."""

    def __init__(self, server, args, n):
        self.server, self.args = server, args
        self.sel = selectors.DefaultSelector()
        self.stats = collections.Counter()
        for _ in range(n):
            self.open()

    def open(self, lifetime=None):
        try:
            s = socket.socket()
            s.setblocking(False)
            s.bind((self.args.src, 0))
            s.connect_ex((HOST, self.server.port))
        except OSError as x:
            self.stats["connect failed: %s" % x.strerror] += 1
            return
        self.stats["connections made"] += 1
        self.sel.register(s, selectors.EVENT_READ, [time.time() + lifetime if lifetime else None, b""])

    def run(self, seconds, reconnect=False):
        end = time.time() + seconds
        while time.time() < end:
            for key, _ in self.sel.select(0.05):
                s, data = key.fileobj, key.data
                try:
                    chunk = s.recv(4096)
                except ConnectionResetError:
                    chunk = None
                except OSError:
                    continue
                if chunk:
                    if not data[1]:
                        self.stats["DENIED from server" if chunk.startswith(b"DENIED")
                                   else "challenge from server"] += 1
                    data[1] += chunk[:1]
                    continue
                self.stats["closed by server"] += 1
                self.sel.unregister(s)
                s.close()
                if reconnect:
                    self.open(random.uniform(0.3, 1.5))
            if reconnect:
                now = time.time()
                for key in list(self.sel.get_map().values()):
                    if key.data[0] is not None and key.data[0] <= now:
                        self.sel.unregister(key.fileobj)
                        key.fileobj.close()
                        self.stats["closed by attacker"] += 1
                        self.open(random.uniform(0.3, 1.5))

    def close(self):
        left = len(self.sel.get_map())
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()
        self.sel.close()
        return left


def attack_idle(server, args):
    crowd = Crowd(server, args, 199)
    crowd.run(IDLE_SECONDS)
    left = crowd.close()
    st = crowd.stats
    return {"answer": "%d challenged, %d DENIED, %d closed by server" % (
        st["challenge from server"], st["DENIED from server"], st["closed by server"]),
        "note": "199 sockets, %d still open after %d s" % (left, IDLE_SECONDS)}


def attack_reconnect(server, args):
    crowd = Crowd(server, args, 0)
    for _ in range(199):
        crowd.open(random.uniform(0.3, 1.5))
    crowd.run(RECONNECT_SECONDS, reconnect=True)
    crowd.close()
    st = crowd.stats
    failed = sum(n for k, n in st.items() if k.startswith("connect failed"))
    return {"answer": "%d challenged, %d DENIED, %d closed by server" % (
        st["challenge from server"], st["DENIED from server"], st["closed by server"]),
        "note": "%d connections in %d s%s" % (st["connections made"], RECONNECT_SECONDS,
                                              ", %d connects failed" % failed if failed else "")}


ATTACKS = collections.OrderedDict([
    ("none", attack_none), ("encoder", attack_encoder), ("decoder", attack_decoder),
    ("malformed", attack_malformed), ("slow", attack_slow), ("idle", attack_idle),
    ("reconnect", attack_reconnect),
])


# ---------------------------------------------------------------- running

def run_cell(server_name, attack, args, root):
    work = tempfile.mkdtemp(prefix="%s-%s-" % (server_name, attack), dir=root)
    server = Server(server_name, args, work)
    client = None
    try:
        client = RealClient(server, args)
        if not client.wait_served(15):
            raise SetupError("the real client of %s was not served before the attack: %s" % (
                server_name, client.calls()[-1:] or "no call ended"))
        t0 = time.time()
        try:
            result = ATTACKS[attack](server, args)
        except (OSError, SetupError, EOFError, TimeoutError) as x:
            result = {"answer": "attacker failed: %s" % (x,)}
        t1 = time.time()
        end = t1 + SETTLE
        while server.alive() and time.time() < end:
            time.sleep(0.05)
        cpu, growth = server.activity(0.5) if server.alive() else (0.0, 0.0)
        busy = cpu > BUSY_CPU or growth > BUSY_GROWTH
        t2 = time.time()
        alive = server.alive()
        client.finish()
        calls = [c for c in client.calls() if t0 <= c[0] <= t2]
        result.update(server=server_name, attack=attack, seconds=round(t1 - t0, 1),
                      alive=alive, busy=busy,
                      fate=(server.death() if not alive else
                            "alive, busy (%.0f%% CPU, +%.0f MiB/0.5 s)" % (cpu * 100, growth) if busy
                            else "alive"),
                      peak_mib=round(server.peak_kib / 1024), limit_mib=server.limit >> 20,
                      events=server.events(t0, t2))
        ok = [c for c in calls if c[2] == "ok"]
        fails = collections.Counter(c[2][len("fail "):] for c in calls if c[2] != "ok")
        # the longest stretch of the window in which no call was served
        marks = [t0] + sorted(min(t2, c[0] + c[1]) for c in ok) + [t2]
        result["client"] = {"calls": len(calls), "ok": len(ok),
                            "max_latency": round(max([c[1] for c in calls] or [0]), 3),
                            "unserved": round(max(b - a for a, b in zip(marks, marks[1:])), 2),
                            "failures": fails.most_common(3)}
        why = []
        if not alive:
            why.append("server " + result["fate"])
        if result.get("unanswered"):
            why.append("%d attacker(s) unanswered" % result["unanswered"])
        if busy:
            why.append("server still busy %.1f s after the attack" % SETTLE)
        if not calls:
            why.append("the real client made no call")
        elif len(ok) < len(calls):
            why.append("the real client failed %d of %d calls" % (len(calls) - len(ok), len(calls)))
        result["why"] = why
        result["passed"] = not why
        if not alive:
            result["stderr_tail"] = server.stderr()[-3000:]
        return result
    finally:
        if client:
            client.finish()
        server.stop()


def client_text(r):
    c = r["client"]
    if not c["calls"]:
        return "no call made"
    text = "%d/%d ok, max %.2f s, unserved %.1f s" % (c["ok"], c["calls"], c["max_latency"], c["unserved"])
    if c["failures"]:
        text += "; " + "; ".join("%d x %s" % (n, f) for f, n in c["failures"][:1])
    return text


def clip(s, n):
    return s if len(s) <= n else s[:n - 3] + "..."


def print_table(rows, out):
    head = ("server", "attack", "attacker got", "server", "peak RSS", "real client during the attack", "")
    cells = []
    for r in rows:
        cells.append((r["server"], r["attack"], clip(r["answer"], 58), clip(r["fate"], 44),
                      "%d MiB" % r["peak_mib"], clip(client_text(r), 70),
                      "ok" if r["passed"] else "FAIL"))
    widths = [max(len(x[i]) for x in cells + [head]) for i in range(len(head))]
    line = lambda x: "  ".join(v.ljust(w) for v, w in zip(x, widths)).rstrip()
    print(line(head), file=out)
    print(line(["-" * w for w in widths]), file=out)
    for x in cells:
        print(line(x), file=out)
    details = [r for r in rows if r.get("detail")]
    if details:
        print("\nmalformed frames, the answer to each:", file=out)
        names = [n for n, _ in details[0]["detail"]]
        w = max(len(n) for n in names)
        for i, name in enumerate(names):
            answers = collections.OrderedDict()
            for r in details:
                answers.setdefault(generalize(r["detail"][i][1]), []).append(r["server"])
            if len(answers) == 1:
                print("  %s  %s" % (name.ljust(w), next(iter(answers))), file=out)
            else:
                for ans, who in answers.items():
                    print("  %s  %s: %s" % (name.ljust(w), ", ".join(who), ans), file=out)
                    name = ""
    notes = [r for r in rows if r.get("note") or r.get("events") is not None]
    if notes:
        print("\nnotes:", file=out)
        for r in notes:
            extra = [r["note"]] if r.get("note") else []
            if r.get("events") is not None:
                extra.append("subscriber got %d events (%d of the attacker's)" % (
                    sum(r["events"].values()), r["events"].get("attack", 0)))
            print("  %-10s %-9s %s" % (r["server"], r["attack"], "; ".join(extra)), file=out)


def read_known(path):
    known = set()
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if line:
                known.add((line[0], line[1]))
    return known


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="directory with the built cmd/ binaries")
    ap.add_argument("--py2", default=os.environ.get("GOPYRO_PY2", "python2"), help="Python 2.7 with Pyro 3.16")
    ap.add_argument("--servers", default="pyro-echo,pyro-ns,pyro-ns-d,pyro-es")
    ap.add_argument("--attacks", default=",".join(ATTACKS))
    # A daemon reserves up to MaxDecodeMemory (512 MiB) for the requests it
    # decodes at once. The address space it maps is more than that: the
    # large arrays a decode grows are each mapped afresh where no freed range
    # is long enough (a refused 16M-DUP decode peaks at about 445 MiB of RSS
    # and up to 770 MiB of address space above rest, measured), so the limit
    # leaves room beyond it.
    ap.add_argument("--as-headroom", type=int, default=1024,
                    help="MiB of address space a server may map beyond what it maps at rest (default 1024: "
                         "the daemon's 512 MiB decode bound and room for the heap's layout)")
    ap.add_argument("--as-limit", type=int,
                    help="a fixed address-space limit in MiB from the start instead (ulimit -v)")
    ap.add_argument("-j", "--jobs", type=int, default=1,
                    help="servers attacked at once (each runs its attacks one after the other)")
    ap.add_argument("--src", default="127.0.0.1", help="loopback address the attackers connect from")
    ap.add_argument("--known", help="file of known failures ('server attack' lines)")
    ap.add_argument("--json", help="write every result to this file")
    args = ap.parse_args()
    servers, attacks = args.servers.split(","), args.attacks.split(",")
    for s in servers:
        if s not in SERVERS:
            ap.error("unknown server %r (known: %s)" % (s, ", ".join(SERVERS)))
    for a in attacks:
        if a not in ATTACKS:
            ap.error("unknown attack %r (known: %s)" % (a, ", ".join(ATTACKS)))
    if not args.src.startswith("127."):
        ap.error("--src must be a loopback address")
    try:
        socket.socket().bind((args.src, 0))
    except OSError:
        print("cannot bind %s; the attackers connect from %s" % (args.src, HOST), file=sys.stderr)
        args.src = HOST
    def on_signal(signum, _):
        kill_all()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    rows, t_start = [], time.time()
    root = tempfile.mkdtemp(prefix="gopyro-attack-")
    print("attack suite: servers under %s, attackers from %s" % (
        "a %d MiB address-space limit" % args.as_limit if args.as_limit else
        "an address-space limit %d MiB above what each maps at rest" % args.as_headroom, args.src), flush=True)
    lock = threading.Lock()

    def run_server(s):
        out = []
        for a in attacks:
            r = run_cell(s, a, args, root)
            out.append(r)
            with lock:
                print("  %-10s %-9s %-4s %4.1f s  %s | %s | %s" % (
                    s, a, "ok" if r["passed"] else "FAIL", r["seconds"], clip(r["answer"], 50),
                    r["fate"], client_text(r)), flush=True)
        return out

    pool = concurrent.futures.ThreadPoolExecutor(args.jobs)
    try:
        for out in pool.map(run_server, servers):
            rows.extend(out)
    except SetupError as x:
        print("set-up failed: %s" % x, file=sys.stderr)
        return 2
    finally:
        kill_all()  # the cells under way end at once, no new one starts
        pool.shutdown(cancel_futures=True)
        subprocess.run(["rm", "-rf", root])
    limits = sorted(r["limit_mib"] for r in rows)
    print("\n%d cells in %.0f s; address-space limits %d-%d MiB\n" % (
        len(rows), time.time() - t_start, limits[0], limits[-1]))
    print_table(rows, sys.stdout)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    failed = {(r["server"], r["attack"]) for r in rows if not r["passed"]}
    if failed:
        print("\nfailures:")
        for r in rows:
            if not r["passed"]:
                print("  %-10s %-9s %s" % (r["server"], r["attack"], "; ".join(r["why"])))
    if args.known:
        known = read_known(args.known)
        new = sorted(failed - known)
        fixed = sorted((s, a) for s, a in known - failed if s in servers and a in attacks)
        if fixed:
            print("\nnow passing, listed in %s as known failures: %s" % (
                args.known, ", ".join("%s %s" % x for x in fixed)))
        if new:
            print("\nFAILED, not known failures: %s" % ", ".join("%s %s" % x for x in new))
            return 1
        print("\nno failure beyond the %d known ones" % len(failed & known))
        return 0
    if failed:
        print("\nFAILED: %s" % ", ".join("%s %s" % x for x in sorted(failed)))
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        kill_all()
