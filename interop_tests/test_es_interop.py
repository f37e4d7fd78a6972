"""Event service interop: real Pyro 3.16 publishers and subscribers (Python
2.7, Pyro.EventService.Clients used the way Pyro's examples use it) against
our pyro-es; our Go Publisher/Subscriber (es/internal/esclient) against
Python's event server; mixed setups; bad input and load.

Python's name server runs on an ephemeral loopback port (-x -r: no broadcast
listener, no broadcast search); every process is bounded and killed at the
end; Pyro daemons of Python subscribers bind 127.0.0.1 on ephemeral ports
(PYRO_HOST, PYRO_PORT=0).
"""
import ast
import os
import select
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import PY2, PY2_DIR, ROOT, free_port, py2_env, run_py2, wait_port

TIMEOUT = 30.0


class Lines:
    """Incremental reader of a process's stdout lines."""

    def __init__(self, proc):
        self.proc = proc
        self.buf = b""
        self.seen = []  # every complete line so far
        self.pos = 0  # lines before pos were returned by until()

    def _fill(self, deadline):
        fd = self.proc.stdout.fileno()
        left = deadline - time.time()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return False
        chunk = os.read(fd, 65536)
        if not chunk:
            return False
        self.buf += chunk
        *done, self.buf = self.buf.split(b"\n")
        self.seen += [d.decode(errors="replace") for d in done]
        return True

    def until(self, pred, timeout=TIMEOUT):
        """Lines up to and including the first new one for which pred holds."""
        deadline = time.time() + timeout
        while True:
            for i in range(self.pos, len(self.seen)):
                if pred(self.seen[i]):
                    out, self.pos = self.seen[self.pos:i + 1], i + 1
                    return out
            if not self._fill(deadline):
                self.fail("no expected line within %.0fs" % timeout)

    def startswith(self, prefix, timeout=TIMEOUT):
        return self.until(lambda l: l.startswith(prefix), timeout)

    def events(self, n, timeout=TIMEOUT):
        """The next n EVENT lines as (subject, msg, time) tuples."""
        out = []
        while len(out) < n:
            line = self.startswith("EVENT ", timeout)[-1]
            _, subject, rest = line.split(" ", 2)
            msg, t = rest.rsplit(" ", 1)
            out.append((subject, ast.literal_eval(msg), float(t)))
        return out

    def rest(self, timeout=TIMEOUT):
        """Waits for the process to end; returns the remaining lines."""
        if self.proc.stdin is not None and self.proc.stdin.closed:
            self.proc.stdin = None
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.fail("still running after %.0fs" % timeout)
        text = (self.buf + out).decode(errors="replace")
        self.seen += [l for l in text.split("\n") if l]
        self.buf = b""
        lines, self.pos = self.seen[self.pos:], len(self.seen)
        return lines

    def fail(self, why):
        if self.proc.stdin is not None and self.proc.stdin.closed:
            self.proc.stdin = None
        if self.proc.poll() is None:
            self.proc.kill()
        out, err = self.proc.communicate()
        raise AssertionError("%s: %s\nstdout so far:\n%s\n%s\nstderr:\n%s" % (
            self.proc.args, why, "\n".join(self.seen), (self.buf + out).decode(errors="replace"),
            err.decode(errors="replace")))


@pytest.fixture(scope="session")
def esclient():
    """Builds the Go publisher/subscriber test program."""
    d = tempfile.mkdtemp(prefix="gopyro-esclient-")
    subprocess.check_call(["go", "build", "-o", d, "./es/internal/esclient"], cwd=ROOT, timeout=600)
    return os.path.join(d, "esclient")


class World:
    """A name server (Python's, or with ns="go" ours) plus helpers to start
    event servers and clients."""

    def __init__(self, procs, gobin, esclient, ns="py"):
        self.procs, self.gobin, self.esclient = procs, gobin, esclient
        self.ns_port = free_port()
        self.env = {"PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": self.ns_port,
                    "PYRO_HOST": "127.0.0.1", "PYRO_PORT": 0, "PYTHONUNBUFFERED": "1"}
        cmd = [PY2, "-m", "Pyro.naming"] if ns == "py" else [os.path.join(gobin, "pyro-ns")]
        ns = procs.start(cmd + ["-n", "127.0.0.1", "-p", str(self.ns_port), "-x", "-r"], env=py2_env(self.env))
        wait_port(self.ns_port, proc=ns, timeout=TIMEOUT)
        self.es_uri = None

    def go_es(self, *args, env=None):
        e = dict(self.env)
        e.update(env or {})
        p = self.procs.start([os.path.join(self.gobin, "pyro-es"), "-n", "127.0.0.1", "-p", "0"] + list(args),
                             env=py2_env(e))
        return self._es_started(p)

    def py_es(self, env=None):
        e = dict(self.env)
        e.update(env or {})
        p = self.procs.start([PY2, "-u", "-m", "Pyro.EventService.Server", "-n", "127.0.0.1", "-p", "0"],
                             env=py2_env(e))
        return self._es_started(p)

    def _es_started(self, p):
        out = Lines(p)
        lines = out.until(lambda l: l == "Event Server started.")
        self.es_uri = [l.split(None, 1)[1] for l in lines if l.startswith("URI=")][0]
        return out

    def py(self, script, *args, env=None, stdin=False):
        e = dict(self.env)
        e.update(env or {})
        cmd = [PY2, os.path.join(PY2_DIR, script)] + [str(a) for a in args]
        if not stdin:
            return Lines(self.procs.start(cmd, env=py2_env(e)))
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=py2_env(e))
        self.procs.procs.append(p)
        return Lines(p)

    def go(self, *args):
        return Lines(self.procs.start([self.esclient] + [str(a) for a in args], env=py2_env(self.env)))

    def py_sub(self, *args):
        s = self.py("es_subscriber.py", *args)
        s.startswith("READY")
        return s

    def go_sub(self, *args):
        s = self.go("sub", *args)
        s.startswith("READY")
        return s

    def py_pub(self, *args):
        p = self.py("es_publisher.py", *args)
        assert p.startswith("PUBLISHED")[-1] == "PUBLISHED %d" % count_published(args), p.seen
        return p

    def go_pub(self, *args):
        p = self.go("pub", *args)
        assert p.startswith("PUBLISHED")[-1] == "PUBLISHED %d" % count_published(args), p.seen
        return p


def count_published(args):
    args = [str(a) for a in args]
    repeat = 1
    if "--repeat" in args:
        repeat = int(args[args.index("--repeat") + 1])
    return repeat * len([a for a in args if "=" in a])


@pytest.fixture
def world(procs, gobin, esclient):
    return World(procs, gobin, esclient)


def test_help_matches_pyro(gobin):
    """pyro-es -h prints exactly what Pyro's event server prints."""
    ours = subprocess.run([os.path.join(gobin, "pyro-es"), "-h"], capture_output=True, timeout=TIMEOUT)
    theirs = subprocess.run([PY2, "-m", "Pyro.EventService.Server", "-h"], capture_output=True,
                            timeout=TIMEOUT, env=py2_env())
    assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout)


@pytest.mark.parametrize("second", ["go", "py"])
def test_already_running(world, second):
    """A second event server finds the name taken and asks, like Pyro's;
    'n' leaves the first one in place, 'y' replaces it."""
    first_es = world.go_es()
    first = world.es_uri
    prompt = ["*** Pyro Event Server ***", "The Event Server appears to be already running.",
              "You cannot start multiple Event Servers.", "Start new Event Server anyway (y/n)? "]
    cmd = ([os.path.join(world.gobin, "pyro-es")] if second == "go"
           else [PY2, "-u", "-m", "Pyro.EventService.Server"]) + ["-n", "127.0.0.1", "-p", "0"]
    no = subprocess.run(cmd, input=b"n\n", capture_output=True, timeout=TIMEOUT, env=py2_env(world.env))
    assert (no.returncode, no.stdout.decode()) == (0, "\n".join(prompt)), no
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=py2_env(world.env))
    world.procs.procs.append(p)
    p.stdin.write(b"y\n")
    p.stdin.flush()
    lines = Lines(p).until(lambda l: l == "Event Server started.")
    uri_line = [l for l in lines if "URI= " in l][0]
    assert uri_line.startswith(prompt[-1] + "URI= "), lines
    assert uri_line.split("URI= ")[1] != first
    first_es.proc.kill()  # clients can only reach the second one now
    sub = world.py_sub("--count", 1, "which")
    world.py_pub("which=1")
    assert sub.events(1)[0][:2] == ("which", 1)


QUOTES = ["STOCKQUOTE.SUN=22.44", "STOCKQUOTE.IBM=('IBM', 80)", "STOCKQUOTE.SAP=61",
          "STOCKQUOTE.NOVELL=3", "stockquote.sun,Unrelated=4"]


def check_quotes(exact, pattern):
    """What the stockquotes subscribers must see for QUOTES."""
    ev = exact.events(3)
    assert [(s, m) for s, m, _ in ev] == [
        ("STOCKQUOTE.SUN", 22.44), ("STOCKQUOTE.IBM", ("IBM", 80)), ("stockquote.sun", 4)]
    ev = pattern.events(3)
    assert [(s, m) for s, m, _ in ev] == [
        ("STOCKQUOTE.SUN", 22.44), ("STOCKQUOTE.SAP", 61), ("stockquote.sun", 4)]


@pytest.mark.parametrize("es", ["go", "py"])
def test_stockquotes_python_clients(world, es):
    """stockquotes: Python exact and pattern subscribers, Python publisher.
    Run against Python's event server too, which shows the expectations
    are Pyro's behaviour."""
    getattr(world, es + "_es")()
    exact = world.py_sub("--count", 3, "STOCKQUOTE.SUN", "stockquote.ibm")
    pattern = world.py_sub("--match", "--count", 3, r"^STOCKQUOTE\.S.*$")
    world.py_pub(*QUOTES)
    check_quotes(exact, pattern)


def test_stockquotes_our_name_server(procs, gobin, esclient):
    """Our name server, our event server; Python and Go clients find the
    event server through the name server."""
    world = World(procs, gobin, esclient, ns="go")
    world.go_es()
    exact = world.py_sub("--count", 3, "STOCKQUOTE.SUN", "stockquote.ibm")
    pattern = world.go_sub("--match", "--count", 3, r"^STOCKQUOTE\.S.*$")
    world.py_pub(*QUOTES)
    check_quotes(exact, pattern)


def test_identification(world):
    """pyro-es -i: clients must identify (Pyro's Publisher/Subscriber
    ident=...), others are denied."""
    world.go_es("-i", "s3cret")
    sub = world.py_sub("--ident", "s3cret", "--count", 1, "secret.topic")
    denied = run_py2("es_publisher.py", "secret.topic=1", env=world.env, check=False, timeout=TIMEOUT)
    assert denied.returncode != 0 and b"ConnectionDeniedError" in denied.stderr, denied
    world.py_pub("--ident", "s3cret", "secret.topic=2")
    assert [(s, m) for s, m, _ in sub.events(1)] == [("secret.topic", 2)]


def test_stockquotes_without_name_server(world):
    """Server_noNS / Client_noNS: event server started with -N, clients
    given its URI."""
    world.go_es("-N")
    exact = world.py_sub("--es", world.es_uri, "--count", 3, "STOCKQUOTE.SUN", "stockquote.ibm")
    pattern = world.py_sub("--es", world.es_uri, "--match", "--count", 3, r"^STOCKQUOTE\.S.*$")
    world.py_pub("--es", world.es_uri, *QUOTES)
    check_quotes(exact, pattern)


def test_one_creation_time_per_publish(world):
    world.go_es()
    sub = world.py_sub("--count", 3, "a", "b", "c")
    world.py_pub("a,B,c=1")
    ev = sub.events(3)
    assert [s for s, _, _ in ev] == ["a", "B", "c"]
    assert len({t for _, _, t in ev}) == 1
    assert abs(ev[0][2] - time.time()) < 60


@pytest.mark.parametrize("es", ["go", "py"])
def test_countingcars_unsubscribe(world, es):
    """countingcars: a subscriber unsubscribes from one direction after its
    first car and keeps counting the other."""
    getattr(world, es + "_es")()
    sub = world.py_sub("--count", 3, "--unsub-after", 1, "--unsub", "CARS.HEADING.north",
                       "CARS.HEADING.north", "CARS.HEADING.south")
    world.py_pub("CARS.HEADING.north=('red', 'Ford')")
    assert [(s, m) for s, m, _ in sub.events(1)] == [("CARS.HEADING.north", ("red", "Ford"))]
    sub.startswith("UNSUBSCRIBED")
    world.py_pub("CARS.HEADING.north=('blue', 'BMW')", "CARS.HEADING.south=('white', 'Honda')",
                 "CARS.HEADING.north=('black', 'Toyota')", "CARS.HEADING.south=('green', 'Saab')")
    assert [(s, m) for s, m, _ in sub.events(2)] == [
        ("CARS.HEADING.south", ("white", "Honda")), ("CARS.HEADING.south", ("green", "Saab"))]


@pytest.mark.parametrize("es", ["go", "py"])
def test_chat(world, es):
    """chatbox-ES: two chatters, each a Publisher and a Subscriber on one
    channel topic, see each other's lines and not their own."""
    getattr(world, es + "_es")()
    alice = world.py("es_chatter.py", "alice", "lobby", stdin=True)
    bob = world.py("es_chatter.py", "bob", "lobby", stdin=True)
    for c in (alice, bob):
        c.startswith("READY")
    for who, c in (("alice", alice), ("bob", bob)):
        c.proc.stdin.write(("hello from %s\n" % who).encode())
        c.proc.stdin.flush()
    assert alice.startswith("[bob]")[-1] == "[bob] hello from bob"
    assert bob.startswith("[alice]")[-1] == "[alice] hello from alice"
    for c in (alice, bob):
        c.proc.stdin.close()
        assert "[" + ("bob" if c is alice else "alice") + "]" not in " ".join(c.rest())


def test_go_clients_python_es(world):
    """Our Go Publisher and Subscriber against Python's event server."""
    world.py_es()
    exact = world.go_sub("--count", 3, "STOCKQUOTE.SUN", "stockquote.ibm")
    pattern = world.go_sub("--match", "--count", 3, r"^STOCKQUOTE\.S.*$")
    world.go_pub("STOCKQUOTE.SUN=22", "STOCKQUOTE.IBM=x", "STOCKQUOTE.SAP=61", "stockquote.sun,Unrelated=4")
    assert [(s, m) for s, m, _ in exact.events(3)] == [
        ("STOCKQUOTE.SUN", 22), ("STOCKQUOTE.IBM", "x"), ("stockquote.sun", 4)]
    assert [(s, m) for s, m, _ in pattern.events(3)] == [
        ("STOCKQUOTE.SUN", 22), ("STOCKQUOTE.SAP", 61), ("stockquote.sun", 4)]


@pytest.mark.parametrize("es", ["go", "py"])
def test_oneway_publish(world, es):
    """Publisher.PublishOneway: publish as oneway calls. Every event arrives
    at Python and Go subscribers; ours keeps the order of a connection's
    oneway calls, Pyro's runs each in a thread of its own (so there only
    the set of events is compared)."""
    getattr(world, es + "_es")()
    n = 60
    py_sub = world.py_sub("--count", n, "oneway")
    go_sub = world.go_sub("--count", n, "ONEWAY")
    world.go_pub("--oneway", "--repeat", n, "oneway=x")
    want = [("oneway", ("x", i)) for i in range(n)]
    for sub in (py_sub, go_sub):
        got = [(s, m) for s, m, _ in sub.events(n)]
        assert (got if es == "go" else sorted(got, key=lambda e: e[1][1])) == want


@pytest.mark.parametrize("es", ["go", "py"])
def test_mixed(world, es):
    """Python and Go subscribers, Python and Go publishers, on one service."""
    getattr(world, es + "_es")()
    py_sub = world.py_sub("--count", 4, "mixed")
    go_sub = world.go_sub("--match", "--count", 4, "MIX")
    world.py_pub("mixed=1", "Mixed=('py', 2)")
    world.go_pub("MIXED=3", "mixed=go")
    want = [("mixed", 1), ("Mixed", ("py", 2)), ("MIXED", 3), ("mixed", "go")]
    assert [(s, m) for s, m, _ in py_sub.events(4)] == want
    assert [(s, m) for s, m, _ in go_sub.events(4)] == want


def test_invalid_patterns_refused(world):
    """Patterns RE2 cannot express, and invalid ones, raise NamingError in
    the Python subscriber; the service keeps working."""
    world.go_es()
    out = world.py("es_badpattern.py", "a(?=b)", r"(x)\1", "[a", r"ok\d+").rest()
    assert out[0].startswith("a(?=b) NamingError") and "lookahead" in out[0], out
    assert out[1].startswith(r"(x)\1 NamingError") and "backreference" in out[1], out
    assert out[2].startswith("[a NamingError") and "invalid pattern" in out[2], out
    assert out[3] == r"ok\d+ OK", out
    sub = world.py_sub("--match", "--count", 1, r"ok\d+")
    world.py_pub("OK42=1")
    assert [(s, m) for s, m, _ in sub.events(1)] == [("OK42", 1)]


@pytest.mark.parametrize("kind", ["silent", "killed"])
def test_bad_subscriber_does_not_stop_others(world, kind):
    """A subscriber that never answers (accepts TCP, never speaks Pyro), or
    one that was killed, does not keep the others from their events."""
    world.go_es(env={"PYRO_ES_QUEUESIZE": 1000, "PYRO_ES_BLOCKQUEUE": 1})
    if kind == "silent":
        import socket
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        port = silent.getsockname()[1]
        world.py("es_rawsubscribe.py", "PYRO://127.0.0.1:%d/0123456789abcdef0123456789abcdef" % port,
                 "load").rest()
    else:
        victim = world.py_sub("load")
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait(timeout=TIMEOUT)
    good = world.py_sub("--count", 100, "load")
    world.py_pub("--repeat", 100, "load=1")
    ev = good.events(100)
    assert [m for _, m, _ in ev] == [(1, i) for i in range(100)]
    if kind == "silent":
        silent.close()


def test_silent_subscriber_full_queue_blocks_only_for_a_while(world):
    """PYRO_ES_BLOCKQUEUE=1 with a tiny queue and a subscriber that never
    answers: publishers wait once its queue is full, but only until the
    delivery times out (es.DefaultDeliverTimeout, 30 s) and the subscriber
    is dropped; Pyro's own event server would block them forever."""
    import socket
    world.go_es(env={"PYRO_ES_QUEUESIZE": 2, "PYRO_ES_BLOCKQUEUE": 1})
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        uri = "PYRO://127.0.0.1:%d/0123456789abcdef0123456789abcdef" % silent.getsockname()[1]
        world.py("es_rawsubscribe.py", uri, "load").rest()
        good = world.py_sub("--count", 20, "load")
        pub = world.py("es_publisher.py", "--repeat", 20, "load=1")
        assert pub.startswith("PUBLISHED", timeout=90)[-1] == "PUBLISHED 20"
        assert [m for _, m, _ in good.events(20)] == [(1, i) for i in range(20)]


def test_thousand_subjects(world):
    """One subscription call with 1000 subjects, one publish of 1000 subjects."""
    world.go_es()
    sub = world.py("es_manysubjects.py", 1000)
    assert sub.rest() == ["READY", "GOT 1000 1 True"]


def test_hundred_subscribers(world):
    """100 Python subscribers (threads in one process, like the stresstest
    consumer) and 100 Go subscribers all get every event, in order."""
    world.go_es()
    py_subs = world.py("es_multisub.py", 100, 50, "crowd")
    py_subs.startswith("READY")
    go_subs = world.go_sub("--n", 100, "--count", 50, "crowd")
    world.py_pub("--repeat", 50, "crowd=1")
    assert py_subs.startswith("DONE")[-1] == "DONE 5000 True"
    assert go_subs.startswith("DONE")[-1] == "DONE 5000 true"
