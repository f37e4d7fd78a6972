"""Unmodified Pyro5 5.17 clients call a Go daemon (goprogs/coreserver) over
Pyro 5 with each of Pyro 5's serializers, on the port where Pyro 3 clients
call the same objects: the daemon serves both generations
(test_core_client.py runs Pyro 3 clients against the same binary, and
test_same_port here calls one object from both)."""
import os
import subprocess
import sys

import pytest

from conftest import PY5_DIR, py5_env, run_py2, run_py5
from test_core_client import start_server
from test_ns_common import wait_line

SERIALIZERS = ["serpent", "marshal", "json", "msgpack"]


@pytest.fixture
def server(procs, gobin):
    return start_server(procs, gobin)


def lines(scenario, *uris, serializer="serpent"):
    out = run_py5("core_client.py", scenario, *uris, env={"PYRO_SERIALIZER": serializer}).stdout.decode()
    return dict(l.split(" ", 1) for l in out.splitlines())


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_values_as_pyro5_daemon(procs, server, serializer):
    """Every value crosses as it does to and from a Python Pyro5 daemon."""
    p = procs.start([sys.executable, os.path.join(PY5_DIR, "values_server.py")], env=py5_env())
    theirs = wait_line(p, r"^URI (\S+)").group(1)
    want = lines("values", theirs, serializer=serializer)
    got = lines("values", server[2]["5::test.core"], serializer=serializer)
    assert got == want
    assert len(got) == 14


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_calls(server, serializer):
    got = lines("calls", server[2]["5::test.core"], serializer=serializer)
    assert got["add"] == "-> 42"
    assert got["concat"] == "-> 'grüß €'"
    assert got["sum"] == "-> 7.0"
    assert got["counter"] == "-> (1, 2)"
    # the metadata lists the Python names of the Go methods
    assert got["metadata"] == "-> ['add', 'call_me_back', 'concat', 'counter', 'echo', 'go_error']"
    assert got["missing"].startswith("!! builtins.AttributeError: remote object ")
    assert got["missing"].endswith("has no exposed attribute or method 'nosuchmethod'")


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_exceptions(server, serializer):
    got = lines("exceptions", server[2]["5::test.core"], serializer=serializer)
    assert got["value"] == "!! builtins.ValueError: bad value: x"
    assert got["naming"] == "!! Pyro5.errors.NamingError: ('name not found', ':Default.x')"
    assert got["goerror"] == "!! builtins.RuntimeError: plain go error"
    assert got["panic"] == "!! builtins.RuntimeError: panic: boom from Go"
    assert got["args"].startswith("!! builtins.TypeError: add() takes exactly 2 arguments")
    for name in ("value", "naming", "goerror", "panic", "args"):
        # _pyroTraceback crossed: Pyro5 shows the remote traceback
        assert got[name + "_tb"] == "-> True"
    assert got["after"] == "-> 3"


# Pyro5's marshal serializer fails in the client, before sending, for the
# calls it makes with kwargs None (attribute access, batches): the same
# against any daemon.
MARSHAL_CLIENT_ERROR = "!! builtins.AttributeError: 'NoneType' object has no attribute 'items'"


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_attributes(server, serializer):
    got = lines("attrs", server[2]["5::test.attrs"], serializer=serializer)
    assert got["attrs"] == "['Label', 'List', 'Value']"
    if serializer == "marshal":
        assert got["get"] == got["set"] == MARSHAL_CLIENT_ERROR
        return
    assert got["get"] == "-> (42, 'hello')"
    assert got["set"] == "-> 7"
    assert got["double"] == "-> 14"


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_oneway_and_batch(server, serializer):
    got = lines("oneway_batch", server[2]["5::test.recorder"], serializer=serializer)
    assert got["recorded"] == "-> [0, 1, 2, 3, 4]"
    if serializer == "marshal":
        assert got["batch"] == got["batch_error"] == MARSHAL_CLIENT_ERROR
        return
    assert got["batch"] == "-> [None, [0, 1, 2, 3, 4, 10], None, 1]"
    assert got["batch_error"] == "!! builtins.AttributeError: 'Recorder' object has no attribute 'nosuch_on_server'"


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_daemon_object(server, serializer):
    uri = server[2]["5::test.core"]
    got = lines("daemon", "PYRO:Pyro.Daemon@" + uri.split("@", 1)[1], serializer=serializer)
    assert got["ping"] == "-> None"
    assert got["registered"] == "-> 'Pyro.Daemon'"
    assert got["info"] == "-> 'Pyro.Daemon'"
    assert got["meta"] == "-> ['close_stream', 'get_metadata', 'get_next_stream_item', 'info', 'ping', 'registered']"
    assert got["meta_unknown"] == "!! Pyro5.errors.DaemonError: unknown object"
    # str(DaemonError("unknown object")), as Pyro5's daemon sends it
    assert got["connect_unknown"].endswith("rejected: unknown object")


def test_same_port(server):
    """A Pyro 3 client and a Pyro 5 client call the one object on the one port."""
    _, port, uris = server
    assert uris[":test.core"].startswith("PYRO://127.0.0.1:%d/" % port)
    assert uris["5::test.core"].endswith("@127.0.0.1:%d" % port)
    assert uris["5::test.core"].split("@")[0][5:] == uris[":test.core"].rsplit("/", 1)[1]
    assert lines("calls", uris["5::test.core"])["add"] == "-> 42"
    out = run_py2("core_client.py", "calls", port).stdout.decode()
    assert "add=7\n" in out


def echo_uri(proc):
    return wait_line(proc, r"^echo uri: (PYRO:\S+)", timeout=30).group(1)


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_echoserver_as_pyro5s(procs, gobin, serializer):
    """pyro-echo serves test.echoserver to Pyro 5 clients as
    python -m Pyro5.utils.echoserver does, beside Pyro 3's echo object."""
    go = procs.start([os.path.join(gobin, "pyro-echo"), "-H", "127.0.0.1"], env=py5_env())
    ours = echo_uri(go)
    py = procs.start([sys.executable, "-m", "Pyro5.utils.echoserver", "-H", "127.0.0.1"], env=py5_env())
    theirs = echo_uri(py)
    assert ours.startswith("PYRO:test.echoserver@127.0.0.1:")
    env = {"PYRO_SERIALIZER": serializer}
    want = run_py5("echo_client.py", theirs, env=env).stdout.decode().replace(theirs, "<URI>")
    got = run_py5("echo_client.py", ours, env=env).stdout.decode().replace(ours, "<URI>")
    assert got == want
    assert "generator -> ['one', 'two', 'three']" in got
    assert "oneway_echo -> None" in got


def test_go_proxy_calls_pyro5_daemon(procs, gobin):
    """A Go core.Proxy (goprogs/pyro5call) calls a Python Pyro5 daemon."""
    p = procs.start([sys.executable, os.path.join(PY5_DIR, "values_server.py")], env=py5_env())
    uri = wait_line(p, r"^URI (\S+)").group(1)
    out = subprocess.run([os.path.join(gobin, "pyro5call"), uri], capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr.decode()
    got = dict(l.split(" ", 1) for l in out.stdout.decode().splitlines())
    assert got == {
        "add": "-> 42",
        "concat": "-> u'gr\\xfc\\xdf \\u20ac'",
        "echo_list": "-> [1, u'two', 3.5, None, True]",
        "echo_map": "-> {u'a': 1}",
        "pair": "-> (42, u'21')",
        "fail": "!! builtins.ValueError: bad value (remote traceback: true)",
        # refused before sending: 'nosuch' is not in the metadata
        "missing": "!! builtins.AttributeError: remote object '%s' has no exposed attribute or method 'nosuch'"
                   " (remote traceback: false)" % uri,
        "after": "-> 3",
    }
