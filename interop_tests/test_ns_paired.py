"""Paired mode (-1/-2): our Go Name Server and Python Pyro 3.16's keep each
other in sync, in both roles, with resync after either one restarts."""
import tempfile
import time

import pytest

from conftest import free_port, run_py2
from test_ns_common import start_go_ns, start_py_ns


ALL = ["early1", "frompy", "fromgo", "whilepydown", "whilegodown", "after"]


def wait_names(port, want, timeout=15):
    """Wait until exactly the names in want (of ALL) resolve on the NS at
    port; returns the last check's answer."""
    args = [("+" if n in want else "-") + ":Default." + n for n in ALL]
    deadline = time.time() + timeout
    while True:
        out = run_py2("ns_check.py", "127.0.0.1", port, *args).stdout.decode().strip()
        if out == "OK" or time.time() > deadline:
            return out
        time.sleep(0.1)


def do(port, *ops):
    # One client process per change: Python's persistent NS caches directory
    # listings by mtime, which the kernel keeps with a few ms granularity, so
    # changes to one directory in quick succession leave it a stale listing
    # (a Pyro bug that fast replication from either twin triggers).
    for op in ops:
        run_py2("ns_do.py", "127.0.0.1", port, op)
        time.sleep(0.02)


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
    want = ["early1"]
    assert wait_names(py_port, want) == "OK"

    # Changes on either side reach the other.
    do(py_port, "register:frompy:PYRO://127.0.0.1:2/p", "createGroup::pygrp")
    do(go_port, "register:fromgo:PYRO://127.0.0.1:3/g", "setMeta::early:meta", "unregister:early1")
    want = ["fromgo", "frompy"]
    assert wait_names(go_port, want) == "OK"
    assert wait_names(py_port, want) == "OK"

    # Restart Python: it resyncs from us.
    py_ns.kill()
    py_ns.wait()
    do(go_port, "register:whilepydown:PYRO://127.0.0.1:4/d")
    start_py_ns(procs, py_port, py_role, "127.0.0.1:%d" % go_port, *extra, storage=py_storage, env=env)
    want = ["fromgo", "frompy", "whilepydown"]
    assert wait_names(py_port, want) == "OK"

    # Restart ours: it resyncs from Python and replication works again.
    go_ns.kill()
    go_ns.wait()
    do(py_port, "register:whilegodown:PYRO://127.0.0.1:5/d")
    start_go_ns(procs, gobin, go_port, go_role, "127.0.0.1:%d" % py_port, *extra, storage=go_storage)
    want = ["fromgo", "frompy", "whilegodown", "whilepydown"]
    assert wait_names(go_port, want) == "OK"
    do(go_port, "register:after:PYRO://127.0.0.1:6/a")
    want = want + ["after"]
    assert wait_names(py_port, want) == "OK"
    # resync on request
    out = run_py2("ns_do.py", "127.0.0.1", go_port, "resync:").stdout.decode()
    assert "resync" in out
