"""Paired mode (-1/-2): our Go Name Server and Python Pyro 3.16's keep each
other in sync, in both roles, with resync after either one restarts."""
import tempfile
import time

import pytest

from conftest import free_port, run_py2
from test_ns_common import start_go_ns, start_py_ns


def names(port):
    out = run_py2("ns_flatlist.py", "127.0.0.1", port).stdout.decode().splitlines()
    return sorted(l.split()[0] for l in out[1:] if not l.startswith(":Pyro.NameServer"))


def wait_names(port, want, timeout=15):
    deadline = time.time() + timeout
    while True:
        got = names(port)
        if got == want or time.time() > deadline:
            return got
        time.sleep(0.1)


def do(port, *ops):
    run_py2("ns_do.py", "127.0.0.1", port, *ops)


@pytest.mark.parametrize("go_role,persistent", [("-1", False), ("-2", False), ("-2", True)])
def test_go_and_python_twins(procs, gobin, go_role, persistent):
    """Both in memory (the dump is a NamedTree) or both persistent (-d: the
    dump is lists of groups and names), as Pyro requires of a pair."""
    py_role = "-2" if go_role == "-1" else "-1"
    extra = ["-d"] if persistent else []
    go_storage, py_storage = tempfile.mkdtemp(prefix="gons-pair-"), tempfile.mkdtemp(prefix="pyns-pair-")
    go_port, py_port = free_port(), free_port()
    env = {"PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": go_port,
           "PYRO_NS2_HOSTNAME": "127.0.0.1", "PYRO_NS2_PORT": go_port}
    go_ns, _ = start_go_ns(procs, gobin, go_port, go_role, "127.0.0.1:%d" % py_port, *extra, storage=go_storage)
    do(go_port, "createGroup::early", "register:early1:PYRO://127.0.0.1:1/e1")
    # Python finds our NS (PYRO_NS_HOSTNAME), takes it as its twin and resyncs from it.
    py_ns, _ = start_py_ns(procs, py_port, py_role, "127.0.0.1:%d" % go_port, *extra, storage=py_storage, env=env)
    want = [":Default.early1"]
    assert wait_names(py_port, want) == want

    # Changes on either side reach the other.
    do(py_port, "register:frompy:PYRO://127.0.0.1:2/p", "createGroup::pygrp")
    do(go_port, "register:fromgo:PYRO://127.0.0.1:3/g", "setMeta::early:meta", "unregister:early1")
    want = [":Default.fromgo", ":Default.frompy"]
    assert wait_names(go_port, want) == want
    assert wait_names(py_port, want) == want

    # Restart Python: it resyncs from us.
    py_ns.kill()
    py_ns.wait()
    do(go_port, "register:whilepydown:PYRO://127.0.0.1:4/d")
    start_py_ns(procs, py_port, py_role, "127.0.0.1:%d" % go_port, *extra, storage=py_storage, env=env)
    want = [":Default.fromgo", ":Default.frompy", ":Default.whilepydown"]
    assert wait_names(py_port, want) == want

    # Restart ours: it resyncs from Python and replication works again.
    go_ns.kill()
    go_ns.wait()
    do(py_port, "register:whilegodown:PYRO://127.0.0.1:5/d")
    start_go_ns(procs, gobin, go_port, go_role, "127.0.0.1:%d" % py_port, *extra, storage=go_storage)
    want = [":Default.fromgo", ":Default.frompy", ":Default.whilegodown", ":Default.whilepydown"]
    assert wait_names(go_port, want) == want
    do(go_port, "register:after:PYRO://127.0.0.1:6/a")
    want = sorted(want + [":Default.after"])
    assert wait_names(py_port, want) == want
    # resync on request
    out = run_py2("ns_do.py", "127.0.0.1", go_port, "resync:").stdout.decode()
    assert "resync" in out
