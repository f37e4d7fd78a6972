"""The daemon behaviour of Pyro5 5.17, from unmodified Pyro5 clients: a Go
daemon (goprogs/coreserver -pyro5) answers as Python's Pyro5 daemon
(py5/daemon_server.py, serving the same objects) does, and the two are
compared answer for answer: instance modes, the handshake hook."""
import os
import re
import sys

import pytest

from conftest import PY5_DIR, py5_env, run_py5
from test_core_client import start_server
from test_ns_common import wait_line


def start_pair(procs, gobin, token=None):
    """Starts the Go and the Python daemon; returns their host:port."""
    args = ["-pyro5"] + (["-handshake", token] if token else [])
    _, port, _ = start_server(procs, gobin, *args)
    py = procs.start([sys.executable, os.path.join(PY5_DIR, "daemon_server.py")] + ([token] if token else []),
                     env=py5_env())
    theirs = wait_line(py, r"^URI PYRO:\S+@(\S+)").group(1)
    return "127.0.0.1:%d" % port, theirs


def client(scenario, loc, *args):
    out = run_py5("daemon_client.py", scenario, loc, *args).stdout.decode()
    # the daemon's address in CommunicationError texts
    host, port = loc.rsplit(":", 1)
    out = out.replace("('%s', %s)" % (host, port), "<ADDR>")
    return dict(l.split(" ", 1) for l in out.splitlines())


def test_instance_modes(procs, gobin):
    """single: one instance for everyone; session: one per connection (a
    reconnected proxy gets a new one); percall: one per call, a batch
    sharing one."""
    ours, theirs = start_pair(procs, gobin)
    want = client("instances", theirs)
    got = client("instances", ours)
    assert got == want
    assert got["single"] == "-> [1, 1, 1, 1, 1, (1, 1), 1]"
    assert got["session"] == "-> [1, 1, 2, 1, 2, (2, 2), 3]"
    assert got["percall"] == "-> [1, 2, 3, 4, 5, (6, 6), 7]"
