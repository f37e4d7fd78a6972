"""Shared fixtures for the interop suite.

The suite runs under Python 3 (pytest). Real Pyro 3.16 runs under Python 2.7
in subprocesses (scripts in py2/). Our Go binaries come from $GOPYRO_BIN (set by
scripts/test.sh); when it is unset they are built once into a temp dir.
Everything listens on 127.0.0.1 and ephemeral ports; every process is bounded by
a timeout and killed at teardown.
"""
import fcntl
import itertools
import os
import select
import socket
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY2_DIR = os.path.join(HERE, "py2")


def _py2_path():
    p = os.environ.get("GOPYRO_PY2")
    if p:
        return p
    try:
        root = subprocess.check_output(["pyenv", "root"], text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        root = os.path.expanduser("~/.pyenv")
    return os.path.join(root, "versions", "2.7.18", "bin", "python")


PY2 = _py2_path()

# Pyro's own example programs, unpacked from the sdist by scripts/setup.sh.
GOPYRO_EXAMPLES = os.environ.get("GOPYRO_EXAMPLES") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
    "gopyro", "Pyro-3.16", "examples")


@pytest.fixture(scope="session")
def gobin():
    """Directory holding the built cmd/ binaries."""
    d = os.environ.get("GOPYRO_BIN")
    if d:
        return d
    d = tempfile.mkdtemp(prefix="gopyro-bin-")
    pkgs = subprocess.check_output(["go", "list", "./cmd/...", "./interop_tests/goprogs/..."],
                                   cwd=ROOT, text=True, timeout=120).split()
    subprocess.check_call(["go", "build", "-o", d] + pkgs, cwd=ROOT, timeout=600)
    return d


# free_port hands out ports below the kernel's ephemeral range (32768 and up
# on Linux), each pytest-xdist worker from a block of its own: a port asked of
# the kernel (bind to 0) and closed again can be handed to another worker, or
# to a process that binds 0, before the test's server takes it, and two tests
# then share a name server. A worker claims its block with a lock file, so
# that two test sessions on one machine take different blocks too. Ports go
# in steps of two because Pyro 3 servers move to port+1 when their port is
# busy.
_PORT_BLOCK = 2000
_PORT_BASE = 12000
_PORT_BLOCKS = 10
_block_lock = None  # the open lock file of this worker's block


def _port_block():
    global _block_lock
    for n in range(_PORT_BLOCKS):
        f = open(os.path.join(tempfile.gettempdir(), "gopyro-ports-%d.lock" % n), "w")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            continue
        _block_lock = f  # held until the worker exits
        start = _PORT_BASE + n * _PORT_BLOCK
        first = start + (os.getpid() % 100) * 2
        return itertools.chain(range(first, start + _PORT_BLOCK, 2), range(start, first, 2))
    raise RuntimeError("free_port: all %d port blocks are claimed by other test processes" % _PORT_BLOCKS)


_ports = None


def _bindable(port):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def free_port():
    """An unused port on 127.0.0.1, free for TCP and UDP, that no other test
    process on this machine is given (nor port+1)."""
    global _ports
    if _ports is None:
        _ports = _port_block()
    for port in _ports:
        if _bindable(port) and _bindable(port + 1):
            return port
    raise RuntimeError("free_port: all %d ports of this worker's block are taken" % (_PORT_BLOCK // 2))


def py2_env(extra=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = PY2_DIR
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.setdefault("PYRO_STORAGE", tempfile.mkdtemp(prefix="pyro-storage-"))
    if extra:
        env.update({k: str(v) for k, v in extra.items()})
    return env


PY5_DIR = os.path.join(HERE, "py5")


def py5_env(extra=None):
    """The environment of a Pyro5 program: Pyro5 refuses PYRO_* variables it
    does not know, so none of the caller's are passed on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYRO")}
    env.update({k: str(v) for k, v in (extra or {}).items()})
    return env


def run_py5(script, *args, timeout=60, env=None, check=True):
    """Run py5/<script> under Python 3 with real Pyro5; returns CompletedProcess."""
    cmd = [sys.executable, os.path.join(PY5_DIR, script)] + [str(a) for a in args]
    cp = subprocess.run(cmd, capture_output=True, timeout=timeout, env=py5_env(env))
    if check and cp.returncode != 0:
        raise AssertionError("%s failed (%d)\nstdout:\n%s\nstderr:\n%s" % (
            script, cp.returncode, cp.stdout.decode(errors="replace"),
            cp.stderr.decode(errors="replace")))
    return cp


def run_py2(script, *args, input=None, timeout=60, env=None, check=True):
    """Run py2/<script> under Python 2.7 with real Pyro; returns CompletedProcess."""
    cmd = [PY2, os.path.join(PY2_DIR, script)] + [str(a) for a in args]
    cp = subprocess.run(cmd, input=input, capture_output=True, timeout=timeout,
                        env=py2_env(env))
    if check and cp.returncode != 0:
        raise AssertionError("%s failed (%d)\nstdout:\n%s\nstderr:\n%s" % (
            script, cp.returncode, cp.stdout.decode(errors="replace"),
            cp.stderr.decode(errors="replace")))
    return cp


class Procs:
    """Background processes started by a test; all killed at teardown."""

    def __init__(self):
        self.procs = []

    def start(self, cmd, env=None, cwd=None):
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL, env=env, cwd=cwd)
        self.procs.append(p)
        return p

    def py2(self, script, *args, env=None):
        return self.start([PY2, os.path.join(PY2_DIR, script)] + [str(a) for a in args],
                          env=py2_env(env))

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            try:
                p.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                pass


@pytest.fixture
def procs():
    ps = Procs()
    yield ps
    ps.stop()


def wait_port(port, host="127.0.0.1", timeout=15.0, proc=None):
    """Wait until something accepts TCP connections on host:port."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError("process exited early (%s):\n%s\n%s" % (
                proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")))
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nothing listening on %s:%d after %.0fs" % (host, port, timeout))


def readline_with_timeout(proc, timeout=15.0):
    """Read one stdout line of proc, failing after timeout seconds.

    It reads the pipe a byte at a time: a buffered readline could take the
    next lines into Python's buffer, where a later select cannot see them,
    and the wait for them would time out although they had arrived.
    """
    import selectors
    fd = proc.stdout.fileno()
    deadline = time.time() + timeout
    line = bytearray()
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while not line.endswith(b"\n"):
            if not sel.select(max(0.0, deadline - time.time())):
                raise AssertionError("no output from %r within %.0fs" % (proc.args, timeout))
            b = os.read(fd, 1)
            if not b:
                break
            line += b
    return line.decode()


def wait_output(proc, text, timeout=30.0):
    """Reads proc's stdout until it has printed text; returns what it read.

    It reads the file descriptor directly: select() on a buffered pipe misses
    lines that an earlier readline already buffered.
    """
    deadline = time.time() + timeout
    buf = b""
    fd = proc.stdout.fileno()
    while text.encode() not in buf:
        left = deadline - time.time()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise AssertionError("no %r from %r within %.0fs; got %r" % (text, proc.args, timeout, buf))
        chunk = os.read(fd, 65536)
        if not chunk:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise AssertionError("%r exited before printing %r: %r %s" % (proc.args, text, buf, err))
        buf += chunk
    return buf.decode(errors="replace")


def output(proc):
    """Kills proc and returns the rest of its (merged) output."""
    proc.kill()
    return proc.communicate(timeout=10)[0].decode(errors="replace")
