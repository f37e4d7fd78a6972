"""Unmodified Pyro5 5.17 clients call a Go daemon (goprogs/coreserver) over
Pyro 5, on the port where Pyro 3 clients call the same objects: the daemon
serves both generations (test_core_client.py runs Pyro 3 clients against the
same binary, and test_same_port here calls one object from both)."""
import pytest

from conftest import run_py2, run_py5
from test_core_client import start_server


@pytest.fixture
def server(procs, gobin):
    return start_server(procs, gobin)


def lines(scenario, *uris):
    out = run_py5("core_client.py", scenario, *uris).stdout.decode()
    return dict(l.split(" ", 1) for l in out.splitlines())


def test_calls(server):
    got = lines("calls", server[2]["5::test.core"])
    assert got["add"] == "-> 42"
    assert got["concat"] == "-> 'grüß €'"
    assert got["kw"] == "-> [1, [2, 3], {'x': 4}]"
    assert got["sum"] == "-> 7.0"
    # bytes cross serpent as base64 dicts, as between Python Pyro5 programs
    assert got["echo"] == ("-> [1, (2, 3), {'a': {4, 5}}, None, True, 1180591620717411303424, 1.25, "
                           "{'data': 'AP8=', 'encoding': 'base64'}]")
    assert got["pair"] == "-> (42, '21')"
    assert got["strings"] == "-> 'grüß € 😀'"
    assert got["counter"] == "-> (1, 2)"
    # the metadata lists the Python names of the Go methods
    assert got["metadata"] == "-> ['add', 'call_me_back', 'concat', 'counter', 'echo', 'go_error']"
    assert got["missing"].startswith("!! builtins.AttributeError: remote object ")
    assert got["missing"].endswith("has no exposed attribute or method 'nosuchmethod'")


def test_exceptions(server):
    got = lines("exceptions", server[2]["5::test.core"])
    assert got["value"] == "!! builtins.ValueError: bad value: x"
    assert got["naming"] == "!! Pyro5.errors.NamingError: ('name not found', ':Default.x')"
    assert got["goerror"] == "!! builtins.RuntimeError: plain go error"
    assert got["panic"] == "!! builtins.RuntimeError: panic: boom from Go"
    assert got["args"].startswith("!! builtins.TypeError: add() takes exactly 2 arguments")
    for name in ("value", "naming", "goerror", "panic", "args"):
        # _pyroTraceback crossed: Pyro5 shows the remote traceback
        assert got[name + "_tb"] == "-> True"
    assert got["after"] == "-> 3"


def test_attributes(server):
    got = lines("attrs", server[2]["5::test.attrs"])
    assert got["attrs"] == "['Label', 'List', 'Value']"
    assert got["get"] == "-> (42, 'hello')"
    assert got["set"] == "-> 7"
    assert got["double"] == "-> 14"


def test_oneway_and_batch(server):
    got = lines("oneway_batch", server[2]["5::test.recorder"])
    assert got["recorded"] == "-> [0, 1, 2, 3, 4]"
    assert got["batch"] == "-> [None, [0, 1, 2, 3, 4, 10], None, 1]"
    assert got["batch_error"] == "!! builtins.AttributeError: 'Recorder' object has no attribute 'nosuch_on_server'"


def test_daemon_object(server):
    uri = server[2]["5::test.core"]
    got = lines("daemon", "PYRO:Pyro.Daemon@" + uri.split("@", 1)[1])
    assert got["ping"] == "-> None"
    assert got["registered"] == "-> 'Pyro.Daemon'"
    assert got["info"] == "-> 'Pyro.Daemon'"
    assert got["meta"] == "-> ['close_stream', 'get_metadata', 'get_next_stream_item', 'info', 'ping', 'registered']"
    assert got["meta_unknown"] == "!! Pyro5.errors.DaemonError: unknown object"
    assert got["connect_unknown"].endswith("rejected: DaemonError: unknown object")


def test_same_port(server):
    """A Pyro 3 client and a Pyro 5 client call the one object on the one port."""
    _, port, uris = server
    assert uris[":test.core"].startswith("PYRO://127.0.0.1:%d/" % port)
    assert uris["5::test.core"].endswith("@127.0.0.1:%d" % port)
    assert uris["5::test.core"].split("@")[0][5:] == uris[":test.core"].rsplit("/", 1)[1]
    assert lines("calls", uris["5::test.core"])["add"] == "-> 42"
    out = run_py2("core_client.py", "calls", port).stdout.decode()
    assert "add=7\n" in out
