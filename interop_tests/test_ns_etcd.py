"""Two of our Name Servers (cmd/pyro-ns --store=etcd://...) on one prefix
of a real 3-member etcd cluster serve one name space to real Pyro 3.16
programs: a server registers through one front end, a client resolves
through the other, and through the second when the first is killed (Pyro's
PYRO_NS2_HOSTNAME failover); after the name is removed through the second,
the first, restarted, no longer resolves it."""
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import pytest

from conftest import free_port, run_py2, wait_port
from test_ns_common import start_go_ns, wait_line

ETCD = os.environ.get("GOPYRO_ETCD") or shutil.which("etcd")

if not ETCD:
    if os.environ.get("CI"):
        raise RuntimeError("etcd not found and CI is set: scripts/setup.sh installs Debian's etcd-server")
    pytest.skip("etcd not installed: apt-get install etcd-server (scripts/setup.sh does)", allow_module_level=True)


def start_etcd(procs, members=3):
    """Start an etcd cluster on 127.0.0.1; returns the client host:ports."""
    data = tempfile.mkdtemp(prefix="etcd-")
    ports = [(free_port(), free_port()) for _ in range(members)]
    initial = ",".join("m%d=http://127.0.0.1:%d" % (i, peer) for i, (_, peer) in enumerate(ports))
    for i, (client, peer) in enumerate(ports):
        procs.start([ETCD, "--name", "m%d" % i, "--data-dir", os.path.join(data, "m%d" % i),
                     "--listen-client-urls", "http://127.0.0.1:%d" % client,
                     "--advertise-client-urls", "http://127.0.0.1:%d" % client,
                     "--listen-peer-urls", "http://127.0.0.1:%d" % peer,
                     "--initial-advertise-peer-urls", "http://127.0.0.1:%d" % peer,
                     "--initial-cluster", initial, "--initial-cluster-state", "new",
                     "--initial-cluster-token", os.path.basename(data),
                     "--heartbeat-interval", "50", "--election-timeout", "500",
                     "--logger", "zap", "--log-level", "warn"])
    deadline = time.time() + 30
    for client, _ in ports:
        while True:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/health" % client, timeout=1) as r:
                    if b'"true"' in r.read():
                        break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("etcd cluster not healthy after 30 s")
            time.sleep(0.1)
    return ["127.0.0.1:%d" % client for client, _ in ports]


def test_two_front_ends_one_name_space(procs, gobin):
    endpoints = start_etcd(procs)
    store = "--store=etcd://%s/interop" % ",".join(endpoints)
    a_port, b_port = free_port(), free_port()
    ns_a, _ = start_go_ns(procs, gobin, a_port, store)
    start_go_ns(procs, gobin, b_port, store)
    srv = procs.py2("ns_server.py", ":Default.echo1", "127.0.0.1", a_port)
    wait_line(srv, "READY")
    deadline = time.time() + 5
    while True:
        r = run_py2("ns_pyroname_client.py", "echo1", "127.0.0.1", b_port, check=False)
        if r.returncode == 0 or time.time() > deadline:
            break
        time.sleep(0.1)
    assert r.stdout.decode().strip() == "hello echo1", r.stderr.decode()
    # A client configured with both front ends (Pyro's PYRO_NS_HOSTNAME and
    # PYRO_NS2_HOSTNAME) resolves through the second when the first is gone.
    ns_a.kill()
    ns_a.wait(timeout=10)
    failover = {"PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": a_port,
                "PYRO_NS2_HOSTNAME": "127.0.0.1", "PYRO_NS2_PORT": b_port}
    r = run_py2("ns_pyroname_client.py", "echo1", env=failover, check=False)
    assert r.stdout.decode().strip() == "hello echo1", r.stderr.decode()
    ns_a, _ = start_go_ns(procs, gobin, a_port, store)
    out = run_py2("ns_do.py", "127.0.0.1", b_port, "unregister::Default.echo1", check=False)
    assert out.returncode == 0, out.stderr.decode()
    deadline = time.time() + 5
    while True:
        r = run_py2("ns_pyroname_client.py", "echo1", "127.0.0.1", a_port, check=False)
        if r.returncode != 0 or time.time() > deadline:
            break
        time.sleep(0.1)
    assert r.returncode != 0 and b"NamingError" in r.stderr, r.stdout.decode()
