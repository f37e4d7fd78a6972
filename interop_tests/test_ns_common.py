"""Helpers shared by the test_ns_* modules (no tests here): starting our Go
Name Server and Python's, on loopback and ephemeral ports."""
import os
import re
import tempfile

from conftest import PY2, py2_env, readline_with_timeout, wait_port


def start_go_ns(procs, gobin, port, *args, storage=None, env=None):
    """Start cmd/pyro-ns on 127.0.0.1:port (broadcast off unless args say
    otherwise); returns (process, storage dir)."""
    storage = storage or tempfile.mkdtemp(prefix="gons-")
    e = py2_env(dict(env or {}, PYRO_STORAGE=storage))
    argv = [os.path.join(gobin, "pyro-ns"), "-n", "127.0.0.1", "-p", str(port), "-r"]
    if not any(a in ("-c", "-b") for a in args):
        argv.append("-x")
    p = procs.start(argv + [str(a) for a in args], env=e)
    wait_port(port, proc=p)
    return p, storage


def start_py_ns(procs, port, *args, storage=None, env=None):
    """Start Python Pyro 3.16's Name Server on 127.0.0.1:port."""
    storage = storage or tempfile.mkdtemp(prefix="pyns-")
    e = py2_env(dict(env or {}, PYRO_STORAGE=storage))
    # As bin/pyro-ns does it: with "python -m Pyro.naming" the name space
    # classes would live in __main__ and _getSystemMeta could not be unpickled.
    argv = [PY2, "-u", "-c", "import sys, Pyro.naming; Pyro.naming.main(sys.argv[1:])",
            "-n", "127.0.0.1", "-p", str(port), "-x"]
    if "-1" not in args and "-2" not in args:
        argv.append("-r")  # Pyro crashes with -r in paired mode
    p = procs.start(argv + [str(a) for a in args], env=e)
    wait_port(port, proc=p)
    return p, storage


def wait_line(proc, pattern, timeout=15.0):
    """Read proc's stdout until a line matches pattern; returns the match."""
    seen = []
    while True:
        line = readline_with_timeout(proc, timeout)
        if not line:
            raise AssertionError("process ended; output:\n" + "".join(seen))
        seen.append(line)
        m = re.search(pattern, line)
        if m:
            return m


def normalize(text):
    """Output lines without values that differ between runs."""
    text = re.sub(r"PYRO://[0-9.]+:\d+/[0-9a-f]+", "PYRO://<addr>/<guid>", text)
    return text
