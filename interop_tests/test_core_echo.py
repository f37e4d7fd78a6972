"""cmd/pyro-echo against real Pyro 3.16 clients, side by side with Pyro.test.echoserver."""
import os

from conftest import PY2, free_port, py2_env, run_py2, wait_output


def echo_uris(out):
    return [l.split(" = ", 1)[1] for l in out.splitlines() if l.startswith("echo uri = ")]


def client(uri):
    return run_py2("core_echo_client.py", uri).stdout.decode()


def test_pyro_echo_matches_python_echoserver(procs, gobin, tmp_path):
    port = free_port()
    go = procs.start([os.path.join(gobin, "pyro-echo"), "-H", "127.0.0.1", "-p", str(port)])
    out = wait_output(go, "echoserver running.")
    assert out.splitlines()[0] == "Starting Pyro's built-in test echo server."
    assert "object name = :Pyro.test.echoserver" in out
    pyro_uri, loc_uri = echo_uris(out)
    assert pyro_uri.startswith("PYRO://127.0.0.1:%d/" % port)
    assert loc_uri == "PYROLOC://127.0.0.1:%d/:Pyro.test.echoserver" % port

    pport = free_port()
    py = procs.start([PY2, "-m", "Pyro.test.echoserver", "-H", "127.0.0.1", "-p", str(pport)],
                     env=py2_env({"PYRO_STORAGE": str(tmp_path)}))
    pout = wait_output(py, "echoserver running.")
    want = client(echo_uris(pout)[1])
    assert client(loc_uri) == want
    assert client(pyro_uri) == want
    assert "ZeroDivisionError integer division or modulo by zero" in want


def test_pyro_echo_registers_in_python_ns(procs, gobin, tmp_path):
    nsport = free_port()
    ns = procs.py2("core_ns.py", nsport, 60)
    wait_output(ns, "READY")
    env = dict(os.environ, PYRO_NS_HOSTNAME="127.0.0.1", PYRO_NS_PORT=str(nsport), PYRO_STORAGE=str(tmp_path))
    go = procs.start([os.path.join(gobin, "pyro-echo"), "-H", "127.0.0.1", "-n"], env=env)
    wait_output(go, "echoserver running.")
    out = client("PYRONAME://127.0.0.1:%d/:Pyro.test.echoserver" % nsport)
    assert out.splitlines()[0] == "'hello'"


def test_pyro_echo_with_own_name_server(procs, gobin, tmp_path):
    env = dict(os.environ, PYRO_STORAGE=str(tmp_path))
    go = procs.start([os.path.join(gobin, "pyro-echo"), "-H", "127.0.0.1", "-N"], env=env)
    out = wait_output(go, "echoserver running.")
    ns_uri = [l for l in out.splitlines() if l.startswith("URI is: ")][0].split(": ", 1)[1]
    nsport = int(ns_uri.split(":")[2].split("/")[0])
    out = client("PYRONAME://127.0.0.1:%d/:Pyro.test.echoserver" % nsport)
    assert out.splitlines()[0] == "'hello'"


def test_pyro_echo_default_host_prints_like_python(procs, gobin):
    port = free_port()
    go = procs.start([os.path.join(gobin, "pyro-echo"), "-p", str(port)])
    pyro_uri, loc_uri = echo_uris(wait_output(go, "echoserver running."))
    # like Pyro: the PYRO URI carries the IP address, the PYROLOC line the host name
    assert pyro_uri.startswith("PYRO://127.0.0.1:%d/" % port)
    assert loc_uri == "PYROLOC://localhost:%d/:Pyro.test.echoserver" % port
    assert client(loc_uri).splitlines()[0] == "'hello'"
