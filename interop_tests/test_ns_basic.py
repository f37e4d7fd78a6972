"""Our Go Name Server (cmd/pyro-ns) against real Pyro 3.16 clients and
servers: every method compared with Python's own Name Server, servers
registering and clients resolving, discovery by host and by broadcast,
shutdown, authentication, the URI file, the idle timeout and Pyro's own
naming example."""
import os
import socket
import subprocess
import time

import pytest

from conftest import PY2, GOPYRO_EXAMPLES, free_port, py2_env, run_py2
from test_ns_common import normalize, start_go_ns, start_py_ns, wait_line


def test_every_method_same_as_python(procs, gobin):
    go_port, py_port = free_port(), free_port()
    start_go_ns(procs, gobin, go_port)
    start_py_ns(procs, py_port)
    ours = run_py2("ns_methods.py", "127.0.0.1", go_port).stdout.decode()
    theirs = run_py2("ns_methods.py", "127.0.0.1", py_port).stdout.decode()
    assert "done" in theirs
    assert normalize(ours).splitlines() == normalize(theirs).splitlines()


def test_python_server_registers_and_client_resolves(procs, gobin):
    port = free_port()
    start_go_ns(procs, gobin, port)
    srv = procs.py2("ns_server.py", ":Default.echo1", "127.0.0.1", port)
    wait_line(srv, "READY")
    out = run_py2("ns_pyroname_client.py", "echo1", "127.0.0.1", port).stdout.decode()
    assert out.strip() == "hello echo1"
    # PYRONAME without a location: found through PYRO_NS_HOSTNAME/PORT.
    out = run_py2("ns_pyroname_client.py", "echo1",
                  env={"PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": port}).stdout.decode()
    assert out.strip() == "hello echo1"


def test_locator_by_broadcast_and_udp_shutdown(procs, gobin):
    port, bcport = free_port(), free_port()
    ns, storage = start_go_ns(procs, gobin, port, "-c", "127.255.255.255", "-b", bcport)
    env = {"PYRO_NS_BC_ADDR": "127.255.255.255", "PYRO_NS_BC_PORT": bcport,
           "PYRO_NS2_BC_ADDR": "127.255.255.255", "PYRO_NS2_BC_PORT": bcport}
    out = run_py2("ns_locate.py", env=env).stdout.decode()
    uri = open(os.path.join(storage, "Pyro_NS_URI")).read().strip()
    assert out.strip() == "FOUND " + uri
    srv = procs.py2("ns_server.py", "bcecho", env=env)
    wait_line(srv, "READY")
    assert run_py2("ns_pyroname_client.py", "bcecho", env=env).stdout.decode().strip() == "hello bcecho"
    out = run_py2("ns_locate.py", "shutdown", env=env).stdout.decode()
    assert out.strip() == "RESULT Will shut down shortly"
    assert ns.wait(timeout=10) == 0


def test_keep_running_denies_shutdown(procs, gobin):
    port, bcport = free_port(), free_port()
    ns, _ = start_go_ns(procs, gobin, port, "-k", "-c", "127.255.255.255", "-b", bcport)
    env = {"PYRO_NS_BC_ADDR": "127.255.255.255", "PYRO_NS_BC_PORT": bcport,
           "PYRO_NS2_BC_ADDR": "127.255.255.255", "PYRO_NS2_BC_PORT": bcport}
    out = run_py2("ns_locate.py", "shutdown", env=env).stdout.decode()
    assert out.strip() == "RESULT Shutdown request denied"
    out = run_py2("ns_locate.py", "shutdown", env={"PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": port})
    assert out.stdout.decode().strip() == "RESULT Shutdown request denied"
    assert ns.poll() is None


def test_remote_shutdown(procs, gobin):
    port = free_port()
    ns, _ = start_go_ns(procs, gobin, port)
    out = run_py2("ns_locate.py", "shutdown", env={"PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": port})
    assert out.stdout.decode().strip() == "RESULT Will shut down shortly"
    assert ns.wait(timeout=10) == 0
    assert b"Name Server gracefully stopped." in ns.stdout.read()


def test_identification(procs, gobin):
    port = free_port()
    start_go_ns(procs, gobin, port, "-i", "s3cr3t")
    env = {"PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": port}
    script = ("import Pyro.core, Pyro.naming, sys\n"
              "Pyro.core.initClient(banner=0)\n"
              "ident = sys.argv[1] if len(sys.argv) > 1 else None\n"
              "try:\n"
              "    ns = Pyro.naming.NameServerLocator(identification=ident).getNS()\n"
              "    ns.ping(); print 'OK'\n"
              "except Pyro.errors.ConnectionDeniedError, x:\n"
              "    print 'DENIED', x\n")
    for args, want in ((["s3cr3t"], "OK"), (["wrong"], "DENIED"), ([], "DENIED")):
        cp = subprocess.run([PY2, "-c", script] + args, capture_output=True, timeout=60, env=py2_env(env))
        assert cp.stdout.decode().split(" ")[0].strip() == want, cp


def test_uri_file_and_self_registration(procs, gobin):
    port = free_port()
    _, storage = start_go_ns(procs, gobin, port)
    # As Pyro's, our name server writes the file once it listens: wait for
    # the whole line.
    path, uri, deadline = os.path.join(storage, "Pyro_NS_URI"), "", time.time() + 15
    while not uri.endswith("\n") and time.time() < deadline:
        time.sleep(0.05)
        uri = open(path).read() if os.path.exists(path) else ""
    assert uri.startswith("PYRO://127.0.0.1:%d/" % port) and uri.endswith("\n")
    script = ("import Pyro.core, Pyro.naming, sys\n"
              "Pyro.core.initClient(banner=0)\n"
              "ns = Pyro.naming.NameServerLocator().getNS(host='127.0.0.1', port=int(sys.argv[1]))\n"
              "print ns.resolve(':Pyro.NameServer')\n")
    cp = subprocess.run([PY2, "-c", script, str(port)], capture_output=True, timeout=60, env=py2_env())
    assert cp.stdout.decode() == uri


def test_idle_connection_dropped(procs, gobin):
    port = free_port()
    start_go_ns(procs, gobin, port, "--idle-timeout=1s")
    with socket.create_connection(("127.0.0.1", port), timeout=15) as s:
        s.recv(100)  # the handshake challenge
        start = time.time()
        assert s.recv(100) == b""  # closed by the server, not by our timeout
        assert time.time() - start < 14


@pytest.mark.skipif(not os.path.isdir(os.path.join(GOPYRO_EXAMPLES, "naming")),
                    reason="Pyro examples not unpacked (scripts/setup.sh)")
def test_pyro_naming_example_same_as_python(procs, gobin):
    """examples/naming/nametest.py, unmodified, against our NS and Python's."""
    outs = []
    for start in (lambda p: start_go_ns(procs, gobin, p), lambda p: start_py_ns(procs, p)):
        port = free_port()
        start(port)
        cp = subprocess.run([PY2, "nametest.py"], input=b"\n" * 10, capture_output=True, timeout=60,
                            cwd=os.path.join(GOPYRO_EXAMPLES, "naming"),
                            env=py2_env({"PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": port}))
        assert cp.returncode == 0 and cp.stdout.decode().rstrip().endswith("done!"), cp
        outs.append(sorted(normalize(cp.stdout.decode()).replace("port %d" % port, "port <p>").splitlines()))
    assert outs[0] == outs[1]


@pytest.mark.skipif(not os.path.isdir(os.path.join(GOPYRO_EXAMPLES, "disconnect")),
                    reason="Pyro examples not unpacked (scripts/setup.sh)")
def test_pyro_disconnect_example_same_as_python(procs, gobin):
    """examples/disconnect/disconnect.py, unmodified: a daemon registering
    and unregistering objects, with ns.list after each step."""
    import ast
    import re

    def canon(out):
        # pprint output of lists (in the NS's order, may span lines) sorted.
        lines, pending = [], None
        for line in out.splitlines():
            line = re.sub(r"'[0-9a-f]{34}'", "'<guid>'", line)
            if pending is None and line.startswith("["):
                pending = ""
            if pending is not None:
                pending += line
                if line.endswith("]"):
                    lines.append(repr(sorted(ast.literal_eval(pending))))
                    pending = None
                continue
            lines.append(line)
        return lines
    outs = []
    for start in (lambda p: start_go_ns(procs, gobin, p), lambda p: start_py_ns(procs, p)):
        port = free_port()
        start(port)
        cp = subprocess.run([PY2, "disconnect.py"], capture_output=True, timeout=60,
                            cwd=os.path.join(GOPYRO_EXAMPLES, "disconnect"),
                            env=py2_env({"PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": port,
                                         "PYRO_HOST": "127.0.0.1", "PYRO_PORT": free_port()}))
        assert cp.returncode == 0, cp
        outs.append(canon(cp.stdout.decode()))
    assert outs[0] == outs[1]
    assert "('testobject1', 1)" in "\n".join(outs[0])
