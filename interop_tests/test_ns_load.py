"""Load on our Go Name Server from real Pyro 3.16 clients: Pyro's own NS
stress test (examples/stresstest/naming.py, 10 threads trashing the name
space) against a persistent NS, which then survives kill -9 unchanged."""
import os
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import PY2, GOPYRO_EXAMPLES, free_port, py2_env, run_py2
from test_ns_common import start_go_ns

STRESS = os.path.join(GOPYRO_EXAMPLES, "stresstest")


@pytest.mark.skipif(not os.path.isfile(os.path.join(STRESS, "naming.py")),
                    reason="Pyro examples not unpacked (scripts/setup.sh)")
def test_pyro_stresstest_then_kill9(procs, gobin):
    port = free_port()
    storage = tempfile.mkdtemp(prefix="gons-stress-")
    ns, _ = start_go_ns(procs, gobin, port, "-d", storage=storage)
    env = {"PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": port}
    stress = procs.start([PY2, "-u", "naming.py"], env=py2_env(env), cwd=STRESS)
    time.sleep(4)
    stress.send_signal(signal.SIGINT)
    out, err = stress.communicate(timeout=60)
    out = out.decode()
    assert stress.returncode == 0, err.decode()
    assert out.count("Trasher exiting.") == 10
    assert out.count("called") > 100
    assert ns.poll() is None

    def dump():
        return run_py2("ns_flatlist.py", "127.0.0.1", port).stdout.decode()
    before = dump()
    ns.send_signal(signal.SIGKILL)
    ns.wait(timeout=10)
    start_go_ns(procs, gobin, port, "-d", storage=storage)
    assert dump() == before
